"""System-scoped tokens (``scope: {system: {all: true}}``): issue, validate,
roles (direct, implied, through groups), catalog, GET /v3/auth/system,
policy, and revocation when the grant or the membership goes.

Token shapes are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_auth_support as auth_support
from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

SYSTEM = {'system': {'all': True}}


@pytest.fixture
def operator(identity_api, admin):
    """A user holding the reader role on the system directly."""
    user = ident.user(admin, 'operator')
    ident.put_grant(admin, ident.role_id(identity_api, 'reader'),
                    user=user['id'])
    return user


@pytest.fixture
def team(identity_api, admin):
    """A member of a group holding the manager role on the system."""
    group = ident.created(admin, 'groups', name='ops')
    user = ident.user(admin, 'teammate')
    ident.add_member(admin, group['id'], user['id'])
    ident.put_grant(admin, ident.role_id(identity_api, 'manager'),
                    group=group['id'])
    return {'group': group['id'], 'user': user['id']}


def _auth_system(api, token):
    response = api.request('GET', '/v3/auth/system', token=token)
    assert response.status_int == 200, response.text
    assert response.json['links'] == {'self': ident.url('/auth/system')}
    return response.json['system']


def test_a_system_token_in_keystone_shape(identity_api, team):
    response = auth_support.issue(identity_api, auth_support.password_body(
        ident.PASSWORD, {'id': team['user']}, SYSTEM))
    assert response.status_int == 201, response.text
    body = response.json['token']
    assert sorted(body) == ['audit_ids', 'catalog', 'expires_at',
                            'issued_at', 'methods', 'roles', 'system',
                            'user']
    assert body['system'] == {'all': True}
    assert body['methods'] == ['password']
    assert body['user']['id'] == team['user']
    # The group's manager role and what it implies.
    assert ident.role_names(body) == ['manager', 'member', 'reader']
    assert all(set(role) == {'id', 'name'} for role in body['roles'])


def test_validation_answers_the_same_token(identity_api, operator):
    api = identity_api
    token, issued = ident.login(api, operator['id'], SYSTEM)
    response = ident.validated(api, token)
    assert response.status_int == 200
    assert response.headers['X-Subject-Token'] == token
    assert response.json['token'] == issued
    check = auth_support.on_subject(
        api, support.admin_token(api), token, method='HEAD')
    assert check.status_int == 200
    bare = auth_support.on_subject(
        api, support.admin_token(api), token, query='?nocatalog')
    assert 'catalog' not in bare.json['token']
    assert ident.role_names(bare.json['token']) == ['reader']


def test_the_catalog_skips_urls_needing_a_project(identity_api, admin,
                                                  operator):
    service = ident.created(admin, 'services', type='compute', name='nova')
    for interface, url in (('public', 'http://nova/v2.1'),
                           ('internal', 'http://nova/v2/$(project_id)s')):
        ident.created(admin, 'endpoints', service_id=service['id'],
                      interface=interface, url=url)
    _token, body = ident.login(identity_api, operator['id'], SYSTEM)
    [entry] = body['catalog']
    assert (entry['type'], entry['name']) == ('compute', 'nova')
    assert [(e['interface'], e['url']) for e in entry['endpoints']] == [
        ('public', 'http://nova/v2.1')]


def test_auth_catalog_needs_a_project_token(identity_api, operator):
    token, _body = ident.login(identity_api, operator['id'], SYSTEM)
    response = identity_api.request('GET', '/v3/auth/catalog', token=token)
    support.assert_error(response, 403)


def test_no_system_role_no_system_token(identity_api, admin):
    user = ident.user(admin, 'nobody')
    ident.put_grant(admin, ident.role_id(identity_api, 'admin'),
                    user=user['id'], domain='default')
    assert ident.login_status(identity_api, user['id'], SYSTEM) == 401


def test_rescoping_an_unscoped_token_to_the_system(identity_api, operator):
    unscoped, _body = ident.login(identity_api, operator['id'])
    _token, body = auth_support.issued(
        identity_api, auth_support.token_body(unscoped, SYSTEM))
    assert body['system'] == {'all': True}
    assert body['methods'] == ['password', 'token']


def test_auth_system_lists_the_system_when_a_role_is_held(
        identity_api, admin, operator, team):
    api = identity_api
    stranger = ident.user(admin, 'stranger')
    for user_id, expected in ((stranger['id'], []),
                              (operator['id'], [{'all': True}]),
                              (team['user'], [{'all': True}])):
        token, _body = ident.login(api, user_id)
        # Deliberate difference: Keystone 30 reads a user's groups from
        # the token only for federated users, so it answers [] to the
        # group member, who can nevertheless get a system token.
        assert _auth_system(api, token) == expected


def test_system_roles_drive_policy(identity_api, operator):
    api = identity_api
    reader = support.issue_token(operator['id'], system='all')
    assert api.request('GET', '/v3/users', token=reader).status_int == 200
    response = api.request('POST', '/v3/domains', {'domain': {'name': 'x'}},
                           token=reader)
    support.assert_error(response, 403)
    # The bootstrapped admin holds admin on the system.
    admin_token = support.issue_token(api.admin_user['id'], system='all')
    response = api.request('POST', '/v3/domains', {'domain': {'name': 'x'}},
                           token=admin_token)
    assert response.status_int == 201, response.text


def test_removing_the_membership_revokes(identity_api, admin, team):
    api = identity_api
    token, _body = ident.login(api, team['user'], SYSTEM)
    admin('DELETE', '/groups/%s/users/%s' % (team['group'], team['user']))
    assert ident.validated(api, token).status_int == 404
    assert ident.login_status(api, team['user'], SYSTEM) == 401


def test_deleting_the_group_revokes(identity_api, admin, team):
    api = identity_api
    token, _body = ident.login(api, team['user'], SYSTEM)
    ident.assert_no_content(admin('DELETE', '/groups/' + team['group']))
    assert {'user_id': team['user']} in support.events()
    assert ident.validated(api, token).status_int == 404


def test_revoking_a_grant_takes_its_roles_away(identity_api, admin, team):
    api = identity_api
    ident.put_grant(admin, ident.role_id(api, 'reader'), user=team['user'])
    token, body = ident.login(api, team['user'], SYSTEM)
    assert ident.role_names(body) == ['manager', 'member', 'reader']
    admin('DELETE', ident.grant_path(ident.role_id(api, 'manager'),
                                     group=team['group']))
    body = ident.validated(api, token).json['token']
    assert ident.role_names(body) == ['reader']
    admin('DELETE', ident.grant_path(ident.role_id(api, 'reader'),
                                     user=team['user']))
    assert ident.validated(api, token).status_int == 404
