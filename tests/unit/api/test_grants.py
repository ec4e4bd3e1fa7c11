"""Role grants to users and groups on projects and domains: create, check,
list, revoke, their errors, domain-specific roles, and what tokens see.

Shapes and messages are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

TARGETS = ['project', 'domain']
ACTORS = ['user', 'group']


@pytest.fixture
def world(identity_api, admin):
    """A domain with a project, a user and a group; the reader role."""
    domain = ident.created(admin, 'domains', name='d')
    project = ident.created(admin, 'projects', name='p',
                            domain_id=domain['id'])
    return {'domain': domain['id'], 'project': project['id'],
            'user': ident.user(admin, 'grantee')['id'],
            'group': ident.created(admin, 'groups', name='g')['id'],
            'role': ident.role_id(identity_api, 'reader')}


def _where(world, actor, target):
    return {actor: world[actor], target: world[target]}


def _not_found_message(world, actor, target):
    return ('Could not find role assignment with role: %s, user or group: '
            '%s, project, domain, or system: %s.'
            % (world['role'], world[actor], world[target]))


@pytest.mark.parametrize('actor', ACTORS)
@pytest.mark.parametrize('target', TARGETS)
def test_grant_check_list_revoke(admin, world, actor, target):
    where = _where(world, actor, target)
    path = ident.grant_path(world['role'], **where)
    listing = path.rsplit('/', 1)[0]
    assert admin('HEAD', path).status_int == 404
    for method in ('GET', 'DELETE'):
        assert support.assert_error(admin(method, path), 404) == (
            _not_found_message(world, actor, target))
    for _ in range(2):  # idempotent
        ident.assert_no_content(admin('PUT', path))
    ident.assert_no_content(admin('HEAD', path))
    ident.assert_no_content(admin('GET', path))
    listed = admin('GET', listing)
    assert listed.status_int == 200
    [role] = listed.json['roles']
    assert (role['id'], role['name']) == (world['role'], 'reader')
    assert role['links'] == {'self': ident.url('/roles/' + world['role'])}
    assert listed.json['links'] == {'self': ident.url(listing),
                                    'previous': None, 'next': None}
    ident.assert_no_content(admin('DELETE', path))
    assert admin('GET', listing).json['roles'] == []
    support.assert_error(admin('DELETE', path), 404)


@pytest.mark.parametrize('actor', ACTORS)
@pytest.mark.parametrize('target', TARGETS)
def test_unknown_parts_are_404_naming_them(admin, world, actor, target):
    for part in (actor, target, 'role'):
        ids = dict(world, **{part: 'missing'})
        path = ident.grant_path(ids['role'], **_where(ids, actor, target))
        for method in ('PUT', 'GET', 'DELETE'):
            assert support.assert_error(admin(method, path), 404) == (
                'Could not find %s: missing.' % part)
        if part != 'role':
            listing = path.rsplit('/', 1)[0]
            assert support.assert_error(admin('GET', listing), 404) == (
                'Could not find %s: missing.' % part)


def test_a_project_is_not_a_domain_and_back(admin, world):
    path = ident.grant_path(world['role'], user=world['user'],
                            domain=world['project'])
    assert support.assert_error(admin('PUT', path), 404) == (
        'Could not find domain: %s.' % world['project'])
    # Deliberate difference: Keystone 30 stores a project grant on a
    # domain's id (domains are projects there), a grant no token can use.
    path = ident.grant_path(world['role'], user=world['user'],
                            project=world['domain'])
    assert support.assert_error(admin('PUT', path), 404) == (
        'Could not find project: %s.' % world['domain'])


def test_domain_specific_role_only_on_projects_of_its_domain(admin, world):
    local = ident.created(admin, 'roles', name='local', domain_id='default')
    path = ident.grant_path(local['id'], user=world['user'],
                            project=world['project'])
    # DomainSpecificRoleMismatch: the project is in another domain.
    assert support.assert_error(admin('PUT', path), 403) == (
        'Project %s must be in the same domain as the role %s being '
        'assigned.' % (world['project'], local['id']))
    home = ident.created(admin, 'projects', name='home')
    ident.put_grant(admin, local['id'], user=world['user'],
                    project=home['id'])
    # Keystone checks projects only: any domain takes the role.
    ident.put_grant(admin, local['id'], user=world['user'],
                    domain=world['domain'])
    listed = admin('GET', '/domains/%s/users/%s/roles' % (
        world['domain'], world['user'])).json['roles']
    assert [(r['id'], r['domain_id']) for r in listed] == [
        (local['id'], 'default')]


def test_a_domain_specific_role_shows_only_what_it_implies(identity_api,
                                                           admin, world):
    api = identity_api
    local = ident.created(admin, 'roles', name='local', domain_id='default')
    admin('PUT', '/roles/%s/implies/%s' % (local['id'],
                                           ident.role_id(api, 'member')))
    home = ident.created(admin, 'projects', name='home')
    ident.put_grant(admin, local['id'], user=world['user'],
                    project=home['id'])
    _token, body = ident.login(api, world['user'],
                               {'project': {'id': home['id']}})
    assert ident.role_names(body) == ['member', 'reader']


@pytest.mark.parametrize('target', TARGETS)
def test_user_and_group_grants_reach_tokens_until_revoked(
        identity_api, admin, world, target):
    api = identity_api
    scope = {target: {'id': world[target]}}
    ident.add_member(admin, world['group'], world['user'])
    ident.put_grant(admin, ident.role_id(api, 'member'),
                    group=world['group'], **{target: world[target]})
    ident.put_grant(admin, world['role'], user=world['user'],
                    **{target: world[target]})
    token, body = ident.login(api, world['user'], scope)
    assert ident.role_names(body) == ['member', 'reader']
    admin('DELETE', ident.grant_path(
        ident.role_id(api, 'member'), group=world['group'],
        **{target: world[target]}))
    # No revocation event: the next validation recomputes the roles.
    assert support.events() == []
    response = ident.validated(api, token)
    assert ident.role_names(response.json['token']) == ['reader']
    admin('DELETE', ident.grant_path(world['role'], user=world['user'],
                                     **{target: world[target]}))
    # Left without a role on its scope, the token is invalid.
    assert ident.validated(api, token).status_int == 404


def test_grants_go_with_the_project_or_the_group(identity_api, admin, world):
    ident.put_grant(admin, world['role'], group=world['group'],
                    project=world['project'])
    ident.put_grant(admin, world['role'], user=world['user'],
                    project=world['project'])
    admin('DELETE', '/groups/' + world['group'])
    assert [e.get('user', e.get('group')) for e in ident.role_assignments(
        admin, 'scope.project.id=' + world['project'])] == [
            {'id': world['user']}]
    ident.assert_no_content(admin('DELETE', '/projects/' + world['project']))
    assert ident.role_assignments(admin, 'user.id=' + world['user']) == []
