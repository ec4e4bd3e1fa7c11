"""Schema migrations: ``upgrade`` (db_sync) and the start-up schema check.

Alembic runs from code, with no alembic.ini: the scripts live in
``migrations/`` next to this module and run on a connection we open, so the
same path works from ``service-manage db_sync``, the tests and a wheel.
"""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import script as alembic_script
from alembic import util as alembic_util
from alembic.runtime import migration as alembic_migration
import sqlalchemy as sa

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'migrations')
# Serialises concurrent db_sync runs against one PostgreSQL database.
_ADVISORY_LOCK_KEY = 0x6b735f6c696b65


class SchemaError(Exception):
    """The database schema does not match this code; ``str()`` is one line."""


def _config():
    config = alembic_config.Config()
    # The value goes through configparser interpolation.
    config.set_main_option('script_location',
                           MIGRATIONS_DIR.replace('%', '%%'))
    return config


def _scripts():
    return alembic_script.ScriptDirectory.from_config(_config())


def head_revision():
    """Return the newest revision this code knows."""
    return _scripts().get_current_head()


def current_revision(engine_or_connection):
    """Return the database's revision, or None when it has no schema."""
    if isinstance(engine_or_connection, sa.engine.Connection):
        return _current(engine_or_connection)
    with engine_or_connection.connect() as connection:
        return _current(connection)


def _current(connection):
    context = alembic_migration.MigrationContext.configure(connection)
    return context.get_current_revision()


def upgrade(database, revision='head'):
    """Migrate ``database`` to ``revision``; a no-op when already there.

    Returns the revision reached; raises ServiceUnavailable when the
    database cannot be reached.
    """
    config = _config()
    with database.translate_errors(), database.engine.connect() as connection:
        sqlite = connection.dialect.name == 'sqlite'
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename, which
            # enforced foreign keys would refuse; the pragma only takes
            # effect outside a transaction, so it comes first.
            _set_foreign_keys(connection, False)
        try:
            with connection.begin():
                _lock(connection)
                config.attributes['connection'] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
                return _current(connection)
        finally:
            if sqlite:
                _set_foreign_keys(connection, True)


def _lock(connection):
    if connection.dialect.name == 'postgresql':
        # Schema changes on big tables may outlast the per-request
        # statement_timeout; a second db_sync waits for the first.
        connection.execute(sa.text('SET LOCAL statement_timeout = 0'))
        connection.execute(sa.text('SELECT pg_advisory_xact_lock(:key)'),
                           {'key': _ADVISORY_LOCK_KEY})


def _set_foreign_keys(connection, enabled):
    connection.exec_driver_sql('PRAGMA foreign_keys = %s'
                               % ('ON' if enabled else 'OFF'))
    connection.commit()


def _check_foreign_keys(connection):
    broken = connection.exec_driver_sql('PRAGMA foreign_key_check').all()
    if broken:
        raise SchemaError('the migration left %d rows with dangling foreign '
                          'keys (first: %r); nothing was changed'
                          % (len(broken), tuple(broken[0])))


def check_schema(database):
    """Raise SchemaError unless the database is at this code's head."""
    with database.connect() as connection:
        current = _current(connection)
    head = head_revision()
    if current == head:
        return current
    where = 'the database at %s' % database.display_url
    if current is None:
        raise SchemaError('%s has no schema; run: service-manage db_sync'
                          % where)
    if not _is_known(current):
        raise SchemaError(
            '%s is at revision %s, newer than this code\'s %s; upgrade '
            'keystone_like or point [database] connection at the right '
            'database' % (where, current, head))
    raise SchemaError('%s is at revision %s, older than this code\'s %s; '
                      'run: service-manage db_sync' % (where, current, head))


def _is_known(revision):
    try:
        return _scripts().get_revision(revision) is not None
    except alembic_util.CommandError:
        return False
