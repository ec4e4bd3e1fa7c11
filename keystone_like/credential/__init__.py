"""Credentials: blobs encrypted at rest, EC2 signatures."""
