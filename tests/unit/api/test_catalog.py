"""/v3/services and /v3/endpoints: CRUD, filters, errors, the catalog."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def service(admin, service_type, name=None):
    """Create a service; return its id."""
    body = {'type': service_type}
    if name:
        body['name'] = name
    response = admin('POST', '/services', {'service': body})
    assert response.status_int == 201, response.text
    return response.json['service']['id']


def endpoint(admin, service_id, interface='public', **fields):
    """Create an endpoint; return it."""
    response = admin('POST', '/endpoints', {'endpoint': dict(
        fields, service_id=service_id, interface=interface,
        url=fields.get('url', 'http://svc:1234/v1'))})
    assert response.status_int == 201, response.text
    return response.json['endpoint']


def test_service_crud(admin):
    response = admin('POST', '/services', {'service': {
        'type': 'compute', 'name': 'nova', 'description': 'VMs'}})
    assert response.status_int == 201
    created = response.json['service']
    assert created == {
        'id': created['id'], 'type': 'compute', 'name': 'nova',
        'description': 'VMs', 'enabled': True,
        'links': {'self': 'http://localhost/v3/services/' + created['id']}}
    path = '/services/' + created['id']
    assert admin('GET', path).json == {'service': created}
    response = admin('PATCH', path, {'service': {'enabled': False}})
    assert response.json['service']['enabled'] is False
    assert admin('DELETE', path).status_int == 204
    for method, body in (('GET', None), ('DELETE', None),
                         ('PATCH', {'service': {'name': 'x'}})):
        assert support.assert_error(admin(method, path, body), 404) == (
            'Could not find service: %s.' % created['id'])


def test_service_filters_and_errors(admin):
    service(admin, 'compute', 'nova')
    service(admin, 'image', 'glance')

    def by(query):
        return sorted((s['type'], s['name']) for s in admin(
            'GET', '/services' + query).json['services'])
    assert by('') == [('compute', 'nova'), ('image', 'glance')]
    assert by('?type=image') == [('image', 'glance')]
    assert by('?name=nova') == [('compute', 'nova')]
    for body in ({'service': {}}, {'service': {'type': ''}},
                 {'service': {'type': 'x', 'enabled': 'no'}}):
        support.assert_error(admin('POST', '/services', body), 400)


def test_endpoint_crud_and_catalog_shape(admin):
    service_id = service(admin, 'compute', 'nova')
    admin('PUT', '/regions/RegionOne', {'region': {}})
    created = endpoint(admin, service_id, region_id='RegionOne', id='x')
    assert created == {
        'id': created['id'], 'service_id': service_id, 'interface': 'public',
        'url': 'http://svc:1234/v1', 'region_id': 'RegionOne',
        'region': 'RegionOne', 'enabled': True,
        'links': {'self': 'http://localhost/v3/endpoints/' + created['id']}}
    assert created['id'] != 'x'
    path = '/endpoints/' + created['id']
    assert admin('GET', path).json == {'endpoint': created}
    response = admin('PATCH', path, {'endpoint': {'url': 'https://new'}})
    assert response.json['endpoint']['url'] == 'https://new'
    assert admin('DELETE', path).status_int == 204
    support.assert_error(admin('GET', path), 404)


def test_legacy_region_is_created_on_demand(admin):
    service_id = service(admin, 'compute')
    created = endpoint(admin, service_id, region='Legacy')
    assert created['region_id'] == 'Legacy'
    assert admin('GET', '/regions/Legacy').status_int == 200


def test_endpoint_filters(admin):
    compute = service(admin, 'compute')
    image = service(admin, 'image')
    admin('PUT', '/regions/R1', {'region': {}})
    endpoint(admin, compute, 'public', region_id='R1')
    endpoint(admin, compute, 'admin')
    endpoint(admin, image, 'public')

    def found(query):
        response = admin('GET', '/endpoints?' + query)
        assert response.status_int == 200, response.text
        return sorted((e['service_id'] == compute, e['interface'])
                      for e in response.json['endpoints'])
    assert found('service_id=' + compute) == [(True, 'admin'),
                                              (True, 'public')]
    assert found('interface=public') == [(False, 'public'), (True, 'public')]
    assert found('region_id=R1') == [(True, 'public')]
    assert found('interface=internal') == []


@pytest.mark.parametrize('fields, status', [
    ({'interface': 'sideways'}, 400), ({'url': 'no-scheme'}, 400),
    ({'url': 'http://' + 'x' * 230}, 400), ({'service_id': 'missing'}, 400),
    ({'region_id': 'missing'}, 400), ({'enabled': 'yes'}, 400)])
def test_invalid_endpoints(admin, fields, status):
    body = dict({'service_id': service(admin, 'compute'),
                 'interface': 'public', 'url': 'http://ok'}, **fields)
    support.assert_error(admin('POST', '/endpoints', {'endpoint': body}),
                         status)


def test_deleting_a_service_deletes_its_endpoints(admin):
    service_id = service(admin, 'compute')
    created = endpoint(admin, service_id)
    admin('DELETE', '/services/' + service_id)
    support.assert_error(admin('GET', '/endpoints/' + created['id']), 404)
