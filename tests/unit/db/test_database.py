"""The Database: engine set-up per backend, sessions and error mapping."""

import logging
import os
import stat
import time

from oslo_config import cfg
import pytest
import sqlalchemy as sa

from keystone_like.conf import opts
from keystone_like import db
from keystone_like.db import migration
from keystone_like.db import models
from keystone_like import exceptions
from tests.support import databases
from tests.support import frozen_proxy

pytestmark = pytest.mark.timeout(30)

SECRET = 's3cr3tpw'


@pytest.fixture
def conf(tmp_path):
    """A parsed ConfigOpts with every group and state_dir in tmp_path."""
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf([], project='keystone_like', default_config_files=[],
         default_config_dirs=[])
    conf.set_override('state_dir', str(tmp_path / 'state'))
    return conf


def _scalar(database, statement):
    with database.session() as session:
        return session.execute(sa.text(statement)).scalar()


def test_default_is_a_sqlite_file_in_a_private_state_dir(conf, tmp_path):
    database = db.Database(conf)
    try:
        state = tmp_path / 'state'
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
        assert database.url.database == str(state / 'keystone_like.db')
        assert database.backend == 'sqlite'
        assert _scalar(database, 'PRAGMA journal_mode') == 'wal'
        assert _scalar(database, 'PRAGMA foreign_keys') == 1
        assert _scalar(database, 'PRAGMA busy_timeout') == 5000
    finally:
        database.dispose()


def test_connection_option_wins_over_the_state_dir(conf, tmp_path):
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'x.db'),
                      group='database')
    database = db.Database(conf)
    assert database.url.database == str(tmp_path / 'x.db')
    assert not (tmp_path / 'state').exists()


@pytest.fixture
def postgresql_url(tmp_path):
    """The URL of a new, empty PostgreSQL database."""
    with databases.empty_database('postgresql', tmp_path) as url:
        yield url


def test_postgresql_engine_bounds_every_wait(postgresql_url, conf):
    conf.set_override('connection', postgresql_url, group='database')
    conf.set_override('pool_size', 3, group='database')
    conf.set_override('max_overflow', 4, group='database')
    conf.set_override('pool_timeout', 7, group='database')
    database = db.Database(conf)
    try:
        pool = database.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 4, 7)
        assert pool._pre_ping
        assert _scalar(database, 'SHOW statement_timeout') == '5s'
        assert _scalar(database, 'SHOW application_name') == 'keystone_like'
    finally:
        database.dispose()


def test_session_commits_on_success_and_rolls_back_on_error(database):
    with database.session() as session:
        session.add(models.Role(name='kept', extra={}))
    with pytest.raises(RuntimeError):
        with database.session() as session:
            session.add(models.Role(name='dropped', extra={}))
            session.flush()
            raise RuntimeError('boom')
    with database.session() as session:
        names = session.scalars(sa.select(models.Role.name)).all()
    assert names == ['kept']


def test_integrity_error_is_a_conflict(database):
    with database.session() as session:
        session.add(models.Role(id='r1', name='one', extra={}))
    with pytest.raises(exceptions.Conflict) as info:
        with database.session() as session:
            session.add(models.Role(id='r2', name='one', extra={}))
    assert info.value.code == 409


def test_foreign_keys_are_enforced(database):
    with pytest.raises(exceptions.Conflict):
        with database.session() as session:
            session.add(models.Project(name='p', domain_id='nowhere',
                                       extra={}))


def _assert_unavailable(database, caplog):
    caplog.set_level(logging.WARNING, logger='keystone_like.db')
    started = time.monotonic()
    with pytest.raises(exceptions.ServiceUnavailable) as info:
        with database.session() as session:
            session.execute(sa.text('SELECT 1'))
    assert info.value.code == 503
    assert str(info.value) == db.UNAVAILABLE_MESSAGE
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text
    assert 'is unavailable' in caplog.text
    return time.monotonic() - started


def test_closed_postgresql_port_is_unavailable_without_password(caplog):
    database = db.Database.from_url(
        'postgresql+psycopg2://postgres:%s@127.0.0.1:1/x' % SECRET,
        connect_timeout=2)
    assert _assert_unavailable(database, caplog) < 5
    assert 'postgres:***@127.0.0.1:1/x' in caplog.text
    assert SECRET not in repr(database)


def test_unavailable_detail_names_the_cause_for_operators(tmp_path):
    database = db.Database.from_url(
        'sqlite:///%s' % (tmp_path / 'missing' / 'keystone_like.db'))
    with pytest.raises(exceptions.ServiceUnavailable) as info:
        database.ping()
    assert info.value.detail == (
        'OperationalError: unable to open database file')


def test_sqlite_in_a_missing_directory_is_unavailable(tmp_path, caplog):
    database = db.Database.from_url(
        'sqlite:///%s' % (tmp_path / 'missing' / 'keystone_like.db'))
    _assert_unavailable(database, caplog)


def test_sqlite_read_only_database_is_unavailable(tmp_path, caplog):
    path = tmp_path / 'ro.db'
    writable = db.Database.from_url('sqlite:///%s' % path)
    migration.upgrade(writable)
    writable.dispose()
    database = db.Database.from_url(
        'sqlite:///file:%s?mode=ro&uri=true' % path)
    with database.session() as session:
        assert session.scalars(sa.select(models.Role)).all() == []
    with pytest.raises(exceptions.ServiceUnavailable):
        with database.session() as session:
            session.add(models.Role(name='r', extra={}))


