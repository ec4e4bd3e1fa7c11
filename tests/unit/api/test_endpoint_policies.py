"""/v3/policies and OS-ENDPOINT-POLICY associations."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)
BLOB = '{"default": ""}'


@pytest.fixture
def setup(admin):
    """A policy, a service with endpoints in a region tree; ids by name."""
    ids = {'policy': admin('POST', '/policies', {'policy': {
        'blob': BLOB, 'type': 'application/json'}}).json['policy']['id'],
        'service': admin('POST', '/services', {'service': {
            'type': 'compute'}}).json['service']['id']}
    admin('POST', '/regions', {'region': {'id': 'top'}})
    admin('POST', '/regions', {'region': {'id': 'sub',
                                          'parent_region_id': 'top'}})
    for region in ('top', 'sub', None):
        ids['endpoint-%s' % region] = admin('POST', '/endpoints', {
            'endpoint': {'service_id': ids['service'], 'interface': 'public',
                         'region_id': region, 'url': 'http://x/'}}).json[
            'endpoint']['id']
    return ids


def policy_of(admin, endpoint_id):
    response = admin('GET', '/endpoints/%s/OS-ENDPOINT-POLICY/policy'
                     % endpoint_id)
    if response.status_int == 404:
        return None
    return response.json['policy']['id']


def test_policy_crud_in_keystones_shape(admin):
    response = admin('POST', '/policies', {'policy': {
        'blob': BLOB, 'type': 'application/json', 'name': 'mine',
        'id': 'ignored'}})
    assert response.status_int == 201
    policy = response.json['policy']
    assert policy == {'id': policy['id'], 'blob': BLOB,
                      'type': 'application/json', 'name': 'mine',
                      'links': {'self': 'http://localhost/v3/policies/'
                                + policy['id']}}
    path = '/policies/' + policy['id']
    assert admin('PATCH', path, {'policy': {'type': 'text/yaml'}}).json[
        'policy']['type'] == 'text/yaml'
    support.assert_error(admin('PATCH', path, {'policy': {'id': 'x'}}), 400)
    listed = admin('GET', '/policies?type=text/yaml').json['policies']
    assert [p['id'] for p in listed] == [policy['id']]
    assert admin('GET', '/policies?type=other').json['policies'] == []
    assert admin('DELETE', path).status_int == 204
    support.assert_error(admin('GET', path), 404)


@pytest.mark.parametrize('body', [
    {'policy': {'type': 'x'}}, {'policy': {'blob': {}, 'type': 'x'}},
    {'policy': {'blob': 'b', 'type': 'x' * 256}}, {}])
def test_bad_policies_are_400(admin, body):
    support.assert_error(admin('POST', '/policies', body), 400)


def test_endpoint_policy_falls_back_to_region_then_service(admin, setup):
    policy, service = setup['policy'], setup['service']
    base = '/policies/%s/OS-ENDPOINT-POLICY' % policy
    assert policy_of(admin, setup['endpoint-sub']) is None
    assert admin('PUT', base + '/services/' + service).status_int == 204
    assert policy_of(admin, setup['endpoint-sub']) == policy
    other = admin('POST', '/policies', {'policy': {
        'blob': BLOB, 'type': 't'}}).json['policy']['id']
    region = '/policies/%s/OS-ENDPOINT-POLICY/services/%s/regions/top' % (
        other, service)
    assert admin('PUT', region).status_int == 204
    assert admin('HEAD', region).status_int == 204
    # The parent region's policy reaches the sub-region's endpoint.
    assert policy_of(admin, setup['endpoint-sub']) == other
    assert policy_of(admin, setup['endpoint-None']) == policy
    endpoint = base + '/endpoints/' + setup['endpoint-sub']
    assert admin('PUT', endpoint).status_int == 204
    assert policy_of(admin, setup['endpoint-sub']) == policy
    listed = admin('GET', base + '/endpoints').json['endpoints']
    assert sorted(e['id'] for e in listed) == sorted(
        setup['endpoint-' + r] for r in ('top', 'sub', 'None'))
    assert 'region' not in listed[0]
    assert admin('DELETE', endpoint).status_int == 204
    support.assert_error(admin('GET', endpoint), 404)
    # Deleting a policy takes its associations.
    admin('DELETE', '/policies/' + other)
    assert policy_of(admin, setup['endpoint-sub']) == policy


def test_association_targets_must_exist(admin, setup):
    base = '/policies/%s/OS-ENDPOINT-POLICY' % setup['policy']
    for path in ('/endpoints/nope', '/services/nope',
                 '/services/%s/regions/nope' % setup['service']):
        support.assert_error(admin('PUT', base + path), 404)
    support.assert_error(admin(
        'PUT', '/policies/nope/OS-ENDPOINT-POLICY/services/'
        + setup['service']), 404)
    message = support.assert_error(admin(
        'GET', '/endpoints/%s/OS-ENDPOINT-POLICY/policy'
        % setup['endpoint-top']), 404)
    assert message == ('No policy is associated with endpoint %s.'
                       % setup['endpoint-top'])


def test_members_may_not_read_policies(identity_api, admin, setup):
    _user, token = support.member(identity_api)
    for path in ('/policies', '/policies/' + setup['policy']):
        support.assert_error(identity_api.request('GET', '/v3' + path,
                                                  token=token), 403)
