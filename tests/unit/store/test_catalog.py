"""Regions, services, endpoints and the token catalog in the store."""

import pytest

from keystone_like import exceptions
from keystone_like.store import catalog
from keystone_like.store import endpoints
from keystone_like.store import regions
from keystone_like.store import services

pytestmark = pytest.mark.timeout(30)


def test_region_crud(db_session):
    one = regions.create_region(db_session, {'id': 'RegionOne'})
    assert one == {'id': 'RegionOne', 'description': '',
                   'parent_region_id': None}
    child = regions.create_region(db_session, {
        'description': 'child', 'parent_region_id': 'RegionOne'})
    assert len(child['id']) == 32
    assert regions.get_region(db_session, child['id']) == child
    assert regions.list_regions(db_session, parent_region_id='RegionOne') == [
        child]
    assert len(regions.list_regions(db_session)) == 2
    updated = regions.update_region(db_session, child['id'], {
        'description': None, 'parent_region_id': None})
    assert updated == dict(child, description='', parent_region_id=None)


def test_region_errors(db_session):
    regions.create_region(db_session, {'id': 'a'})
    regions.create_region(db_session, {'id': 'b', 'parent_region_id': 'a'})
    with pytest.raises(exceptions.Conflict) as info:
        regions.create_region(db_session, {'id': 'a'})
    assert str(info.value) == ('Conflict occurred attempting to store region '
                               '- Duplicate ID, a.')
    with pytest.raises(exceptions.NotFound,
                       match='^Could not find region: nope.$'):
        regions.create_region(db_session, {'parent_region_id': 'nope'})
    with pytest.raises(exceptions.ValidationError, match='circular'):
        regions.update_region(db_session, 'a', {'parent_region_id': 'b'})
    with pytest.raises(exceptions.ValidationError, match='circular'):
        regions.update_region(db_session, 'a', {'parent_region_id': 'a'})
    with pytest.raises(exceptions.ValidationError):
        regions.update_region(db_session, 'a', {'id': 'c'})
    for call, args in ((regions.get_region, ()),
                       (regions.update_region, ({},)),
                       (regions.delete_region, ())):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find region: nope.$'):
            call(db_session, 'nope', *args)


def test_region_delete_takes_sub_regions_unless_endpoints_use_them(
        db_session):
    for region_id, parent in (('a', None), ('b', 'a'), ('c', 'b'),
                              ('z', None)):
        regions.create_region(db_session, {'id': region_id,
                                           'parent_region_id': parent})
    service = services.create_service(db_session, {'type': 'compute'})
    endpoint = endpoints.create_endpoint(db_session, {
        'service_id': service['id'], 'interface': 'public',
        'url': 'http://c', 'region_id': 'c'})
    with pytest.raises(exceptions.Conflict, match=endpoint['id']):
        regions.delete_region(db_session, 'a')
    endpoints.delete_endpoint(db_session, endpoint['id'])
    regions.delete_region(db_session, 'a')
    assert [r['id'] for r in regions.list_regions(db_session)] == ['z']


def test_service_crud_and_filters(db_session):
    service = services.create_service(db_session, {
        'type': 'identity', 'name': 'keystone', 'description': 'Identity'})
    assert service == {'id': service['id'], 'type': 'identity',
                       'name': 'keystone', 'description': 'Identity',
                       'enabled': True}
    bare = services.create_service(db_session, {'type': 'compute'})
    assert bare['name'] == '' and 'description' not in bare
    explicit = services.create_service(db_session, {'type': 'x',
                                                    'description': None})
    assert explicit['description'] is None
    services.update_service(db_session, explicit['id'], {'description': 'd'})
    assert services.get_service(db_session, explicit['id'])[
        'description'] == 'd'
    services.delete_service(db_session, explicit['id'])
    assert services.get_service(db_session, service['id']) == service
    assert services.list_services(db_session, type='compute') == [bare]
    assert services.list_services(db_session, name='keystone') == [service]
    updated = services.update_service(db_session, bare['id'], {
        'name': 'nova', 'enabled': False})
    assert services.list_services(db_session, enabled=False) == [updated]
    with pytest.raises(exceptions.ValidationError):
        services.create_service(db_session, {'name': 'no type'})
    with pytest.raises(exceptions.ValidationError):
        services.update_service(db_session, bare['id'], {'type': None})
    for call, args in ((services.get_service, ()),
                       (services.update_service, ({},)),
                       (services.delete_service, ())):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find service: nope.$'):
            call(db_session, 'nope', *args)


def test_service_delete_takes_its_endpoints(db_session):
    doomed = services.create_service(db_session, {'type': 'compute'})
    kept = services.create_service(db_session, {'type': 'image'})
    for service in (doomed, kept):
        endpoints.create_endpoint(db_session, {
            'service_id': service['id'], 'interface': 'public',
            'url': 'http://x'})
    services.delete_service(db_session, doomed['id'])
    assert [e['service_id'] for e in endpoints.list_endpoints(db_session)] == [
        kept['id']]


