"""Alembic migration environment (loaded by path; a package for packaging)."""
