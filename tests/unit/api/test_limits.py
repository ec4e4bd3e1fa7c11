"""/v3/registered_limits, /v3/limits, /v3/limits/model (Keystone 30's)."""

import types

import pytest

from keystone_like import conf
from keystone_like import exceptions
from keystone_like.store import limit_models
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def service(admin):
    """A service and a region for limits."""
    found = admin('POST', '/services', {'service': {'type': 'compute'}})
    admin('POST', '/regions', {'region': {'id': 'R1'}})
    return found.json['service']['id']


def register(admin, service_id, name='cores', default=10, region='R1',
             status=201):
    response = admin('POST', '/registered_limits', {'registered_limits': [{
        'service_id': service_id, 'resource_name': name,
        'default_limit': default, 'region_id': region}]})
    assert response.status_int == status, response.text
    return response.json['registered_limits'][0] if status == 201 else (
        support.assert_error(response, status))


def project(admin, name, **fields):
    response = admin('POST', '/projects', {'project': dict(fields,
                                                           name=name)})
    assert response.status_int == 201, response.text
    return response.json['project']['id']


def limit(admin, service_id, owner, value, name='cores', region='R1',
          status=201):
    body = {'service_id': service_id, 'resource_name': name,
            'resource_limit': value, 'region_id': region}
    body.update(owner)
    response = admin('POST', '/limits', {'limits': [body]})
    assert response.status_int == status, response.text
    if status != 201:
        return support.assert_error(response, status)
    return response.json['limits'][0]


def test_registered_limits_crud_in_keystones_shape(admin, service):
    response = admin('POST', '/registered_limits', {'registered_limits': [
        {'service_id': service, 'resource_name': 'cores',
         'default_limit': 10, 'region_id': 'R1'},
        {'service_id': service, 'resource_name': 'ram',
         'default_limit': 100, 'description': 'MB'}]})
    assert response.status_int == 201
    cores, ram = response.json['registered_limits']
    assert set(response.json) == {'registered_limits'}
    assert cores == {'id': cores['id'], 'service_id': service,
                     'region_id': 'R1', 'resource_name': 'cores',
                     'default_limit': 10, 'description': None,
                     'links': {'self': 'http://localhost/v3/'
                               'registered_limits/' + cores['id']}}
    listed = admin('GET', '/registered_limits?resource_name=ram').json
    assert [r['id'] for r in listed['registered_limits']] == [ram['id']]
    changed = admin('PATCH', '/registered_limits/' + ram['id'], {
        'registered_limit': {'default_limit': 0, 'description': None}})
    assert changed.json['registered_limit']['default_limit'] == 0
    assert admin('DELETE', '/registered_limits/' + ram['id']).status_int == 204
    support.assert_error(admin('GET', '/registered_limits/' + ram['id']), 404)


@pytest.mark.parametrize('entry, status', [
    ({'resource_name': 'cores', 'default_limit': 1}, 409),
    ({'resource_name': 'x', 'default_limit': 1, 'region_id': 'nope'}, 400),
    ({'resource_name': 'x', 'default_limit': -2}, 400),
    ({'resource_name': 'x', 'default_limit': 2 ** 31}, 400),
    ({'resource_name': 'x'}, 400),
    ({'resource_name': 'x', 'default_limit': 1, 'other': 1}, 400),
])
def test_bad_registered_limits_are_refused(admin, service, entry, status):
    register(admin, service)
    body = dict({'service_id': service, 'region_id': 'R1'}, **entry)
    response = admin('POST', '/registered_limits',
                     {'registered_limits': [body]})
    support.assert_error(response, status)


def test_unknown_service_and_empty_lists_are_400(admin, service):
    for body in ({'registered_limits': []}, {'registered_limits': [{
            'service_id': 'not-a-uuid', 'resource_name': 'x',
            'default_limit': 1}]}, {'registered_limits': [{
                'service_id': '0' * 32, 'resource_name': 'x',
                'default_limit': 1}]}):
        support.assert_error(admin('POST', '/registered_limits', body), 400)


def test_limits_need_a_registered_limit_and_are_unique(admin, service):
    target = project(admin, 'p')
    assert 'no corresponding registered limit' in limit(
        admin, service, {'project_id': target}, 5, status=403)
    register(admin, service)
    created = limit(admin, service, {'project_id': target}, 5)
    assert created == {
        'id': created['id'], 'project_id': target, 'domain_id': None,
        'resource_limit': 5, 'description': None, 'service_id': service,
        'region_id': 'R1', 'resource_name': 'cores',
        'links': {'self': 'http://localhost/v3/limits/' + created['id']}}
    assert 'Duplicate entry' in limit(admin, service, {'project_id': target},
                                      6, status=409)
    # A "project" that is a domain sets the domain's limit.
    by_project = limit(admin, service, {'project_id': 'default'}, 9)
    assert (by_project['project_id'], by_project['domain_id']) == (
        None, 'default')
    assert 'Expecting to find project_id in limit' in limit(
        admin, service, {'project_id': 'nope'}, 1, status=400)
    support.assert_error(admin('POST', '/limits', {'limits': [{
        'service_id': service, 'resource_name': 'cores',
        'resource_limit': 1, 'project_id': target,
        'domain_id': 'default'}]}), 400)


