"""OS-EP-FILTER: endpoint groups, project endpoints, filtered catalogs."""

import pytest

from keystone_like import conf
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)
EP = '/OS-EP-FILTER'


@pytest.fixture
def catalog(identity_api, admin):
    """Two services with two endpoints each, and a project the admin has
    a role on; ids by name."""
    ids = {'project': admin('POST', '/projects', {'project': {
        'name': 'filtered'}}).json['project']['id']}
    admin('PUT', '/projects/%s/users/%s/roles/%s' % (
        ids['project'], identity_api.admin_user['id'],
        identity_api.roles['member']['id']))
    admin('POST', '/regions', {'region': {'id': 'R1'}})
    for kind in ('compute', 'image'):
        service = admin('POST', '/services', {'service': {
            'type': kind, 'name': kind}}).json['service']['id']
        ids[kind] = service
        for interface in ('public', 'admin'):
            ids['%s-%s' % (kind, interface)] = admin('POST', '/endpoints', {
                'endpoint': {'service_id': service, 'interface': interface,
                             'region_id': 'R1',
                             'url': 'http://%s.example/' % kind}}).json[
                'endpoint']['id']
    return ids


def catalog_ids(identity_api, project_id):
    """Endpoint ids of the catalog of an admin token on ``project_id``."""
    token = support.issue_token(identity_api.admin_user['id'])
    response = identity_api.request('POST', '/v3/auth/tokens', {
        'auth': {'identity': {'methods': ['token'], 'token': {
            'id': token}}, 'scope': {'project': {'id': project_id}}}})
    assert response.status_int == 201, response.text
    return {e['id'] for s in response.json['token']['catalog']
            for e in s['endpoints']}


def test_endpoint_group_crud_in_keystones_shape(admin, catalog):
    response = admin('POST', EP + '/endpoint_groups', {'endpoint_group': {
        'name': 'computes', 'filters': {'service_id': catalog['compute']}}})
    assert response.status_int == 201
    group = response.json['endpoint_group']
    assert group == {'id': group['id'], 'name': 'computes',
                     'description': None,
                     'filters': {'service_id': catalog['compute']},
                     'links': {'self': 'http://localhost/v3/OS-EP-FILTER/'
                               'endpoint_groups/' + group['id']}}
    path = EP + '/endpoint_groups/' + group['id']
    changed = admin('PATCH', path, {'endpoint_group': {
        'filters': {'interface': 'admin'}, 'description': 'admins'}})
    assert changed.json['endpoint_group']['filters'] == {
        'interface': 'admin'}
    listed = admin('GET', EP + '/endpoint_groups?name=computes').json
    assert [g['id'] for g in listed['endpoint_groups']] == [group['id']]
    found = admin('GET', path + '/endpoints').json['endpoints']
    assert {e['id'] for e in found} == {catalog['compute-admin'],
                                        catalog['image-admin']}
    assert admin('DELETE', path).status_int == 204
    support.assert_error(admin('GET', path), 404)


@pytest.mark.parametrize('group, message', [
    ({'name': 'g', 'filters': {}}, 'filters field is required'),
    ({'name': 'g', 'filters': {'enabled': True}},
     'Expecting to find service_id or region_id or interface'),
    ({'name': 'g', 'filters': {'interface': 'x'}}, 'interface'),
    ({'name': 'g'}, 'filters'),
    ({'name': 'g', 'filters': {'interface': 'admin'}, 'x': 1}, 'x'),
])
def test_bad_endpoint_groups_are_400(admin, group, message):
    response = admin('POST', EP + '/endpoint_groups',
                     {'endpoint_group': group})
    assert message in support.assert_error(response, 400)