def test_sqlite_lock_held_too_long_is_unavailable(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'locked.db')
    holder = db.Database.from_url(url)
    migration.upgrade(holder)
    waiter = db.Database.from_url(url, busy_timeout=0.2)
    with holder.session() as session:
        session.add(models.Role(name='holding', extra={}))
        session.flush()
        started = time.monotonic()
        with pytest.raises(exceptions.ServiceUnavailable):
            with waiter.session() as other:
                other.add(models.Role(name='waiting', extra={}))
        assert time.monotonic() - started < 3
    holder.dispose()
    waiter.dispose()


def test_postgresql_statement_timeout_is_unavailable(postgresql_url):
    database = db.Database.from_url(postgresql_url, statement_timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(exceptions.ServiceUnavailable):
            _scalar(database, 'SELECT pg_sleep(20)')
        assert time.monotonic() - started < 5
    finally:
        database.dispose()


def test_terminated_connections_recover_on_the_next_session(postgresql_url):
    database = db.Database.from_url(postgresql_url)
    try:
        assert _scalar(database, 'SELECT 1') == 1
        assert databases.terminate_connections(postgresql_url)
        # The pooled connection is dead; pre-ping replaces it.
        assert _scalar(database, 'SELECT 2') == 2
    finally:
        database.dispose()


def test_database_down_then_back_recovers_by_itself(postgresql_url, caplog):
    database = db.Database.from_url(postgresql_url)
    name = database.url.database
    try:
        assert _scalar(database, 'SELECT 1') == 1
        databases.admin_execute(
            'ALTER DATABASE %s WITH ALLOW_CONNECTIONS false' % name)
        databases.terminate_connections(postgresql_url)
        with pytest.raises(exceptions.ServiceUnavailable):
            _scalar(database, 'SELECT 1')
        with pytest.raises(exceptions.ServiceUnavailable):
            database.ping()
        databases.admin_execute(
            'ALTER DATABASE %s WITH ALLOW_CONNECTIONS true' % name)
        assert _scalar(database, 'SELECT 3') == 3
    finally:
        database.dispose()


def test_mid_session_disconnect_is_unavailable_then_recovers(postgresql_url):
    database = db.Database.from_url(postgresql_url)
    try:
        with pytest.raises(exceptions.ServiceUnavailable):
            with database.session() as session:
                session.execute(sa.text('SELECT 1'))
                databases.terminate_connections(postgresql_url)
                session.execute(sa.text('SELECT 1'))
        assert _scalar(database, 'SELECT 4') == 4
    finally:
        database.dispose()


def test_in_memory_sqlite_is_one_shared_database():
    database = db.Database.from_url('sqlite://')
    migration.upgrade(database)
    with database.session() as session:
        session.add(models.Role(name='r', extra={}))
    assert migration.check_schema(database) == migration.head_revision()
    assert _scalar(database, 'SELECT count(*) FROM role') == 1


def test_dispose_lets_the_engine_reconnect(database):
    database.ping()
    database.dispose()
    database.ping()
    database.dispose(close=False)
    database.ping()


@pytest.fixture
def hung_postgresql(postgresql_url):
    """(url through a frozen-able proxy, the proxy) for postgresql_url."""
    url = sa.engine.make_url(postgresql_url)
    with frozen_proxy.FrozenProxy((url.host, url.port or 5432)) as proxy:
        yield url.set(port=proxy.port).render_as_string(
            hide_password=False), proxy


def test_hung_server_bounds_a_statement_then_recovers(hung_postgresql,
                                                      caplog):
    url, proxy = hung_postgresql
    database = db.Database.from_url(url, statement_timeout=1,
                                    connect_timeout=1)
    try:
        assert _scalar(database, 'SELECT 1') == 1
        proxy.freeze()
        took = _assert_unavailable(database, caplog)
        # The liveness check of the pooled connection (1 s + margin).
        assert 1 <= took < 3, took
        assert 'did not answer within' in caplog.text, took
        proxy.thaw()
        assert _scalar(database, 'SELECT 2') == 2
    finally:
        proxy.thaw()
        database.dispose()


def test_hung_server_bounds_a_statement_in_progress(hung_postgresql):
    url, proxy = hung_postgresql
    database = db.Database.from_url(url, statement_timeout=1,
                                    connect_timeout=1)
    try:
        with pytest.raises(exceptions.ServiceUnavailable):
            with database.session() as session:
                session.execute(sa.text('SELECT 1'))
                proxy.freeze()
                started = time.monotonic()
                session.execute(sa.text('SELECT 2'))
        assert time.monotonic() - started < 3
        proxy.thaw()
        assert _scalar(database, 'SELECT 3') == 3
    finally:
        proxy.thaw()
        database.dispose()


def test_hung_server_bounds_the_connect(hung_postgresql, caplog):
    url, proxy = hung_postgresql
    database = db.Database.from_url(url, statement_timeout=1,
                                    connect_timeout=1)
    try:
        proxy.freeze()
        took = _assert_unavailable(database, caplog)
        assert 1 <= took < 3, took
        assert 'did not answer within 1s' in caplog.text
    finally:
        proxy.thaw()
        database.dispose()
