"""Users in the store: shape, password hashes, CRUD, filters and errors."""

import datetime

import pytest

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)

HASH = '$2b$12$' + 'x' * 53


@pytest.fixture
def domain(db_session):
    """A domain with id ``d1``."""
    return domains.create_domain(db_session, {'id': 'd1', 'name': 'one'})


def test_create_returns_keystone_shape(db_session, domain):
    user = users.create_user(db_session, {
        'name': 'alice', 'domain_id': 'd1', 'email': 'a@example.com',
        'description': 'Alice'}, password_hash=HASH)
    assert len(user['id']) == 32
    assert user == {
        'id': user['id'], 'name': 'alice', 'domain_id': 'd1',
        'enabled': True, 'password_expires_at': None, 'options': {},
        'email': 'a@example.com', 'description': 'Alice'}
    assert users.get_user(db_session, user['id']) == user
    assert users.get_user_by_name(db_session, 'alice', 'd1') == user


def test_default_project_id_shows_when_set(db_session, domain):
    project = projects.create_project(db_session, {'name': 'p',
                                                   'domain_id': 'd1'})
    user = users.create_user(db_session, {
        'name': 'bob', 'domain_id': 'd1',
        'default_project_id': project['id']})
    assert user['default_project_id'] == project['id']
    user = users.update_user(db_session, user['id'],
                             {'default_project_id': None})
    assert 'default_project_id' not in user


def test_password_hash_is_kept_apart(db_session, domain):
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1',
                                          'password_hash': 'ignored'})
    assert 'password_hash' not in user
    assert users.get_password_hash(db_session, user['id']) is None
    users.set_password_hash(db_session, user['id'], HASH)
    assert users.get_password_hash(db_session, user['id']) == HASH
    row = db_session.get(models.User, user['id'])
    assert row.password_created_at <= models.utcnow()
    assert row.password_created_at > models.utcnow() - datetime.timedelta(
        minutes=1)
    users.set_password_hash(db_session, user['id'], HASH.encode('ascii'))
    assert users.get_password_hash(db_session, user['id']) == HASH
    users.set_password_hash(db_session, user['id'], None)
    assert users.get_password_hash(db_session, user['id']) is None
    assert HASH not in repr(users.list_users(db_session))


def test_clear_text_password_is_refused(db_session, domain):
    with pytest.raises(ValueError):
        users.create_user(db_session, {'name': 'u', 'domain_id': 'd1',
                                       'password': 'secret'})
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    with pytest.raises(ValueError):
        users.update_user(db_session, user['id'], {'password': 'secret'})


def test_names_are_unique_per_domain(db_session, domain):
    domains.create_domain(db_session, {'id': 'd2', 'name': 'two'})
    users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    users.create_user(db_session, {'name': 'u', 'domain_id': 'd2'})
    with pytest.raises(exceptions.Conflict) as info:
        users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    assert str(info.value) == (
        'Conflict occurred attempting to store user - Duplicate entry found '
        'with name u at domain ID d1.')


def test_required_fields_and_domain(db_session, domain):
    with pytest.raises(exceptions.ValidationError, match="'name'"):
        users.create_user(db_session, {'domain_id': 'd1'})
    with pytest.raises(exceptions.ValidationError, match="'domain_id'"):
        users.create_user(db_session, {'name': 'u'})
    with pytest.raises(exceptions.NotFound,
                       match='^Could not find domain: nope.$'):
        users.create_user(db_session, {'name': 'u', 'domain_id': 'nope'})


def test_unknown_user_is_not_found(db_session, domain):
    for call, args in ((users.get_user, ()), (users.update_user, ({},)),
                       (users.delete_user, ()),
                       (users.get_password_hash, ()),
                       (users.set_password_hash, (HASH,))):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find user: nope.$'):
            call(db_session, 'nope', *args)
    users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    with pytest.raises(exceptions.NotFound, match='user: u.$'):
        users.get_user_by_name(db_session, 'u', 'other')


def test_list_filters(db_session, domain):
    domains.create_domain(db_session, {'id': 'd2', 'name': 'two'})
    users.create_user(db_session, {'name': 'b', 'domain_id': 'd1'})
    users.create_user(db_session, {'name': 'a', 'domain_id': 'd1',
                                   'enabled': False})
    users.create_user(db_session, {'name': 'a', 'domain_id': 'd2'})

    def names(**filters):
        return [(u['name'], u['domain_id'])
                for u in users.list_users(db_session, **filters)]

    assert len(names()) == 3
    assert names(name='a', domain_id='d2') == [('a', 'd2')]
    assert names(domain_id='d1') == [('a', 'd1'), ('b', 'd1')]
    assert names(enabled=False) == [('a', 'd1')]
    assert names(name='zzz') == []


def test_update_is_partial(db_session, domain):
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1',
                                          'email': 'old@example.com'})
    updated = users.update_user(db_session, user['id'], {
        'email': 'new@example.com', 'enabled': False, 'domain_id': 'd1'})
    assert updated == dict(user, email='new@example.com', enabled=False)
    for change in ({'domain_id': 'd2'}, {'id': 'x'}, {'name': None}):
        with pytest.raises(exceptions.ValidationError):
            users.update_user(db_session, user['id'], change)
    users.create_user(db_session, {'name': 'taken', 'domain_id': 'd1'})
    with pytest.raises(exceptions.Conflict, match='with name taken at'):
        users.update_user(db_session, user['id'], {'name': 'taken'})


def test_delete_removes_assignments(db_session, domain):
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    other = users.create_user(db_session, {'name': 'o', 'domain_id': 'd1'})
    role = roles.create_role(db_session, {'name': 'r'})
    for actor in (user, other):
        assignments.create_grant(db_session, assignments.Grant(
            'user', actor['id'], 'domain', 'd1', role['id']))
    users.delete_user(db_session, user['id'])
    assert [a['user_id'] for a in assignments.list_assignments(
        db_session)] == [other['id']]
    with pytest.raises(exceptions.NotFound):
        users.get_user(db_session, user['id'])
