"""service-manage setup: db_sync + fernet_setup + credential_setup + bootstrap,
once or again."""

import re

import pytest

from keystone_like.db import migration
from keystone_like.identity import passwords
from keystone_like.manage import bootstrap
from keystone_like.server import errors
from keystone_like.store import assignments
from keystone_like.store import users
from keystone_like.token import keys
from tests.support import service
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage
manage_db = support.manage_db

GENERATED = re.compile(r'^    export OS_PASSWORD=(\S+)$', re.MULTILINE)


def _admin_hash(manage):
    with manage.session() as session:
        user = users.get_user_by_name(session, 'admin', 'default')
        return users.get_password_hash(session, user['id'])


def test_setup_twice(manage_db, caplog):
    first = manage_db('setup')
    assert first.code == errors.EXIT_OK, first.err
    assert first.err == ''
    [password] = GENERATED.findall(first.out)
    assert len(password) == 24
    assert first.out.count(password) == 1
    assert password not in caplog.text
    assert passwords.verify_password(password, _admin_hash(manage_db))
    auth_url = 'http://localhost:%d/v3' % manage_db.public_port
    assert ('openstack --os-auth-url %s --os-identity-api-version 3 '
            '--os-username admin --os-password "$OS_PASSWORD" '
            '--os-project-name admin --os-user-domain-name Default '
            '--os-project-domain-name Default token issue' % auth_url
            in first.out)
    assert '    export OS_AUTH_URL=%s\n' % auth_url in first.out
    assert 'is at revision %s.' % migration.head_revision() in first.out
    assert keys.key_ids(str(manage_db.key_repository)) == [0, 1]
    stored = _admin_hash(manage_db)

    second = manage_db('setup')
    assert second.code == errors.EXIT_OK, second.err
    assert password not in second.out
    assert GENERATED.findall(second.out) == []
    assert "export OS_PASSWORD='<the password of admin>'" in second.out
    assert 'already has keys 0, 1; left unchanged.' in second.out
    assert 'Bootstrap complete: 0 created, 0 updated, 19 already present.' \
        in second.out
    assert _admin_hash(manage_db) == stored
    with manage_db.session() as session:
        assert len(assignments.list_assignments(session)) == 3


def test_setup_with_a_given_password_prints_none(manage, monkeypatch):
    monkeypatch.setenv(bootstrap.PASSWORD_ENV, 'my own secret')
    run = manage('setup')
    assert run.code == errors.EXIT_OK, run.err
    assert 'my own secret' not in run.out
    assert GENERATED.findall(run.out) == []
    assert 'with the given password' in run.out
    assert passwords.verify_password('my own secret', _admin_hash(manage))


def test_setup_reset_generates_a_new_password(manage):
    first = GENERATED.findall(manage('setup').out)
    run = manage('setup', '--reset-password')
    assert run.code == errors.EXIT_OK, run.err
    [second] = GENERATED.findall(run.out)
    assert second != first[0]
    assert passwords.verify_password(second, _admin_hash(manage))


def test_setup_stops_at_the_first_failing_step(manage):
    manage.key_repository.parent.mkdir(parents=True)
    manage.key_repository.write_text('not a directory')
    run = manage('setup')
    assert run.code == errors.EXIT_NOINPUT
    support.one_line_error(run, 'setup')
    assert 'is at revision' in run.out
    assert GENERATED.findall(run.out) == []
    with manage.session() as session:
        assert users.list_users(session) == []


def test_setup_unreachable_database(manage):
    manage.set('database', connection='postgresql+psycopg2://kl@127.0.0.1:'
                                      '%d/identity' % service.free_port())
    run = manage('setup')
    assert run.code == 69
    assert 'cannot reach the database' in support.one_line_error(run, 'setup')
    assert not manage.key_repository.exists()
