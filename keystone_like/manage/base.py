"""What every ``service-manage`` command shares: the base class and errors.

A command is a small class: ``name``, ``help``, ``exit_codes`` (what its
own codes mean, shown in its ``--help``), ``add_arguments`` and ``run``.
``run`` returns an exit code or raises :class:`CommandError`, whose text
is the one line the dispatcher prints as ``service-manage <cmd>: ...``.
"""

import argparse
import contextlib

from sqlalchemy import exc as sa_exc

from keystone_like.common import log as ks_log
from keystone_like import db
from keystone_like.db import migration
from keystone_like import exceptions
from keystone_like.server import errors

EXIT_UNAVAILABLE = errors.EXIT_UNAVAILABLE

DATABASE_EXIT_CODES = {
    EXIT_UNAVAILABLE: 'the database cannot be reached',
    errors.EXIT_CONFIG: '[database] connection is invalid, or the schema is '
                        'missing, older or newer than this code',
}


class CommandError(Exception):
    """A command failed; ``str()`` is the line to print, with an exit code."""

    def __init__(self, message, exit_code=errors.EXIT_FAILURE):
        super().__init__(message)
        self.exit_code = exit_code


class Command:
    """Base of the commands: a name, a help line, arguments and ``run``."""

    name = None
    help = None
    # {exit code: meaning} beyond 0, 1 and 2, for the --help epilog.
    exit_codes = {}

    @classmethod
    def add_arguments(cls, parser):
        """Add the command's own arguments to its sub-parser."""

    @classmethod
    def epilog(cls):
        """Return the exit-code table shown at the end of ``--help``."""
        codes = {errors.EXIT_OK: 'success',
                 errors.EXIT_FAILURE: 'unexpected error (run with --debug '
                                      'for a traceback)',
                 errors.EXIT_USAGE: 'bad command line'}
        codes.update(cls.exit_codes)
        lines = ['exit codes:']
        lines.extend('  %-4d%s' % (code, text)
                     for code, text in sorted(codes.items()))
        return '\n'.join(lines)

    @classmethod
    def add_parser(cls, subparsers):
        """Add this command's sub-parser to ``subparsers``."""
        parser = subparsers.add_parser(
            cls.name, help=cls.help, description=cls.help,
            epilog=cls.epilog(),
            formatter_class=argparse.RawDescriptionHelpFormatter)
        cls.add_arguments(parser)
        return parser

    def __init__(self, conf):
        self.conf = conf
        self.args = conf.command

    def run(self):
        """Do the work; return an exit code or raise CommandError."""
        raise NotImplementedError


def report(status, what):
    """Print one outcome line: a status column, then what it is about."""
    print('%-16s%s' % (status, what))


@contextlib.contextmanager
def open_database(conf):
    """Yield the configured Database; dispose of its pool afterwards."""
    try:
        database = db.Database(conf)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as exc:
        raise CommandError(
            '[database] connection = %s is not a usable SQLAlchemy URL (%s); '
            'set it to e.g. postgresql+psycopg2://keystone@db-host/keystone '
            'or unset it for SQLite in state_dir' % (
                ks_log.mask_secrets(str(conf.database.connection)),
                ks_log.mask_secrets(' '.join(str(exc).split()))),
            errors.EXIT_CONFIG) from None
    except OSError as exc:
        raise CommandError(
            'cannot create [DEFAULT] state_dir = %s for the SQLite database: '
            '%s; create it or set state_dir to a writable directory'
            % (conf.state_dir, exc.strerror or exc), errors.EXIT_CONFIG
        ) from None
    try:
        yield database
    finally:
        database.dispose()


@contextlib.contextmanager
def database_errors(database):
    """Turn an unreachable database or a wrong schema into CommandError."""
    try:
        yield
    except exceptions.ServiceUnavailable as exc:
        raise CommandError(
            'cannot reach the database at %s (%s); start it, or fix '
            '[database] connection' % (
                database.display_url, getattr(exc, 'detail', exc)),
            EXIT_UNAVAILABLE) from None
    except migration.SchemaError as exc:
        raise CommandError(str(exc), errors.EXIT_CONFIG) from None


def check_schema(database):
    """Return the revision, or CommandError unless the schema is at head."""
    with database_errors(database):
        return migration.check_schema(database)
