"""The project tree through /v3/projects: parents and subtree views, the
enable/disable/create/delete rules, ``?cascade``, the depth limit, and
projects acting as domains (``is_domain``).

Messages and shapes are Keystone 30's (checked against a live one), unless
a comment says otherwise.
"""

import pytest

from keystone_like import conf
from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def tree(admin):
    """Projects in the Default domain: top > middle > leaf, top > side."""
    ids = {}
    for name, parent in (('top', None), ('middle', 'top'),
                         ('leaf', 'middle'), ('side', 'top')):
        fields = {'parent_id': ids[parent]} if parent else {}
        ids[name] = ident.created(admin, 'projects', name=name,
                                  **fields)['id']
    return ids


def _project(admin, project_id, query=''):
    response = admin('GET', '/projects/%s%s' % (project_id, query))
    assert response.status_int == 200, response.text
    return response.json['project']


def _set_enabled(admin, project_id, enabled, query=''):
    return admin('PATCH', '/projects/%s%s' % (project_id, query),
                 {'project': {'enabled': enabled}})


def test_parents_and_subtree_as_ids(admin, tree):
    # Nested ids, the domain at the top of every chain.
    assert _project(admin, tree['leaf'], '?parents_as_ids')['parents'] == {
        tree['middle']: {tree['top']: {'default': None}}}
    assert _project(admin, tree['top'], '?parents_as_ids')['parents'] == {
        'default': None}
    assert _project(admin, tree['top'], '?subtree_as_ids')['subtree'] == {
        tree['middle']: {tree['leaf']: None}, tree['side']: None}
    assert _project(admin, tree['leaf'], '?subtree_as_ids')['subtree'] is None
    both = _project(admin, tree['middle'], '?parents_as_ids&subtree_as_ids')
    assert (both['parents'], both['subtree']) == (
        {tree['top']: {'default': None}}, {tree['leaf']: None})
    assert 'parents' not in _project(admin, tree['middle'])


def test_as_list_shows_the_projects_the_caller_has_roles_on(
        identity_api, admin, tree):
    admin_id = identity_api.admin_user['id']
    reader = ident.role_id(identity_api, 'reader')
    for name in ('top', 'leaf'):
        ident.put_grant(admin, reader, user=admin_id, project=tree[name])
    parents = _project(admin, tree['leaf'], '?parents_as_list')['parents']
    top = _project(admin, tree['top'])
    assert parents == [{'project': top}]
    assert top['links'] == {'self': ident.url('/projects/' + tree['top'])}
    subtree = _project(admin, tree['top'], '?subtree_as_list')['subtree']
    assert [entry['project']['id'] for entry in subtree] == [tree['leaf']]
    middle = _project(admin, tree['middle'],
                      '?parents_as_list&subtree_as_list')
    assert [p['project']['id'] for p in middle['parents']] == [tree['top']]
    assert [p['project']['id'] for p in middle['subtree']] == [tree['leaf']]
    assert _project(admin, tree['side'], '?subtree_as_list')['subtree'] == []


@pytest.mark.parametrize('view', ['parents', 'subtree'])
def test_a_list_and_ids_at_once_is_400(admin, tree, view):
    response = admin('GET', '/projects/%s?%s_as_list&%s_as_ids' % (
        tree['middle'], view, view))
    assert support.assert_error(response, 400) == (
        'Cannot use %s_as_list and %s_as_ids query params at the same time.'
        % (view, view))


def test_disabling_goes_bottom_up(admin, tree):
    response = _set_enabled(admin, tree['middle'], False)
    assert support.assert_error(response, 403) == (
        'Cannot disable project %s since its subtree contains enabled '
        'projects.' % tree['middle'])
    for name in ('leaf', 'middle'):
        response = _set_enabled(admin, tree[name], False)
        assert response.json['project']['enabled'] is False
    response = _set_enabled(admin, tree['leaf'], True)
    assert support.assert_error(response, 403) == (
        'Cannot enable project %s since it has disabled parents'
        % tree['leaf'])
    _set_enabled(admin, tree['middle'], True)
    assert _set_enabled(admin, tree['leaf'], True).status_int == 200


def test_no_new_project_in_a_disabled_branch(admin, tree):
    for name in ('leaf', 'middle'):
        _set_enabled(admin, tree[name], False)
    for parent in ('middle', 'leaf'):
        response = admin('POST', '/projects', {'project': {
            'name': 'new', 'parent_id': tree[parent]}})
        # Keystone names the first disabled one among the parent's
        # ancestors (nearest first), then the parent.
        assert support.assert_error(response, 400) == (
            'cannot create a project in a branch containing a disabled '
            'project: %s' % tree['middle'])
    assert admin('POST', '/projects', {'project': {
        'name': 'new', 'parent_id': tree['side']}}).status_int == 201


