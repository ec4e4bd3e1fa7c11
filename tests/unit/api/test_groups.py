"""/v3/groups: CRUD, membership, a user's groups; roles that groups hold
reach their members' tokens and go when the membership or the group goes.

Shapes and messages are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def group(admin):
    """A group in the Default domain."""
    return ident.created(admin, 'groups', name='staff')


@pytest.fixture
def alice(admin):
    """A user without roles."""
    return ident.user(admin, 'alice')


def _member_path(group_id, user_id):
    return '/groups/%s/users/%s' % (group_id, user_id)


def test_create_get_update_delete_in_keystone_shape(admin):
    response = admin('POST', '/groups', {'group': {
        'name': 'ops', 'description': 'Operators', 'colour': 'red',
        'id': 'ignored'}})
    assert response.status_int == 201
    group = response.json['group']
    assert group == {
        'id': group['id'], 'name': 'ops', 'domain_id': 'default',
        'description': 'Operators', 'colour': 'red',
        'links': {'self': ident.url('/groups/' + group['id'])}}
    assert group['id'] != 'ignored'
    path = '/groups/' + group['id']
    assert admin('GET', path).json == {'group': group}
    response = admin('PATCH', path, {'group': {'name': 'ops2'}})
    assert response.json['group'] == dict(group, name='ops2')
    ident.assert_no_content(admin('DELETE', path))
    for method in ('GET', 'DELETE'):
        message = support.assert_error(admin(method, path), 404)
        assert message == 'Could not find group: %s.' % group['id']


def test_description_defaults_to_an_empty_string(admin):
    assert ident.created(admin, 'groups', name='g')['description'] == ''


def test_names_are_unique_per_domain(admin, group):
    response = admin('POST', '/groups', {'group': {'name': 'staff'}})
    assert support.assert_error(response, 409) == (
        'Conflict occurred attempting to store group - Duplicate entry '
        'found with name staff at domain ID default.')
    other = ident.created(admin, 'domains', name='other')
    ident.created(admin, 'groups', name='staff', domain_id=other['id'])


def test_invalid_create_bodies_are_400(admin):
    for body in ({'group': {}}, {'group': {'name': ''}},
                 {'group': {'name': 'x' * 256}}, {'group': {'name': 3}},
                 {'group': {'name': 'g', 'description': 3}}, {'group': 'g'},
                 {}):
        support.assert_error(admin('POST', '/groups', body), 400)
    assert admin('GET', '/groups').json['groups'] == []


def test_unknown_domain_is_404(admin):
    response = admin('POST', '/groups', {'group': {
        'name': 'g', 'domain_id': 'nodomain'}})
    assert support.assert_error(response, 404) == (
        'Could not find domain: nodomain.')


def test_update_keeps_id_and_domain(admin, group):
    path = '/groups/' + group['id']
    for change, message in ((('id', 'other'), 'Cannot change ID'),
                            (('domain_id', 'other'),
                             'Cannot change Domain ID')):
        response = admin('PATCH', path, {'group': dict([change])})
        assert support.assert_error(response, 400) == message
    response = admin('PATCH', path, {'group': {
        'id': group['id'], 'domain_id': 'default', 'description': 'd'}})
    assert response.json['group']['description'] == 'd'
    support.assert_error(admin('PATCH', path, {'group': {}}), 400)
    response = admin('PATCH', '/groups/nope', {'group': {'name': 'n'}})
    assert support.assert_error(response, 404) == 'Could not find group: nope.'


def test_list_and_filters(admin, group):
    other = ident.created(admin, 'domains', name='other')
    ident.created(admin, 'groups', name='elsewhere', domain_id=other['id'])

    def names(query=''):
        response = admin('GET', '/groups' + query)
        assert response.status_int == 200, response.text
        return [g['name'] for g in response.json['groups']]
    assert names() == ['elsewhere', 'staff']
    assert names('?name=staff') == ['staff']
    assert names('?domain_id=' + other['id']) == ['elsewhere']
    assert names('?name=nobody') == []
    links = admin('GET', '/groups?name=staff').json['links']
    assert links == {'self': ident.url('/groups?name=staff'),
                     'previous': None, 'next': None}


def test_membership_add_check_list_remove(admin, group, alice):
    path = _member_path(group['id'], alice['id'])
    assert admin('HEAD', path).status_int == 404
    for _ in range(2):  # idempotent
        ident.assert_no_content(admin('PUT', path))
    ident.assert_no_content(admin('HEAD', path))
    ident.assert_no_content(admin('GET', path))
    listed = admin('GET', '/groups/%s/users' % group['id']).json
    assert [u['id'] for u in listed['users']] == [alice['id']]
    assert listed['users'][0]['links']['self'] == ident.url(
        '/users/' + alice['id'])
    assert listed['links']['self'] == ident.url(
        '/groups/%s/users' % group['id'])
    mine = admin('GET', '/users/%s/groups' % alice['id']).json
    # Keystone adds when the membership expires (never, here).
    assert mine['groups'] == [dict(group, membership_expires_at=None)]
    assert mine['links']['self'] == ident.url(
        '/users/%s/groups' % alice['id'])
    ident.assert_no_content(admin('DELETE', path))
    expected = "User '%s' not found in group '%s'" % (
        alice['id'], group['id'])
    assert admin('HEAD', path).status_int == 404
    for method in ('GET', 'DELETE'):
        assert support.assert_error(admin(method, path), 404) == expected
    assert admin('GET', '/users/%s/groups' % alice['id']).json[
        'groups'] == []


@pytest.mark.parametrize('method', ['PUT', 'GET', 'DELETE'])
def test_membership_of_unknown_things_is_404(admin, group, alice, method):
    for path, message in (
            (_member_path(group['id'], 'nouser'),
             'Could not find user: nouser.'),
            (_member_path('nogroup', alice['id']),
             'Could not find group: nogroup.')):
        assert support.assert_error(admin(method, path), 404) == message


def test_listings_of_unknown_group_or_user_are_404(admin):
    response = admin('GET', '/groups/nogroup/users')
    assert support.assert_error(response, 404) == (
        'Could not find group: nogroup.')
    response = admin('GET', '/users/nouser/groups')
    assert support.assert_error(response, 404) == (
        'Could not find user: nouser.')


def test_members_filters(admin, group, alice):
    bob = ident.user(admin, 'bob', enabled=False)
    for user in (alice, bob):
        ident.add_member(admin, group['id'], user['id'])

    def names(query=''):
        response = admin('GET', '/groups/%s/users%s' % (group['id'], query))
        return sorted(u['name'] for u in response.json['users'])
    assert names() == ['alice', 'bob']
    assert names('?name=bob') == ['bob']
    assert names('?enabled=false') == ['bob']
    assert [g['name'] for g in admin(
        'GET', '/users/%s/groups?name=other' % alice['id']).json[
            'groups']] == []


def test_group_roles_reach_member_tokens(identity_api, admin, group, alice):
    api = identity_api
    project = ident.created(admin, 'projects', name='web')
    ident.put_grant(admin, ident.role_id(api, 'manager'), group=group['id'],
                    project=project['id'])
    scope = {'project': {'id': project['id']}}
    assert ident.login_status(api, alice['id'], scope) == 401
    ident.add_member(admin, group['id'], alice['id'])
    _token, body = ident.login(api, alice['id'], scope)
    # manager brings member and reader (bootstrap's implied chain).
    assert ident.role_names(body) == ['manager', 'member', 'reader']


def test_removing_a_member_revokes_all_the_users_tokens(identity_api, admin,
                                                        group, alice):
    api = identity_api
    project_id = api.admin_project['id']
    # A role held directly: the token does not depend on the group at all,
    # yet Keystone records a user revocation event on removal.
    ident.put_grant(admin, ident.role_id(api, 'member'), user=alice['id'],
                    project=project_id)
    ident.add_member(admin, group['id'], alice['id'])
    token, _body = ident.login(api, alice['id'],
                               {'project': {'id': project_id}})
    admin('DELETE', _member_path(group['id'], alice['id']))
    assert {'user_id': alice['id']} in support.events()
    assert ident.validated(api, token).status_int == 404
    later, _body = ident.login(api, alice['id'],
                               {'project': {'id': project_id}})
    assert ident.validated(api, later).status_int == 200


@pytest.mark.parametrize('held_roles', [True, False])
def test_deleting_a_group_revokes_only_if_it_held_roles(
        identity_api, admin, group, alice, held_roles):
    api = identity_api
    project_id = api.admin_project['id']
    ident.put_grant(admin, ident.role_id(api, 'member'), user=alice['id'],
                    project=project_id)
    if held_roles:
        ident.put_grant(admin, ident.role_id(api, 'reader'),
                        group=group['id'], domain='default')
    ident.add_member(admin, group['id'], alice['id'])
    token, _body = ident.login(api, alice['id'],
                               {'project': {'id': project_id}})
    ident.assert_no_content(admin('DELETE', '/groups/' + group['id']))
    assert ({'user_id': alice['id']} in support.events()) is held_roles
    assert ident.validated(api, token).status_int == (
        404 if held_roles else 200)
    assert ident.role_assignments(admin, 'group.id=' + group['id']) == []
    assert admin('GET', '/users/%s/groups' % alice['id']).json[
        'groups'] == []


@pytest.mark.parametrize('collection', ['domains', 'projects'])
def test_deleting_the_groups_domain_revokes_like_deleting_the_group(
        identity_api, admin, alice, collection):
    api = identity_api
    domain = ident.created(admin, 'domains', name='elsewhere')
    group = ident.created(admin, 'groups', name='g', domain_id=domain['id'])
    project_id = api.admin_project['id']
    for where in ({'user': alice['id']}, {'group': group['id']}):
        ident.put_grant(admin, ident.role_id(api, 'reader'),
                        project=project_id, **where)
    ident.add_member(admin, group['id'], alice['id'])
    token, _body = ident.login(api, alice['id'],
                               {'project': {'id': project_id}})
    path = '/%s/%s' % (collection, domain['id'])
    admin('PATCH', path, {collection[:-1]: {'enabled': False}})
    ident.assert_no_content(admin('DELETE', path))
    assert {'user_id': alice['id']} in support.events()
    assert ident.validated(api, token).status_int == 404


def test_deleting_a_user_ends_its_memberships(admin, group, alice):
    ident.add_member(admin, group['id'], alice['id'])
    ident.assert_no_content(admin('DELETE', '/users/' + alice['id']))
    assert admin('GET', '/groups/%s/users' % group['id']).json[
        'users'] == []
