"""/v3/regions: POST and PUT creation, hierarchy, filters and errors."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def test_post_with_or_without_an_id(admin):
    response = admin('POST', '/regions', {'region': {
        'id': 'RegionOne', 'description': 'first'}})
    assert response.status_int == 201
    assert response.json == {'region': {
        'id': 'RegionOne', 'description': 'first', 'parent_region_id': None,
        'links': {'self': 'http://localhost/v3/regions/RegionOne'}}}
    response = admin('POST', '/regions', {'region': {}})
    assert response.status_int == 201
    assert len(response.json['region']['id']) == 32
    response = admin('POST', '/regions', {'region': {'id': 'RegionOne'}})
    assert 'Duplicate ID' in support.assert_error(response, 409)


def test_put_creates_the_named_region(admin):
    response = admin('PUT', '/regions/RegionTwo', {'region': {
        'description': 'second'}})
    assert response.status_int == 201
    assert response.json['region']['id'] == 'RegionTwo'
    response = admin('PUT', '/regions/RegionThree', {'region': {
        'id': 'Other'}})
    assert support.assert_error(response, 400) == (
        'Conflicting region IDs specified: "RegionThree" != "Other"')
    support.assert_error(admin('PUT', '/regions/RegionTwo', {'region': {}}),
                         409)


def test_hierarchy_filter_update_and_delete(admin):
    admin('PUT', '/regions/top', {'region': {}})
    admin('PUT', '/regions/sub', {'region': {'parent_region_id': 'top'}})
    response = admin('PUT', '/regions/orphan', {'region': {
        'parent_region_id': 'missing'}})
    assert support.assert_error(response, 404) == (
        'Could not find region: missing.')
    listed = admin('GET', '/regions?parent_region_id=top').json
    assert [r['id'] for r in listed['regions']] == ['sub']
    assert [r['id'] for r in admin('GET', '/regions').json['regions']] == [
        'sub', 'top']
    response = admin('PATCH', '/regions/sub', {'region': {
        'description': 'changed'}})
    assert response.json['region']['description'] == 'changed'
    response = admin('PATCH', '/regions/top', {'region': {
        'parent_region_id': 'sub'}})
    assert 'circular' in support.assert_error(response, 400)
    assert admin('DELETE', '/regions/top').status_int == 204
    support.assert_error(admin('GET', '/regions/sub'), 404)


def test_region_in_use_is_409_and_unknown_is_404(admin):
    admin('PUT', '/regions/used', {'region': {}})
    service = admin('POST', '/services', {'service': {'type': 'compute'}})
    admin('POST', '/endpoints', {'endpoint': {
        'service_id': service.json['service']['id'], 'interface': 'public',
        'url': 'http://compute', 'region_id': 'used'}})
    support.assert_error(admin('DELETE', '/regions/used'), 409)
    for method, body in (('GET', None), ('DELETE', None),
                         ('PATCH', {'region': {'description': 'x'}})):
        support.assert_error(admin(method, '/regions/nope', body), 404)


@pytest.mark.parametrize('body', [
    None, {}, {'region': {'id': 5}}, {'region': {'description': 1}},
    {'region': {}, 'other': 1}])
def test_invalid_bodies_are_400(admin, body):
    support.assert_error(admin('POST', '/regions', body), 400)
