"""An existing database upgrades in place: 0001 (today's head before groups
and system scope) to the newest revision keeps users, projects, grants and
the tokens that were valid before."""

import datetime

import pytest
import sqlalchemy as sa

from keystone_like import db
from keystone_like.db import migration
from keystone_like.store import effective
from keystone_like.store import roles
from keystone_like.token import formats
from keystone_like.token import keys
from keystone_like.token import provider

pytestmark = pytest.mark.timeout(60)
UTC = datetime.timezone.utc
ROWS_AT_0001 = [
    "INSERT INTO domain (id, name, description, enabled, extra) "
    "VALUES ('default', 'Default', NULL, true, '{}')",
    "INSERT INTO project (id, name, domain_id, parent_id, description, "
    "enabled, extra) VALUES ('p1', 'admin', 'default', NULL, '', true, "
    "'{}')",
    "INSERT INTO \"user\" (id, name, domain_id, enabled, password_hash, "
    "password_created_at, default_project_id, extra, created_at) VALUES "
    "('u1', 'alice', 'default', true, 'not-a-real-hash', NULL, 'p1', "
    "'{\"email\": \"a@example.com\"}', '2026-01-01 00:00:00')",
    "INSERT INTO role (id, name, description, extra) VALUES "
    "('r-admin', 'admin', NULL, '{}'), ('r-member', 'member', NULL, '{}')",
    "INSERT INTO assignment (type, actor_id, target_id, role_id) VALUES "
    "('UserProject', 'u1', 'p1', 'r-member'), "
    "('UserDomain', 'u1', 'default', 'r-admin')",
]


class _Conf:
    """The few options the token provider reads."""

    class token:
        expiration = 3600
        allow_expired_window = 0
        caching = True
        cache_size = 100

    class revoke:
        expiration_buffer = 1800

    class resource:
        admin_project_name = None
        admin_project_domain_name = None


@pytest.fixture
def old_database(database_url, tmp_path):
    """A database at revision 0001 with data, and a token minted then."""
    database = db.Database.from_url(database_url)
    migration.upgrade(database, '0001')
    with database.connect() as connection:
        for statement in ROWS_AT_0001:
            connection.execute(sa.text(statement))
    keys.setup(str(tmp_path), 3)
    cache = keys.KeyCache(str(tmp_path))
    now = datetime.datetime.now(UTC)
    token = formats.encrypt(formats.TokenPayload(
        user_id='u1', methods=['password'], project_id='p1',
        issued_at=now, expires_at=now + datetime.timedelta(hours=1),
        audit_ids=[formats.new_audit_id()]), cache.get())
    yield database, provider.TokenProvider(_Conf, cache), token
    database.dispose()


def test_upgrade_keeps_data_grants_and_tokens(old_database):
    database, tokens, token_id = old_database
    assert migration.upgrade(database) == migration.head_revision()
    with database.session() as session:
        validated = tokens.validate(session, token_id)
        assert validated.role_names == ['member']
        assert validated.user['email'] == 'a@example.com'
        assert effective.role_ids_on_domain(session, 'u1', 'default') == {
            'r-admin'}
        rows = session.execute(sa.text(
            'SELECT type, inherited FROM assignment ORDER BY type')).all()
        assert [(t, bool(i)) for t, i in rows] == [
            ('UserDomain', False), ('UserProject', False)]
        # The old roles are global, and their names stay unique.
        assert [r['domain_id'] for r in roles.list_roles(session)] == [
            None, None]
        with pytest.raises(sa.exc.IntegrityError):
            with session.begin_nested():
                session.execute(sa.text(
                    "INSERT INTO role (id, name, extra, options) VALUES "
                    "('dup', 'admin', '{}', '{}')"))


def test_upgrade_twice_changes_nothing(old_database):
    database, _tokens, _token_id = old_database
    migration.upgrade(database)
    assert migration.upgrade(database) == migration.head_revision()
    with database.session() as session:
        assert session.scalar(sa.text('SELECT count(*) FROM assignment')) == 2
