"""Role grants on the system (/v3/system/{users,groups}/{id}/roles): create,
check, list, revoke, errors, and how they show among role assignments.

Shapes and messages are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def actors(admin):
    """A user and a group, by kind."""
    return {'user': ident.user(admin, 'operator')['id'],
            'group': ident.created(admin, 'groups', name='operators')['id']}


@pytest.mark.parametrize('actor', ['user', 'group'])
def test_grant_check_list_revoke(identity_api, admin, actors, actor):
    reader = ident.role_id(identity_api, 'reader')
    listing = '/system/%ss/%s/roles' % (actor, actors[actor])
    path = '%s/%s' % (listing, reader)
    assert admin('GET', listing).json == {'roles': [], 'links': {
        'self': ident.url(listing), 'previous': None, 'next': None}}
    assert admin('HEAD', path).status_int == 404
    ident.assert_no_content(admin('PUT', path))
    ident.assert_no_content(admin('PUT', path))
    ident.assert_no_content(admin('HEAD', path))
    ident.assert_no_content(admin('GET', path))
    [role] = admin('GET', listing).json['roles']
    assert (role['id'], role['name']) == (reader, 'reader')
    assert role['links'] == {'self': ident.url('/roles/' + reader)}
    ident.assert_no_content(admin('DELETE', path))
    assert support.assert_error(admin('DELETE', path), 404) == (
        'Could not find role assignment with role: %s, user or group: %s, '
        'project, domain, or system: system.' % (reader, actors[actor]))
    assert admin('GET', listing).json['roles'] == []


def test_check_of_another_role_is_404(identity_api, admin, actors):
    base = '/system/users/%s/roles/' % actors['user']
    ident.assert_no_content(admin('PUT', base + ident.role_id(identity_api,
                                                              'reader')))
    member = ident.role_id(identity_api, 'member')
    assert support.assert_error(admin('GET', base + member), 404) == (
        'Could not find role assignment with role: %s, user or group: %s, '
        'project, domain, or system: system.' % (member, actors['user']))


@pytest.mark.parametrize('method', ['PUT', 'GET', 'DELETE'])
def test_unknown_parts_are_404(identity_api, admin, actors, method):
    reader = ident.role_id(identity_api, 'reader')
    for path, message in (
            ('/system/users/nouser/roles/' + reader,
             'Could not find user: nouser.'),
            ('/system/groups/nogroup/roles/' + reader,
             'Could not find group: nogroup.'),
            ('/system/users/%s/roles/norole' % actors['user'],
             'Could not find role: norole.')):
        assert support.assert_error(admin(method, path), 404) == message
    for listing in ('/system/users/nouser/roles',
                    '/system/groups/nogroup/roles'):
        support.assert_error(admin('GET', listing), 404)


@pytest.mark.parametrize('actor', ['user', 'group'])
def test_a_domain_specific_role_is_400(admin, actors, actor):
    local = ident.created(admin, 'roles', name='local', domain_id='default')
    response = admin('PUT', '/system/%ss/%s/roles/%s' % (
        actor, actors[actor], local['id']))
    assert support.assert_error(response, 400) == (
        'Role %s is a domain-specific role. Unable to use a domain-specific '
        'role in a system assignment.' % local['id'])
    assert admin('GET', '/system/%ss/%s/roles' % (
        actor, actors[actor])).json['roles'] == []


def test_no_inherited_grants_on_the_system(identity_api, admin, actors):
    path = ident.grant_path(ident.role_id(identity_api, 'reader'),
                            user=actors['user'], inherited=True)
    support.assert_error(admin('PUT', path), 404)


def test_system_grants_among_role_assignments(identity_api, admin, actors):
    reader = ident.role_id(identity_api, 'reader')
    ident.put_grant(admin, reader, user=actors['user'])
    ident.put_grant(admin, reader, group=actors['group'])
    system = {'system': {'all': True}}
    assert ident.role_assignments(admin, 'user.id=' + actors['user']) == [{
        'role': {'id': reader}, 'user': {'id': actors['user']},
        'scope': system, 'links': {'assignment': ident.url(
            '/system/users/%s/roles/%s' % (actors['user'], reader))}}]
    assert ident.role_assignments(admin, 'group.id=' + actors['group']) == [{
        'role': {'id': reader}, 'group': {'id': actors['group']},
        'scope': system, 'links': {'assignment': ident.url(
            '/system/groups/%s/roles/%s' % (actors['group'], reader))}}]
    listed = ident.role_assignments(admin, 'scope.system=all')
    # The bootstrapped admin's system grant, and these two.
    assert len(listed) == 3
    assert all(e['scope'] == system for e in listed)
    by_role = ident.role_assignments(admin,
                                     'scope.system=all&role.id=' + reader)
    assert sorted(e.get('user', e.get('group'))['id'] for e in by_role) == (
        sorted(actors.values()))


def test_deleting_the_actor_or_the_role_removes_the_grant(admin, actors):
    role = ident.created(admin, 'roles', name='sysop')
    for actor in ('user', 'group'):
        ident.put_grant(admin, role['id'], **{actor: actors[actor]})
    admin('DELETE', '/users/' + actors['user'])
    assert len(ident.role_assignments(admin, 'role.id=' + role['id'])) == 1
    admin('DELETE', '/roles/' + role['id'])
    assert admin('GET', '/system/groups/%s/roles' % actors['group']).json[
        'roles'] == []
