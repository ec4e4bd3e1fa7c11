"""/v3/projects: CRUD, hierarchy, filters, errors and revocation."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def create(admin, name, **fields):
    """Create a project; return its dict."""
    response = admin('POST', '/projects', {'project': dict(fields,
                                                           name=name)})
    assert response.status_int == 201, response.text
    return response.json['project']


def test_create_answers_201_with_keystone_shape(admin):
    response = admin('POST', '/projects', {'project': {
        'name': 'web', 'description': 'Web', 'domain_id': 'default',
        'id': 'ignored', 'owner': 'ops'}})
    assert response.status_int == 201
    project = response.json['project']
    assert project == {
        'id': project['id'], 'name': 'web', 'description': 'Web',
        'domain_id': 'default', 'parent_id': 'default', 'enabled': True,
        'is_domain': False, 'tags': [], 'options': {}, 'owner': 'ops',
        'links': {'self': 'http://localhost/v3/projects/' + project['id']}}
    assert project['id'] != 'ignored'
    assert admin('GET', '/projects/' + project['id']).json == {
        'project': project}


def test_domain_defaults_and_children_take_the_parents(admin):
    top = create(admin, 'top')
    assert top['domain_id'] == 'default'
    other = admin('POST', '/domains', {'domain': {'name': 'o'}}).json
    child = create(admin, 'child', parent_id=top['id'])
    assert (child['domain_id'], child['parent_id']) == ('default', top['id'])
    response = admin('POST', '/projects', {'project': {
        'name': 'x', 'parent_id': top['id'],
        'domain_id': other['domain']['id']}})
    support.assert_error(response, 400)


def test_unknown_references_are_400_on_create_404_elsewhere(admin):
    # Keystone turns an unknown domain or parent in the body into a 400.
    response = admin('POST', '/projects', {'project': {
        'name': 'p', 'domain_id': 'nodomain'}})
    assert support.assert_error(response, 400) == (
        'Could not find domain: nodomain.')
    response = admin('POST', '/projects', {'project': {
        'name': 'p', 'parent_id': 'noparent'}})
    assert support.assert_error(response, 400) == (
        'Could not find project: noparent.')
    for method, body in (('GET', None), ('PATCH', {'project': {'name': 'y'}}),
                         ('DELETE', None)):
        support.assert_error(admin(method, '/projects/nope', body), 404)


def test_duplicate_name_in_a_domain_is_409(admin):
    create(admin, 'same')
    response = admin('POST', '/projects', {'project': {'name': 'same'}})
    assert 'Duplicate entry' in support.assert_error(response, 409)
    other = admin('POST', '/domains', {'domain': {'name': 'o'}}).json
    create(admin, 'same', domain_id=other['domain']['id'])


@pytest.mark.parametrize('body', [
    {'project': {}}, {'project': {'name': 'x' * 65}},
    {'project': {'name': 'p', 'enabled': 1}},
    {'project': {'name': 'p', 'tags': ['a/b']}},
    {'project': {'name': 'p', 'domain_id': 'x' * 65}},
    {'project': {'name': 'p', 'is_domain': True, 'parent_id': 'default'}},
    {'project': 'p'}])
def test_invalid_create_bodies_are_400(admin, body):
    support.assert_error(admin('POST', '/projects', body), 400)


def test_list_filters(admin):
    top = create(admin, 'top')
    create(admin, 'child', parent_id=top['id'])
    create(admin, 'off', enabled=False)
    other = admin('POST', '/domains', {'domain': {'name': 'o'}}).json
    create(admin, 'elsewhere', domain_id=other['domain']['id'])

    def names(query=''):
        response = admin('GET', '/projects' + query)
        assert response.status_int == 200, response.text
        return sorted(p['name'] for p in response.json['projects'])
    assert names() == ['admin', 'child', 'elsewhere', 'off', 'top']
    assert names('?name=top') == ['top']
    assert names('?domain_id=' + other['domain']['id']) == ['elsewhere']
    assert names('?enabled=false') == ['off']
    assert names('?parent_id=' + top['id']) == ['child']
    assert names('?domain_id=default&enabled=true') == [
        'admin', 'child', 'top']
    assert names('?is_domain=true') == ['Default', 'o']
    assert names('?is_domain=false') == names()
    links = admin('GET', '/projects?name=top').json['links']
    assert links['self'] == 'http://localhost/v3/projects?name=top'


def test_update_and_immutable_fields(admin):
    project = create(admin, 'p')
    response = admin('PATCH', '/projects/' + project['id'], {'project': {
        'name': 'q', 'description': 'd', 'tags': ['t']}})
    assert response.status_int == 200
    assert response.json['project']['name'] == 'q'
    assert response.json['project']['tags'] == ['t']
    response = admin('PATCH', '/projects/' + project['id'], {'project': {
        'domain_id': 'other'}})
    assert support.assert_error(response, 400) == 'Cannot change Domain ID'
    support.assert_error(admin('PATCH', '/projects/' + project['id'],
                               {'project': {}}), 400)


def test_disabling_revokes_tokens_scoped_to_it(identity_api, admin):
    project = create(admin, 'scoped')
    user = support.make_user(identity_api, 'worker', role=None)
    admin('PUT', '/projects/%s/users/%s/roles/%s' % (
        project['id'], user['id'], identity_api.roles['member']['id']))
    token = support.issue_token(user['id'], project_id=project['id'])
    unscoped = support.issue_token(user['id'])
    response = admin('PATCH', '/projects/' + project['id'],
                     {'project': {'enabled': False}})
    assert response.json['project']['enabled'] is False
    assert {'project_id': project['id']} in support.events()
    assert not support.is_valid(token)
    assert support.is_valid(unscoped)


def test_delete_needs_a_leaf_and_revokes(identity_api, admin):
    parent = create(admin, 'parent')
    child = create(admin, 'child', parent_id=parent['id'])
    response = admin('DELETE', '/projects/' + parent['id'])
    assert 'not a leaf' in support.assert_error(response, 403)
    response = admin('DELETE', '/projects/' + child['id'])
    assert response.status_int == 204 and response.body == b''
    assert {'project_id': child['id']} in support.events()
    support.assert_error(admin('GET', '/projects/' + child['id']), 404)
    assert admin('DELETE', '/projects/' + parent['id']).status_int == 204
