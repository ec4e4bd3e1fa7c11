"""Alembic environment: runs on the connection ``db.migration`` passes in.

There is no alembic.ini and no URL here: ``keystone_like.db.migration``
builds the Config in code and puts an open Connection (inside a
transaction) in ``config.attributes['connection']``.
"""

from alembic import context

from keystone_like.db import models


def run_migrations_online():
    """Run the pending revisions on the caller's connection."""
    connection = context.config.attributes['connection']
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        # SQLite cannot ALTER most things; batch mode copies the table.
        render_as_batch=connection.dialect.name == 'sqlite',
        compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError('offline (SQL script) migrations are not supported')
run_migrations_online()