def test_project_endpoints_filter_the_catalog(identity_api, admin, catalog):
    project = catalog['project']
    admin_project = identity_api.admin_project['id']
    every = set(v for k, v in catalog.items() if '-' in k)
    assert catalog_ids(identity_api, admin_project) >= every
    path = '%s/projects/%s/endpoints/%s' % (EP, project,
                                            catalog['image-public'])
    assert admin('PUT', path).status_int == 204
    assert 'Duplicate entry' in support.assert_error(admin('PUT', path), 409)
    assert admin('HEAD', path).status_int == 204
    assert catalog_ids(identity_api, project) == {catalog['image-public']}
    # Other projects keep the whole catalog.
    assert catalog_ids(identity_api, admin_project) >= every
    listed = admin('GET', '%s/projects/%s/endpoints' % (EP, project)).json
    assert [e['id'] for e in listed['endpoints']] == [
        catalog['image-public']]
    projects = admin('GET', '%s/endpoints/%s/projects' % (
        EP, catalog['image-public'])).json['projects']
    assert [p['id'] for p in projects] == [project]
    assert admin('DELETE', path).status_int == 204
    support.assert_error(admin('GET', path), 404)
    assert catalog_ids(identity_api, project) >= every


def test_endpoint_groups_of_a_project_add_to_its_catalog(identity_api, admin,
                                                         catalog):
    project = catalog['project']
    group = admin('POST', EP + '/endpoint_groups', {'endpoint_group': {
        'name': 'computes', 'filters': {'service_id': catalog['compute']}}}
    ).json['endpoint_group']['id']
    admin('PUT', '%s/projects/%s/endpoints/%s' % (EP, project,
                                                  catalog['image-public']))
    association = '%s/endpoint_groups/%s/projects/%s' % (EP, group, project)
    assert admin('PUT', association).status_int == 204
    support.assert_error(admin('PUT', association), 409)
    assert admin('GET', association).json == {'project_endpoint_group': {
        'endpoint_group_id': group, 'project_id': project,
        'links': {'self': 'http://localhost/v3' + association}}}
    assert catalog_ids(identity_api, project) == {
        catalog['image-public'], catalog['compute-public'],
        catalog['compute-admin']}
    groups = admin('GET', '%s/projects/%s/endpoint_groups' % (EP, project))
    assert [g['id'] for g in groups.json['endpoint_groups']] == [group]
    members = admin('GET', '%s/endpoint_groups/%s/projects' % (EP, group))
    assert [p['id'] for p in members.json['projects']] == [project]
    # A deleted endpoint leaves every filter and catalog.
    admin('DELETE', '/endpoints/' + catalog['image-public'])
    assert catalog_ids(identity_api, project) == {
        catalog['compute-public'], catalog['compute-admin']}
    assert admin('DELETE', association).status_int == 204
    support.assert_error(admin('DELETE', association), 404)


def test_without_a_filter_the_catalog_can_be_empty(identity_api, admin,
                                                   catalog):
    conf.CONF.set_override('return_all_endpoints_if_no_filter', False,
                           'endpoint_filter')
    try:
        assert catalog_ids(identity_api, catalog['project']) == set()
        admin('PUT', '%s/projects/%s/endpoints/%s' % (
            EP, catalog['project'], catalog['compute-admin']))
        assert catalog_ids(identity_api, catalog['project']) == {
            catalog['compute-admin']}
    finally:
        conf.CONF.clear_override('return_all_endpoints_if_no_filter',
                                 'endpoint_filter')


def test_unknown_entities_are_404_and_members_403(identity_api, admin,
                                                  catalog):
    project, endpoint = catalog['project'], catalog['compute-admin']
    for path in ('/projects/nope/endpoints/' + endpoint,
                 '/projects/%s/endpoints/nope' % project,
                 '/endpoint_groups/nope/projects/' + project,
                 '/endpoints/nope/projects', '/projects/nope/endpoints'):
        method = 'GET' if path.endswith('s') else 'PUT'
        support.assert_error(admin(method, EP + path), 404)
    _user, token = support.member(identity_api)
    response = identity_api.request(
        'GET', '/v3' + EP + '/endpoint_groups', token=token)
    support.assert_error(response, 403)
