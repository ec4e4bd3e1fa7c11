"""Databases for the storage and API tests: SQLite files and PostgreSQL.

Every database test runs on both backends. PostgreSQL is the server on
127.0.0.1:5432 with trust authentication (``KEYSTONE_LIKE_TEST_POSTGRES_URL``
points elsewhere); each test database is created for the run and dropped
after it. Without a reachable server the PostgreSQL cases are skipped with
the reason, unless ``KEYSTONE_LIKE_REQUIRE_POSTGRES=1`` (CI), which makes
them fail instead.
"""

import contextlib
import functools
import os
import uuid

import pytest
import sqlalchemy as sa

from keystone_like import db
from keystone_like.db import migration
from keystone_like.db import models

ADMIN_URL = os.environ.get(
    'KEYSTONE_LIKE_TEST_POSTGRES_URL',
    'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres')
REQUIRE_ENV = 'KEYSTONE_LIKE_REQUIRE_POSTGRES'
BACKENDS = ('sqlite', 'postgresql')
CONNECT_TIMEOUT = 3


def _admin_engine():
    return sa.create_engine(ADMIN_URL, isolation_level='AUTOCOMMIT',
                            poolclass=sa.pool.NullPool,
                            connect_args={'connect_timeout': CONNECT_TIMEOUT})


@functools.lru_cache(maxsize=None)
def postgres_unreachable_reason():
    """Return why the test PostgreSQL server cannot be used, or None."""
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text('SELECT 1'))
    except Exception as err:  # any failure means "cannot test PostgreSQL"
        return ' '.join(str(getattr(err, 'orig', err)).split())
    finally:
        engine.dispose()
    return None


def require_postgres():
    """Skip the test without PostgreSQL (fail it when CI requires one)."""
    reason = postgres_unreachable_reason()
    if reason is None:
        return
    where = sa.engine.make_url(ADMIN_URL)
    message = 'PostgreSQL not reachable at %s:%s: %s' % (
        where.host, where.port or 5432, reason)
    if os.environ.get(REQUIRE_ENV) == '1':
        pytest.fail('%s (%s=1 requires it)' % (message, REQUIRE_ENV))
    pytest.skip(message)


def admin_execute(statement, **params):
    """Run one statement on the server's admin database; return its rows."""
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def create_postgres_database():
    """Create an empty database ``kl_test_<hex>``; return its URL."""
    name = 'kl_test_%s' % uuid.uuid4().hex[:12]
    admin_execute('CREATE DATABASE %s' % name)
    return sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(
        hide_password=False)


def drop_postgres_database(url):
    """Drop the database of ``url``, disconnecting whoever uses it."""
    name = sa.engine.make_url(url).database
    admin_execute('DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)


def terminate_connections(url):
    """Kill every server process connected to the database of ``url``."""
    name = sa.engine.make_url(url).database
    return admin_execute(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
        'WHERE datname = :name AND pid <> pg_backend_pid()', name=name)


@contextlib.contextmanager
def empty_database(backend, directory):
    """Yield the URL of a new, empty database of ``backend``."""
    if backend == 'sqlite':
        yield 'sqlite:///%s' % (directory / 'keystone_like.db')
        return
    require_postgres()
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@contextlib.contextmanager
def migrated_postgres(directory):
    """Yield the URL of a new PostgreSQL database migrated to head."""
    with empty_database('postgresql', directory) as url:
        database = db.Database.from_url(url)
        try:
            migration.upgrade(database)
        finally:
            database.dispose()
        yield url


def wipe(database):
    """Delete every row of every table (children first)."""
    with database.engine.begin() as connection:
        for table in reversed(models.Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """The URL of a new, empty database: a SQLite file, then PostgreSQL."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope='session', params=BACKENDS)
def migrated_database(request, tmp_path_factory):
    """A migrated Database per backend, shared by the session's tests."""
    directory = tmp_path_factory.mktemp('migrated')
    with empty_database(request.param, directory) as url:
        database = db.Database.from_url(url, statement_timeout=10)
        migration.upgrade(database)
        try:
            yield database
        finally:
            database.dispose()


@pytest.fixture
def database(migrated_database):
    """A migrated Database, emptied after the test."""
    try:
        yield migrated_database
    finally:
        wipe(migrated_database)


@pytest.fixture
def db_session(database):
    """A Session on the migrated ``database``, committed after the test."""
    with database.session() as session:
        yield session
