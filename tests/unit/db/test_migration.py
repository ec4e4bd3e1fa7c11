"""Migrations: idempotent upgrade, the schema check, no model drift."""

import concurrent.futures

from alembic import autogenerate
from alembic.runtime import migration as alembic_migration
import pytest
import sqlalchemy as sa

from keystone_like import db
from keystone_like.db import migration
from keystone_like.db import models
from keystone_like import exceptions
from tests.support import databases

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def empty(database_url):
    """A Database on a new, empty database; disposed afterwards."""
    database = db.Database.from_url(database_url)
    yield database
    database.dispose()


def _tables(database):
    return set(sa.inspect(database.engine).get_table_names())


# The newest revision; a new migration changes it here only.
HEAD = '0008_security_compliance'


def test_head_revision_is_the_newest_one():
    assert migration.head_revision() == HEAD


def test_upgrade_empty_database_creates_every_table(empty):
    assert migration.current_revision(empty.engine) is None
    assert migration.upgrade(empty) == migration.head_revision()
    expected = {t.name for t in models.Base.metadata.sorted_tables}
    assert expected | {'alembic_version'} == _tables(empty)
    assert migration.check_schema(empty) == migration.head_revision()


def test_upgrade_twice_is_a_no_op(empty):
    migration.upgrade(empty)
    with empty.session() as session:
        session.add(models.Role(name='kept', extra={}))
    assert migration.upgrade(empty) == migration.head_revision()
    with empty.session() as session:
        assert session.scalar(sa.select(models.Role.name)) == 'kept'


def test_current_revision_accepts_a_connection(empty):
    migration.upgrade(empty)
    with empty.engine.connect() as connection:
        assert migration.current_revision(connection) == HEAD


def _password_url(url):
    # Trust authentication ignores the password; it must still be masked.
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == 'sqlite':
        return url
    return parsed.set(password='s3cr3tpw').render_as_string(
        hide_password=False)


def test_check_schema_refuses_an_unmigrated_database(database_url):
    database = db.Database.from_url(_password_url(database_url))
    try:
        with pytest.raises(migration.SchemaError) as info:
            migration.check_schema(database)
    finally:
        database.dispose()
    message = str(info.value)
    assert message == ('the database at %s has no schema; run: '
                       'service-manage db_sync' % database.display_url)
    assert '\n' not in message and 's3cr3tpw' not in message


def test_check_schema_refuses_a_newer_database(database_url):
    database = db.Database.from_url(_password_url(database_url))
    try:
        migration.upgrade(database)
        with database.session() as session:
            session.execute(sa.text(
                "UPDATE alembic_version SET version_num = '0099_future'"))
        with pytest.raises(migration.SchemaError) as info:
            migration.check_schema(database)
    finally:
        database.dispose()
    message = str(info.value)
    assert message == (
        "the database at %s is at revision 0099_future, newer than this "
        "code's %s; upgrade keystone_like or point [database] connection "
        "at the right database" % (database.display_url,
                                   migration.head_revision()))
    assert '\n' not in message and 's3cr3tpw' not in message


def test_check_schema_of_an_unreachable_database_is_unavailable():
    database = db.Database.from_url(
        'postgresql+psycopg2://postgres:s3cr3tpw@127.0.0.1:1/x')
    with pytest.raises(exceptions.ServiceUnavailable) as info:
        migration.check_schema(database)
    assert 's3cr3tpw' not in str(info.value)


def _diff(database, metadata):
    with database.engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True})
        return autogenerate.compare_metadata(context, metadata)


def test_models_match_the_migrated_schema(empty):
    migration.upgrade(empty)
    assert _diff(empty, models.Base.metadata) == []


def test_drift_would_be_detected(empty):
    # The comparison is only worth something if it sees a difference.
    migration.upgrade(empty)
    metadata = sa.MetaData()
    for table in models.Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables['user'].append_column(sa.Column('shoe_size', sa.Integer))
    diff = _diff(empty, metadata)
    assert [d[0] for d in diff] == ['add_column']
    assert diff[0][3].name == 'shoe_size'


def test_concurrent_upgrades_on_postgresql_serialise(tmp_path):
    with databases.empty_database('postgresql', tmp_path) as url:
        instances = [db.Database.from_url(url) for _ in range(3)]
        try:
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                results = list(pool.map(migration.upgrade, instances))
        finally:
            for database in instances:
                database.dispose()
    assert results == [migration.head_revision()] * 3