def test_registered_limit_with_limits_cannot_change(admin, service):
    registered = register(admin, service)
    limit(admin, service, {'project_id': project(admin, 'p')}, 5)
    for method, body in (('PATCH', {'registered_limit': {
            'default_limit': 3}}), ('DELETE', None)):
        message = support.assert_error(admin(
            method, '/registered_limits/' + registered['id'], body), 403)
        assert 'there are project limits associated with it' in message


def test_update_filter_and_delete_limits(admin, service):
    register(admin, service)
    register(admin, service, name='ram', region=None)
    first, second = project(admin, 'a'), project(admin, 'b')
    one = limit(admin, service, {'project_id': first}, 5)
    limit(admin, service, {'project_id': second}, 5, name='ram', region=None)
    changed = admin('PATCH', '/limits/' + one['id'], {'limit': {
        'resource_limit': 0, 'description': 'none left'}}).json['limit']
    assert (changed['resource_limit'], changed['description']) == (
        0, 'none left')
    support.assert_error(admin('PATCH', '/limits/' + one['id'], {
        'limit': {'project_id': second}}), 400)
    for query, expected in (('project_id=' + first, [first]),
                            ('resource_name=ram', [second]),
                            ('region_id=R1', [first]),
                            ('service_id=' + service, [first, second])):
        found = admin('GET', '/limits?' + query).json['limits']
        assert sorted(x['project_id'] for x in found) == sorted(expected)
    assert admin('DELETE', '/limits/' + one['id']).status_int == 204
    support.assert_error(admin('GET', '/limits/' + one['id']), 404)


def test_limits_go_with_their_project(admin, service):
    register(admin, service)
    target = project(admin, 'p')
    created = limit(admin, service, {'project_id': target}, 5)
    assert admin('DELETE', '/projects/' + target).status_int == 204
    support.assert_error(admin('GET', '/limits/' + created['id']), 404)


def test_project_members_read_their_own_limits_only(identity_api, admin,
                                                    service):
    register(admin, service)
    other = project(admin, 'other')
    mine = limit(admin, service, {'project_id':
                                  identity_api.admin_project['id']}, 5)
    theirs = limit(admin, service, {'project_id': other}, 5)
    _user, token = support.member(identity_api)

    def send(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body, token=token)
    assert [x['id'] for x in send('GET', '/limits').json['limits']] == [
        mine['id']]
    assert send('GET', '/limits?project_id=' + other).json['limits'] == []
    assert send('GET', '/limits/' + mine['id']).status_int == 200
    support.assert_error(send('GET', '/limits/' + theirs['id']), 403)
    assert send('GET', '/registered_limits').status_int == 200
    assert send('GET', '/limits/model').json == {'model': {
        'name': 'flat', 'description': 'Limit enforcement and validation '
        'does not take project hierarchy into consideration.'}}
    support.assert_error(send('POST', '/limits', {'limits': [{
        'service_id': service, 'resource_name': 'cores',
        'resource_limit': 1, 'project_id': other}]}), 403)


@pytest.fixture
def strict():
    conf.CONF.set_override('enforcement_model', 'strict_two_level',
                           'unified_limit')
    yield
    conf.CONF.clear_override('enforcement_model', 'unified_limit')


def test_strict_two_level_keeps_limits_under_the_domain(strict, admin,
                                                        service):
    assert admin('GET', '/limits/model').json['model'][
        'name'] == 'strict_two_level'
    register(admin, service, default=10)
    top = project(admin, 'top')
    # Without a domain limit the registered default is the ceiling.
    assert "doesn't satisfy current hierarchy model" in limit(
        admin, service, {'project_id': top}, 11, status=403)
    limit(admin, service, {'project_id': top}, 8)
    assert 'Invalid resource limit' in limit(
        admin, service, {'domain_id': 'default'}, 7, status=403)
    domain_limit = limit(admin, service, {'domain_id': 'default'}, 20)
    support.assert_error(admin('PATCH', '/limits/' + domain_limit['id'], {
        'limit': {'resource_limit': 5}}), 403)
    # A project limit and its domain's in one request are checked together.
    second = project(admin, 'second')
    response = admin('POST', '/limits', {'limits': [
        {'service_id': service, 'resource_name': 'cores',
         'resource_limit': 30, 'region_id': 'R1', 'project_id': second},
        {'service_id': service, 'resource_name': 'cores',
         'resource_limit': 25, 'region_id': 'R1', 'domain_id': 'default'}]})
    support.assert_error(response, 403)


def test_strict_two_level_allows_two_levels_of_projects(strict, admin):
    top = project(admin, 'top')
    child = project(admin, 'child', parent_id=top)
    response = admin('POST', '/projects', {'project': {
        'name': 'grandchild', 'parent_id': child}})
    assert 'Max hierarchy depth' in support.assert_error(response, 403)


def test_strict_two_level_refuses_to_start_over_a_deeper_tree(
        identity_api, admin):
    top = project(admin, 'top')
    child = project(admin, 'child', parent_id=top)
    model = types.SimpleNamespace(unified_limit=types.SimpleNamespace(
        enforcement_model='strict_two_level'))
    limit_models.check_start(identity_api.database, model)
    grandchild = project(admin, 'grandchild', parent_id=child)
    with pytest.raises(exceptions.SetupRequired) as info:
        limit_models.check_start(identity_api.database, model)
    assert grandchild in str(info.value)
    model.unified_limit.enforcement_model = 'flat'
    limit_models.check_start(identity_api.database, model)