def test_a_disabled_domain_is_a_disabled_parent(admin):
    domain = ident.created(admin, 'domains', name='d')
    project = ident.created(admin, 'projects', name='p',
                            domain_id=domain['id'])
    admin('PATCH', '/domains/' + domain['id'],
          {'domain': {'enabled': False}})
    for parent in ({}, {'parent_id': project['id']}):
        response = admin('POST', '/projects', {'project': dict(
            parent, name='new', domain_id=domain['id'])})
        assert support.assert_error(response, 400) == (
            'cannot create a project in a branch containing a disabled '
            'project: %s' % domain['id'])
    _set_enabled(admin, project['id'], False)
    response = _set_enabled(admin, project['id'], True)
    assert support.assert_error(response, 403) == (
        'Cannot enable project %s since it has disabled parents'
        % project['id'])


def test_cascade_disables_and_enables_a_subtree(identity_api, admin, tree):
    # Deliberate difference: Keystone 30's API ignores ?cascade on PATCH
    # (its resource layer has it, the flask handler never passes it).
    user = ident.user(admin, 'worker')
    ident.put_grant(admin, ident.role_id(identity_api, 'member'),
                    user=user['id'], inherited=True, project=tree['top'])
    token, _body = ident.login(identity_api, user['id'],
                               {'project': {'id': tree['leaf']}})
    response = _set_enabled(admin, tree['middle'], False, '?cascade')
    assert response.json['project']['enabled'] is False
    assert _project(admin, tree['leaf'])['enabled'] is False
    assert {'project_id': tree['leaf']} in support.events()
    assert ident.validated(identity_api, token).status_int == 404
    response = admin('PATCH', '/projects/%s?cascade' % tree['top'], {
        'project': {'enabled': False, 'name': 'renamed'}})
    assert support.assert_error(response, 400) == (
        'Cascade update is only allowed for enabled attribute.')
    _set_enabled(admin, tree['middle'], True, '?cascade=true')
    assert _project(admin, tree['leaf'])['enabled'] is True


def test_delete_a_leaf_or_with_cascade_a_disabled_subtree(identity_api,
                                                          admin, tree):
    path = '/projects/' + tree['middle']
    assert support.assert_error(admin('DELETE', path), 403) == (
        'Cannot delete the project %s since it is not a leaf in the '
        'hierarchy. Use the cascade option if you want to delete a whole '
        'subtree.' % tree['middle'])
    # Deliberate difference: Keystone 30's API ignores ?cascade on DELETE
    # too, and answers the "not a leaf" 403 above.
    response = admin('DELETE', path + '?cascade')
    assert support.assert_error(response, 403) == (
        'Cannot delete project %s since its subtree contains enabled '
        'projects.' % tree['middle'])
    ident.put_grant(admin, ident.role_id(identity_api, 'reader'),
                    user=identity_api.admin_user['id'], project=tree['leaf'])
    _set_enabled(admin, tree['middle'], False, '?cascade')
    ident.assert_no_content(admin('DELETE', path + '?cascade'))
    for name in ('middle', 'leaf'):
        assert support.assert_error(admin(
            'GET', '/projects/' + tree[name]), 404) == (
                'Could not find project: %s.' % tree[name])
        assert {'project_id': tree[name]} in support.events()
    assert ident.role_assignments(admin, 'scope.project.id=' + tree[
        'leaf']) == []
    assert _project(admin, tree['top'], '?subtree_as_ids')['subtree'] == {
        tree['side']: None}


def test_depth_is_limited(admin):
    depth = conf.CONF.max_project_tree_depth
    parent = None
    for level in range(depth):
        fields = {'parent_id': parent} if parent else {}
        parent = ident.created(admin, 'projects', name='level%d' % level,
                               **fields)['id']
    response = admin('POST', '/projects', {'project': {
        'name': 'too-deep', 'parent_id': parent}})
    assert support.assert_error(response, 403) == (
        'Max hierarchy depth reached for %s branch.' % parent)


def test_the_place_in_the_tree_is_fixed(admin, tree):
    path = '/projects/' + tree['leaf']
    for change, code, message in (
            ({'parent_id': tree['top']}, 403,
             'Update of `parent_id` is not allowed.'),
            ({'is_domain': True}, 400, 'Update of `is_domain` is not '
             'allowed.'),
            ({'domain_id': 'other'}, 400, 'Cannot change Domain ID')):
        response = admin('PATCH', path, {'project': change})
        assert support.assert_error(response, code) == message
    response = admin('PATCH', path, {'project': {
        'parent_id': tree['middle'], 'is_domain': False,
        'domain_id': 'default', 'description': 'same place'}})
    assert response.json['project']['description'] == 'same place'


