"""/v3/users management: CRUD, passwords, filters, errors, revocation."""

import pytest

from keystone_like import conf
from keystone_like.identity import passwords
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def create(admin, name, **fields):
    """Create a user; return its dict."""
    response = admin('POST', '/users', {'user': dict(fields, name=name)})
    assert response.status_int == 201, response.text
    return response.json['user']


def test_create_hashes_the_password_and_never_returns_it(admin):
    response = admin('POST', '/users', {'user': {
        'name': 'alice', 'password': 'secret-one', 'email': 'a@example.com',
        'id': 'ignored'}})
    assert response.status_int == 201
    assert 'secret-one' not in response.text
    user = response.json['user']
    assert user == {
        'id': user['id'], 'name': 'alice', 'domain_id': 'default',
        'enabled': True, 'password_expires_at': None, 'options': {},
        'email': 'a@example.com',
        'links': {'self': 'http://localhost/v3/users/' + user['id']}}
    stored = support.password_hash(user['id'])
    assert 'secret-one' not in stored
    assert passwords.verify_password('secret-one', stored)
    assert admin('GET', '/users/' + user['id']).json == {'user': user}


def test_create_without_password(admin):
    user = create(admin, 'nopass', password=None)
    assert support.password_hash(user['id']) is None


def test_over_long_password_is_400_and_creates_nothing(admin):
    limit = conf.CONF.identity.max_password_length
    response = admin('POST', '/users', {'user': {
        'name': 'long', 'password': 'x' * (limit + 1)}})
    message = support.assert_error(response, 400)
    assert 'x' * 20 not in message
    assert admin('GET', '/users?name=long').json['users'] == []


def test_unknown_domain_is_404_and_duplicate_is_409(admin):
    response = admin('POST', '/users', {'user': {'name': 'u',
                                                 'domain_id': 'nodomain'}})
    assert support.assert_error(response, 404) == (
        'Could not find domain: nodomain.')
    create(admin, 'dup')
    response = admin('POST', '/users', {'user': {'name': 'dup'}})
    assert 'Duplicate entry' in support.assert_error(response, 409)


@pytest.mark.parametrize('body', [
    {'user': {}}, {'user': {'name': 'x' * 256}}, {'user': {'name': ' '}},
    {'user': {'name': 'u', 'enabled': 'true'}},
    {'user': {'name': 'u', 'password': 5}},
    {'user': {'name': 'u', 'domain_id': 'bad/id'}}, {'name': 'u'}])
def test_invalid_create_bodies_are_400(admin, body):
    support.assert_error(admin('POST', '/users', body), 400)


def test_list_filters(admin):
    create(admin, 'bob')
    create(admin, 'carol', enabled=False)
    other = admin('POST', '/domains', {'domain': {'name': 'o'}}).json
    create(admin, 'bob', domain_id=other['domain']['id'])

    def names(query=''):
        response = admin('GET', '/users' + query)
        assert response.status_int == 200, response.text
        return sorted((u['name'], u['domain_id'] == 'default')
                      for u in response.json['users'])
    assert names() == [('admin', True), ('bob', False), ('bob', True),
                       ('carol', True)]
    assert names('?name=bob&domain_id=default') == [('bob', True)]
    assert names('?enabled=false') == [('carol', True)]
    body = admin('GET', '/users?name=bob').json
    assert body['links']['self'] == 'http://localhost/v3/users?name=bob'
    assert all(u['links']['self'].endswith(u['id']) for u in body['users'])


def test_update_fields_and_immutables(admin):
    user = create(admin, 'dave')
    response = admin('PATCH', '/users/' + user['id'], {'user': {
        'email': 'd@example.com', 'name': 'david'}})
    assert response.status_int == 200
    assert response.json['user']['name'] == 'david'
    assert response.json['user']['email'] == 'd@example.com'
    response = admin('PATCH', '/users/' + user['id'], {'user': {
        'domain_id': 'elsewhere'}})
    assert support.assert_error(response, 400) == 'Cannot change Domain ID.'
    support.assert_error(admin('PATCH', '/users/' + user['id'],
                               {'user': {}}), 400)
    support.assert_error(admin('PATCH', '/users/nope',
                               {'user': {'name': 'x'}}), 404)


def test_new_password_by_patch_revokes_tokens(identity_api, admin):
    user, token = support.member(identity_api)
    response = admin('PATCH', '/users/' + user['id'], {'user': {
        'password': 'brand-new-pass'}})
    assert response.status_int == 200
    assert 'brand-new-pass' not in response.text
    assert passwords.verify_password('brand-new-pass',
                                     support.password_hash(user['id']))
    assert {'user_id': user['id']} in support.events()
    assert not support.is_valid(token)


def test_disabling_revokes_tokens(identity_api, admin):
    user, token = support.member(identity_api)
    response = admin('PATCH', '/users/' + user['id'],
                     {'user': {'enabled': False}})
    assert response.json['user']['enabled'] is False
    assert {'user_id': user['id']} in support.events()
    assert not support.is_valid(token)


def test_other_changes_revoke_nothing(identity_api, admin):
    user, token = support.member(identity_api)
    admin('PATCH', '/users/' + user['id'], {'user': {'email': 'e@x'}})
    assert support.events() == []
    assert support.is_valid(token)


def test_delete_revokes_and_removes_grants(identity_api, admin):
    user, token = support.member(identity_api)
    response = admin('DELETE', '/users/' + user['id'])
    assert response.status_int == 204 and response.body == b''
    assert {'user_id': user['id']} in support.events()
    assert not support.is_valid(token)
    support.assert_error(admin('GET', '/users/' + user['id']), 404)
    support.assert_error(admin('DELETE', '/users/' + user['id']), 404)
    response = admin('GET', '/role_assignments?user.id=' + user['id'])
    assert response.json['role_assignments'] == []