def test_endpoint_crud_shape_and_filters(db_session):
    regions.create_region(db_session, {'id': 'RegionOne'})
    service = services.create_service(db_session, {'type': 'identity'})
    public = endpoints.create_endpoint(db_session, {
        'service_id': service['id'], 'interface': 'public',
        'url': 'http://pub/v3', 'region': 'RegionOne'})
    assert public == {'id': public['id'], 'service_id': service['id'],
                      'region_id': 'RegionOne', 'region': 'RegionOne',
                      'interface': 'public', 'url': 'http://pub/v3',
                      'enabled': True}
    admin = endpoints.create_endpoint(db_session, {
        'service_id': service['id'], 'interface': 'admin',
        'url': 'http://adm/v3'})
    assert admin['region_id'] is None and admin['region'] is None
    assert endpoints.get_endpoint(db_session, admin['id']) == admin
    assert endpoints.list_endpoints(db_session, interface='admin') == [admin]
    assert endpoints.list_endpoints(db_session,
                                    region_id='RegionOne') == [public]
    assert len(endpoints.list_endpoints(db_session,
                                        service_id=service['id'])) == 2
    updated = endpoints.update_endpoint(db_session, admin['id'], {
        'url': 'http://new/v3', 'enabled': False, 'region_id': 'RegionOne'})
    assert updated == dict(admin, url='http://new/v3', enabled=False,
                           region_id='RegionOne', region='RegionOne')
    assert endpoints.list_endpoints(db_session, enabled=False) == [updated]
    endpoints.delete_endpoint(db_session, admin['id'])
    assert endpoints.list_endpoints(db_session) == [public]


def test_endpoint_errors(db_session):
    service = services.create_service(db_session, {'type': 'identity'})
    good = {'service_id': service['id'], 'interface': 'public',
            'url': 'http://x'}
    for change, match in (({'interface': 'private'}, 'interface'),
                          ({'service_id': 'nope'}, 'service table'),
                          ({'region_id': 'nope'}, 'region table'),
                          ({'url': None}, "'url'")):
        with pytest.raises(exceptions.ValidationError, match=match):
            endpoints.create_endpoint(db_session, dict(good, **change))
    endpoint = endpoints.create_endpoint(db_session, good)
    for change in ({'interface': 'private'}, {'service_id': 'nope'},
                   {'url': None}, {'id': 'other'}):
        with pytest.raises(exceptions.ValidationError):
            endpoints.update_endpoint(db_session, endpoint['id'], change)
    for call, args in ((endpoints.get_endpoint, ()),
                       (endpoints.update_endpoint, ({},)),
                       (endpoints.delete_endpoint, ())):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find endpoint: nope.$'):
            call(db_session, 'nope', *args)


def test_catalog_shape_skips_disabled_things(db_session):
    regions.create_region(db_session, {'id': 'RegionOne'})
    identity = services.create_service(db_session, {
        'type': 'identity', 'name': 'keystone'})
    off = services.create_service(db_session, {
        'type': 'compute', 'name': 'nova', 'enabled': False})
    services.create_service(db_session, {'type': 'image', 'name': 'empty'})
    created = {}
    for interface in ('public', 'admin', 'internal'):
        created[interface] = endpoints.create_endpoint(db_session, {
            'service_id': identity['id'], 'interface': interface,
            'url': 'http://%s/v3' % interface, 'region_id': 'RegionOne',
            'enabled': interface != 'internal'})
    endpoints.create_endpoint(db_session, {
        'service_id': off['id'], 'interface': 'public', 'url': 'http://n'})

    result = catalog.catalog(db_session)

    assert result == [{
        'id': identity['id'], 'type': 'identity', 'name': 'keystone',
        'endpoints': [
            {'id': created[i]['id'], 'interface': i, 'region': 'RegionOne',
             'region_id': 'RegionOne', 'url': 'http://%s/v3' % i}
            for i in ('admin', 'public')]}]


def test_catalog_fills_url_substitutions(db_session):
    service = services.create_service(db_session, {'type': 'compute',
                                                   'name': 'nova'})
    for interface, url in (('public', 'http://n/v2.1/$(project_id)s'),
                           ('internal', 'http://n/v2.1/%(tenant_id)s'),
                           ('admin', 'http://n/v2.1')):
        endpoints.create_endpoint(db_session, {
            'service_id': service['id'], 'interface': interface, 'url': url})
    scoped = catalog.catalog(db_session, user_id='u', project_id='p1')
    assert sorted(e['url'] for e in scoped[0]['endpoints']) == [
        'http://n/v2.1', 'http://n/v2.1/p1', 'http://n/v2.1/p1']
    unscoped = catalog.catalog(db_session)
    assert [e['url'] for e in unscoped[0]['endpoints']] == ['http://n/v2.1']
    assert catalog.format_url('http://x/$(unknown)s', {'a': 'b'}) is None
