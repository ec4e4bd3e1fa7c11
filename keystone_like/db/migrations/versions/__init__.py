"""Alembic revisions, written by hand to match ``keystone_like.db.models``."""
