"""service-manage db_sync on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa

from keystone_like.db import migration
from keystone_like.manage import base
from keystone_like.server import errors
from tests.support import service
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage
manage_db = support.manage_db


def _revision(url):
    engine = sa.create_engine(url)
    try:
        return migration.current_revision(engine)
    finally:
        engine.dispose()


def test_db_sync_migrates_then_changes_nothing(manage_db):
    head = migration.head_revision()
    first = manage_db('db_sync')
    assert first.code == errors.EXIT_OK, first.err
    assert 'Upgraded the schema from nothing (empty database) to %s.' \
        % head in first.out
    assert first.out.splitlines()[-1].startswith('Database ')
    assert first.out.endswith('is at revision %s.\n' % head)
    assert _revision(manage_db.database_url) == head
    second = manage_db('db_sync')
    assert second.code == errors.EXIT_OK, second.err
    assert 'Upgraded' not in second.out
    assert second.out.endswith('is at revision %s.\n' % head)


def test_db_sync_check_before_and_after(manage_db):
    before = manage_db('db_sync', '--check')
    assert before.code == errors.EXIT_CONFIG
    line = support.one_line_error(before, 'db_sync')
    assert 'has no schema; run: service-manage db_sync' in line
    assert _revision(manage_db.database_url) is None
    assert manage_db('db_sync').code == errors.EXIT_OK
    after = manage_db('db_sync', '--check')
    assert after.code == errors.EXIT_OK, after.err
    assert after.err == ''


def test_the_password_of_the_url_is_masked(manage_db):
    run = manage_db('db_sync')
    url = sa.engine.make_url(manage_db.database_url)
    if url.password:
        assert url.password not in run.out


def test_schema_newer_than_the_code(manage_db):
    assert manage_db('db_sync').code == errors.EXIT_OK
    engine = sa.create_engine(manage_db.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for argv in (['db_sync'], ['db_sync', '--check']):
        run = manage_db(*argv)
        assert run.code == errors.EXIT_CONFIG
        line = support.one_line_error(run, 'db_sync')
        assert '9999_future, newer than this code' in line


def test_unreachable_database(manage):
    port = service.free_port()
    manage.set('database', connection='postgresql+psycopg2://kl:s3cret@'
                                      '127.0.0.1:%d/identity' % port)
    run = manage('db_sync')
    assert run.code == base.EXIT_UNAVAILABLE == 69
    line = support.one_line_error(run, 'db_sync')
    assert 'cannot reach the database at postgresql+psycopg2://kl:***@' \
           '127.0.0.1:%d/identity' % port in line
    assert 's3cret' not in run.out + run.err
    assert 'fix [database] connection' in line


@pytest.mark.parametrize('url', ['not a url', 'nosuchdb://host/x'])
def test_invalid_connection_url(manage, url):
    manage.set('database', connection=url)
    run = manage('db_sync')
    assert run.code == errors.EXIT_CONFIG
    line = support.one_line_error(run, 'db_sync')
    assert '[database] connection = %s is not a usable SQLAlchemy URL' \
        % url in line


def test_default_sqlite_file_in_state_dir(manage):
    run = manage('db_sync')
    assert run.code == errors.EXIT_OK, run.err
    assert (manage.state_dir / 'keystone_like.db').is_file()
    assert str(manage.state_dir) in run.out
