"""OS-INHERIT: grants on a domain or a project inherited by the projects
below it, to users and groups; they reach project tokens, never the
target's own scope.

Shapes and messages are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def tree(identity_api, admin):
    """A domain with top > middle > leaf, a user and a group."""
    domain = ident.created(admin, 'domains', name='d')['id']
    ids = {'domain': domain}
    parent = None
    for name in ('top', 'middle', 'leaf'):
        fields = {'domain_id': domain}
        if parent is not None:
            fields['parent_id'] = parent
        parent = ids[name] = ident.created(admin, 'projects', name=name,
                                           **fields)['id']
    ids['user'] = ident.user(admin, 'heir', domain_id=domain)['id']
    ids['group'] = ident.created(admin, 'groups', name='g')['id']
    ids['role'] = ident.role_id(identity_api, 'member')
    return ids


@pytest.mark.parametrize('actor', ['user', 'group'])
@pytest.mark.parametrize('target', ['domain', 'top'])
def test_create_check_revoke(admin, tree, actor, target):
    kind = 'domain' if target == 'domain' else 'project'
    where = {actor: tree[actor], kind: tree[target]}
    path = ident.grant_path(tree['role'], inherited=True, **where)
    assert admin('HEAD', path).status_int == 404
    message = support.assert_error(admin('GET', path), 404)
    assert message == (
        'Could not find role assignment with role: %s, user or group: %s, '
        'project, domain, or system: %s.' % (tree['role'], tree[actor],
                                             tree[target]))
    ident.assert_no_content(admin('PUT', path))
    ident.assert_no_content(admin('HEAD', path))
    ident.assert_no_content(admin('GET', path))
    # The inherited grant is not a grant on the target itself.
    direct = ident.grant_path(tree['role'], **where)
    assert admin('HEAD', direct).status_int == 404
    assert admin('GET', direct.rsplit('/', 1)[0]).json['roles'] == []
    ident.assert_no_content(admin('DELETE', path))
    assert admin('HEAD', path).status_int == 404
    support.assert_error(admin('DELETE', path), 404)


@pytest.mark.parametrize('actor', ['user', 'group'])
def test_list_inherited_roles_on_a_domain(admin, tree, actor):
    path = '/OS-INHERIT/domains/%s/%ss/%s/roles/inherited_to_projects' % (
        tree['domain'], actor, tree[actor])
    assert admin('GET', path).json['roles'] == []
    ident.put_grant(admin, tree['role'], inherited=True,
                    domain=tree['domain'], **{actor: tree[actor]})
    ident.put_grant(admin, tree['role'], domain=tree['domain'],
                    **{actor: tree[actor]})
    listed = admin('GET', path).json
    assert [r['name'] for r in listed['roles']] == ['member']
    assert listed['links']['self'] == ident.url(path)


def test_no_inherited_listing_on_projects(admin, tree):
    # Keystone has no such route either (it answers 404).
    response = admin('GET', '/OS-INHERIT/projects/%s/users/%s/roles/'
                     'inherited_to_projects' % (tree['top'], tree['user']))
    support.assert_error(response, 404)


@pytest.mark.parametrize('part', ['domain', 'user', 'group', 'role'])
def test_unknown_parts_are_404(admin, tree, part):
    actor = 'group' if part == 'group' else 'user'
    ids = dict(tree, **{part: 'missing'})
    path = ident.grant_path(ids['role'], inherited=True,
                            domain=ids['domain'], **{actor: ids[actor]})
    assert support.assert_error(admin('PUT', path), 404) == (
        'Could not find %s: missing.' % part)


def _project_status(api, user_id, project_id):
    return ident.login_status(api, user_id, {'project': {'id': project_id}})


def test_a_domain_grant_reaches_every_project_not_the_domain(
        identity_api, admin, tree):
    api = identity_api
    ident.put_grant(admin, tree['role'], inherited=True, user=tree['user'],
                    domain=tree['domain'])
    for name in ('top', 'middle', 'leaf'):
        _token, body = ident.login(api, tree['user'],
                                   {'project': {'id': tree[name]}})
        assert ident.role_names(body) == ['member', 'reader']
    assert ident.login_status(api, tree['user'],
                              {'domain': {'id': tree['domain']}}) == 401


def test_a_project_grant_reaches_its_subtree_not_itself(identity_api, admin,
                                                        tree):
    api = identity_api
    ident.put_grant(admin, tree['role'], inherited=True, user=tree['user'],
                    project=tree['middle'])
    assert _project_status(api, tree['user'], tree['top']) == 401
    assert _project_status(api, tree['user'], tree['middle']) == 401
    _token, body = ident.login(api, tree['user'],
                               {'project': {'id': tree['leaf']}})
    assert ident.role_names(body) == ['member', 'reader']


def test_a_group_grant_reaches_members_below(identity_api, admin, tree):
    api = identity_api
    ident.put_grant(admin, tree['role'], inherited=True, group=tree['group'],
                    domain=tree['domain'])
    assert _project_status(api, tree['user'], tree['leaf']) == 401
    ident.add_member(admin, tree['group'], tree['user'])
    token, _body = ident.login(api, tree['user'],
                               {'project': {'id': tree['leaf']}})
    projects = api.request('GET', '/v3/auth/projects', token=token)
    assert sorted(p['name'] for p in projects.json['projects']) == [
        'leaf', 'middle', 'top']
    admin('DELETE', ident.grant_path(tree['role'], inherited=True,
                                     group=tree['group'],
                                     domain=tree['domain']))
    assert ident.validated(api, token).status_int == 404


def test_a_new_project_inherits_at_once(identity_api, admin, tree):
    ident.put_grant(admin, tree['role'], inherited=True, user=tree['user'],
                    project=tree['top'])
    late = ident.created(admin, 'projects', name='late',
                         parent_id=tree['leaf'], domain_id=tree['domain'])
    assert _project_status(identity_api, tree['user'], late['id']) == 201
