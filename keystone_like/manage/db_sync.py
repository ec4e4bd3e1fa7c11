"""``service-manage db_sync``: migrate the identity database to this code.

Idempotent: at head it changes nothing. Concurrent runs against one
PostgreSQL database are serialised by ``migration.upgrade``. ``--check``
changes nothing and exits 0 only when the schema is at head, so a
deployment script can ask before starting ``service-all``.

Exit codes: 0 at head (after migrating); 69 the database cannot be
reached; 78 an invalid ``[database] connection``, a schema newer than
this code, or (``--check``) a schema that is not at head.
"""

from alembic import util as alembic_util

from keystone_like.db import migration
from keystone_like.manage import base
from keystone_like.server import errors


class DbSync(base.Command):
    """Migrate the database schema to the newest revision (idempotent)."""

    name = 'db_sync'
    help = ('Create or upgrade the identity database schema to the newest '
            'revision this code knows. Safe to run any number of times.')
    exit_codes = dict(base.DATABASE_EXIT_CODES)
    exit_codes[errors.EXIT_CONFIG] = (
        '[database] connection is invalid, the schema is newer than this '
        'code, or (--check) it is not at the newest revision')

    @classmethod
    def add_arguments(cls, parser):
        """--check to report without migrating."""
        parser.add_argument(
            '--check', action='store_true',
            help='Change nothing: exit 0 when the schema is at the newest '
                 'revision, 78 when it needs db_sync (or is newer).')

    def run(self):
        """Migrate (or check) and print the revision the database is at."""
        with base.open_database(self.conf) as database:
            if self.args.check:
                revision = base.check_schema(database)
            else:
                revision = sync(database)
            print('Database %s is at revision %s.'
                  % (database.display_url, revision))
        return errors.EXIT_OK


def sync(database):
    """Migrate ``database`` to head, saying so; return the revision."""
    with base.database_errors(database):
        with database.connect() as connection:
            before = migration.current_revision(connection)
        try:
            revision = migration.upgrade(database)
        except alembic_util.CommandError:
            # Alembic cannot find a path from a revision it does not know:
            # check_schema explains (newer than this code) in one line.
            migration.check_schema(database)
            raise
    if revision != before:
        print('Upgraded the schema from %s to %s.'
              % (before or 'nothing (empty database)', revision))
    return revision