def test_a_parent_in_another_domain_is_400(admin, tree):
    other = ident.created(admin, 'domains', name='other')
    response = admin('POST', '/projects', {'project': {
        'name': 'x', 'parent_id': tree['top'], 'domain_id': other['id']}})
    assert support.assert_error(response, 400) == (
        'Cannot create project, since it specifies its domain_id %s, but '
        'specifies a parent in a different domain (default).' % other['id'])


def test_a_parent_alone_gives_the_parents_domain(admin):
    # Deliberate difference: Keystone 30 takes the token's domain (or the
    # default) and then refuses a parent in another domain with 400.
    other = ident.created(admin, 'domains', name='other')
    top = ident.created(admin, 'projects', name='top',
                        domain_id=other['id'])
    child = ident.created(admin, 'projects', name='child',
                          parent_id=top['id'])
    assert child['domain_id'] == other['id']


# Projects acting as domains.

def test_a_project_acting_as_a_domain(admin):
    response = admin('POST', '/projects', {'project': {
        'name': 'acme', 'is_domain': True, 'description': 'dd'}})
    assert response.status_int == 201, response.text
    created = response.json['project']
    assert created == {
        'id': created['id'], 'name': 'acme', 'description': 'dd',
        'enabled': True, 'is_domain': True, 'domain_id': None,
        'parent_id': None, 'tags': [], 'options': {},
        'links': {'self': ident.url('/projects/' + created['id'])}}
    path = '/projects/' + created['id']
    assert admin('GET', path).json == {'project': created}
    domain = admin('GET', '/domains/' + created['id']).json['domain']
    assert (domain['name'], domain['description']) == ('acme', 'dd')
    listed = admin('GET', '/projects?is_domain=true&name=acme').json
    assert listed['projects'] == [created]
    assert admin('GET', '/projects?name=acme').json['projects'] == []
    project = ident.created(admin, 'projects', name='inside',
                            domain_id=created['id'])
    assert project['parent_id'] == created['id']


def test_updating_a_project_acting_as_a_domain(identity_api, admin):
    created = ident.created(admin, 'projects', name='acme', is_domain=True)
    path = '/projects/' + created['id']
    response = admin('PATCH', path, {'project': {'description': 'new'}})
    assert response.json['project']['description'] == 'new'
    assert response.json['project']['is_domain'] is True
    for change, code, message in (
            ({'is_domain': False}, 400, 'Update of `is_domain` is not '
             'allowed.'),
            ({'parent_id': 'default'}, 403, 'Update of `parent_id` is not '
             'allowed.'),
            ({'domain_id': 'default'}, 400, 'Cannot change Domain ID')):
        response = admin('PATCH', path, {'project': change})
        assert support.assert_error(response, code) == message
    user = ident.user(admin, 'local', domain_id=created['id'])
    ident.put_grant(admin, ident.role_id(identity_api, 'reader'),
                    user=user['id'], domain=created['id'])
    token, _body = ident.login(identity_api, user['id'],
                               {'domain': {'id': created['id']}})
    response = admin('PATCH', path, {'project': {'enabled': False}})
    assert response.json['project']['enabled'] is False
    assert ident.validated(identity_api, token).status_int == 404


def test_deleting_a_project_acting_as_a_domain(admin):
    created = ident.created(admin, 'projects', name='acme', is_domain=True)
    path = '/projects/' + created['id']
    assert support.assert_error(admin('DELETE', path), 403) == (
        'Cannot delete a domain that is enabled, please disable it first.')
    admin('PATCH', path, {'project': {'enabled': False}})
    ident.assert_no_content(admin('DELETE', path))
    assert support.assert_error(admin('GET', '/domains/' + created['id']),
                                404) == (
        'Could not find domain: %s.' % created['id'])


@pytest.mark.parametrize('place', [{'domain_id': 'default'},
                                   {'parent_id': 'default'}])
def test_only_roots_act_as_domains(admin, place):
    response = admin('POST', '/projects', {'project': dict(
        place, name='acme', is_domain=True)})
    assert support.assert_error(response, 400) == (
        'only root projects are allowed to act as domains.')


def test_the_default_domain_as_a_project(admin):
    project = _project(admin, 'default')
    assert (project['is_domain'], project['domain_id'],
            project['parent_id'], project['name']) == (True, None, None,
                                                       'Default')
