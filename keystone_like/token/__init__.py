"""Tokens: the Fernet key repository and the token format; no HTTP here."""
