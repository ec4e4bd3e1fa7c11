"""The identity database: one SQLAlchemy engine per process, a session each.

``Database(conf)`` reads ``[database]``; ``Database.from_url`` takes a URL
and pool options (tests, tools). Unset ``connection`` means a SQLite file
in ``[DEFAULT] state_dir``. Every failure to reach the database comes out of
:meth:`Database.session` and :meth:`Database.connect` as
``exceptions.ServiceUnavailable`` (503) whose message names nothing
internal; the original error is logged with the URL password masked and
kept, masked, in the exception's ``detail`` attribute for commands. The
pool pre-pings connections and SQLAlchemy drops the whole pool when it sees
a disconnect, so the first request after the database is back succeeds.
"""

import contextlib
import logging
import os

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from keystone_like.common import log as ks_log
from keystone_like.common import metrics
from keystone_like.db import engine as db_engine
from keystone_like.db import revision
from keystone_like import exceptions

LOG = logging.getLogger(__name__)

DB_FILE_NAME = 'keystone_like.db'
UNAVAILABLE_MESSAGE = ('The identity database is unavailable; try again '
                       'later.')

# Errors meaning "could not talk to the database (in time)". On SQLite
# OperationalError also covers "database is locked" past busy_timeout; on
# PostgreSQL it covers statement_timeout cancellations.
UNAVAILABLE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError,
                      sa_exc.DisconnectionError, sa_exc.TimeoutError)


def default_url(state_dir):
    """Return the SQLite URL in ``state_dir``, creating the dir (0700)."""
    directory = os.path.abspath(os.path.expanduser(state_dir))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return 'sqlite:///' + os.path.join(directory, DB_FILE_NAME)


def connection_url(conf):
    """Return ``[database] connection`` or the default SQLite URL."""
    return conf.database.connection or default_url(conf.state_dir)


class Database:
    """An engine, its pool and a session factory for one process."""

    def __init__(self, conf):
        group = conf.database
        self._setup(connection_url(conf), pool_size=group.pool_size,
                    max_overflow=group.max_overflow,
                    pool_timeout=group.pool_timeout,
                    connect_timeout=group.connect_timeout,
                    statement_timeout=group.statement_timeout)

    @classmethod
    def from_url(cls, url, **options):
        """Build from a URL; ``options`` as :func:`engine.create_engine`."""
        database = cls.__new__(cls)
        database._setup(url, **options)
        return database

    def _setup(self, url, **options):
        self.url = sa.engine.make_url(url)
        self.engine = db_engine.create_engine(self.url, **options)
        metrics.instrument_engine(self.engine)
        self._sessions = orm.sessionmaker(bind=self.engine,
                                          expire_on_commit=False)
        # Every write moves the revision validators' caches key on.
        revision.install(self._sessions)

    @property
    def display_url(self):
        """The URL with its password masked, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def backend(self):
        """The dialect name: ``sqlite``, ``postgresql``, ..."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def translate_errors(self):
        """Map unreachable-database errors to 503, integrity errors to 409."""
        try:
            yield
        except sa_exc.IntegrityError as err:
            LOG.info('Database integrity error: %s', _one_line(err.orig))
            raise exceptions.Conflict() from None
        except (sa_exc.DBAPIError,) + UNAVAILABLE_ERRORS as err:
            if not _is_unavailable(err):
                raise
            cause = getattr(err, 'orig', None) or err
            detail = '%s: %s' % (type(cause).__name__, _one_line(cause))
            LOG.warning('Database %s is unavailable: %s', self.display_url,
                        detail)
            error = exceptions.ServiceUnavailable(UNAVAILABLE_MESSAGE)
            # For operators (service-manage), never for API clients.
            error.detail = detail
            raise error from None

    @contextlib.contextmanager
    def session(self):
        """Yield a Session in a transaction; commit on success, else undo."""
        with self.translate_errors():
            with self._sessions() as session, session.begin():
                yield session

    @contextlib.contextmanager
    def connect(self):
        """Yield a Connection in a transaction, errors translated."""
        with self.translate_errors():
            with self.engine.begin() as connection:
                yield connection

    def ping(self):
        """Run ``SELECT 1``; raise ServiceUnavailable if it cannot."""
        with self.connect() as connection:
            connection.execute(sa.text('SELECT 1'))

    def dispose(self, close=True):
        """Drop pooled connections (``close=False`` in a child after fork)."""
        self.engine.dispose(close=close)

    def __repr__(self):
        return '<Database %s>' % self.display_url


def _is_unavailable(err):
    """True for errors meaning the database cannot be reached (in time)."""
    return (isinstance(err, UNAVAILABLE_ERRORS)
            or getattr(err, 'connection_invalidated', False))


def _one_line(err):
    """Return ``err`` as one line with URL passwords masked."""
    return ks_log.mask_secrets(' '.join(str(err).split()))
