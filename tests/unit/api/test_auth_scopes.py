"""GET /v3/auth/catalog, /auth/projects, /auth/domains; identity headers
sent by clients never change who the caller is."""

import pytest

from keystone_like.store import bootstrap
from keystone_like.store import domains
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)

FORGED_HEADERS = ('X-User-Id', 'X-User-Name', 'X-User-Domain-Id',
                  'X-Roles', 'X-Project-Id', 'X-Project-Name',
                  'X-Domain-Id', 'X-Domain-Name', 'X-Identity-Status',
                  'X-Service-Roles', 'X-Is-Admin-Project', 'X-Tenant-Id')


@pytest.fixture
def bob(identity_api):
    """A member of ``p1`` only (and of the disabled ``off``)."""
    api = identity_api
    project = support.make_project(api, 'p1')
    off = support.make_project(api, 'off', enabled=False)
    user = support.make_user(api, 'bob', 'bob-secret')
    for target in (project, off):
        support.grant(api, user['id'], 'member', project_id=target['id'])
    return dict(user, project=project)


def _forged(api):
    """Headers claiming to be the admin on the admin project."""
    values = {'X-User-Id': api.admin_user['id'], 'X-User-Name': 'admin',
              'X-Roles': 'admin,member,reader',
              'X-Project-Id': api.admin_project['id'],
              'X-Project-Name': 'admin', 'X-Identity-Status': 'Confirmed',
              'X-Is-Admin-Project': 'True', 'X-Service-Roles': 'service'}
    return {name: values.get(name, 'default') for name in FORGED_HEADERS}


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_catalog_of_a_project_scoped_token(identity_api, listener):
    api = identity_api
    with api.database.session() as session:
        service = bootstrap.ensure_service(session, 'compute', 'nova')
        bootstrap.ensure_endpoint(session, service['id'], 'public',
                                  'http://nova.example/v2.1/$(project_id)s')
    response = api.request('GET', '/v3/auth/catalog', token=api.token(),
                           listener=listener)
    assert response.status_int == 200
    assert response.json['links'] == {
        'self': 'http://localhost/v3/auth/catalog'}
    [entry] = response.json['catalog']
    assert entry['type'] == 'compute' and entry['name'] == 'nova'
    assert entry['endpoints'][0]['url'] == (
        'http://nova.example/v2.1/%s' % api.admin_project['id'])


@pytest.mark.parametrize('scope', [None, {'domain': {'id': 'default'}}])
def test_catalog_needs_a_project_scoped_token(identity_api, scope):
    api = identity_api
    token, _ = support.issued(api, api.password_auth(scope=scope))
    response = api.request('GET', '/v3/auth/catalog', token=token)
    assert response.status_int == 403
    assert 'project-scoped' in response.json['error']['message']


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_projects_the_caller_has_roles_on(identity_api, bob, listener):
    api = identity_api
    token = api.token('bob', 'bob-secret', project=None)
    response = api.request('GET', '/v3/auth/projects', token=token,
                           listener=listener)
    assert response.status_int == 200
    body = response.json
    assert body['links'] == {'self': 'http://localhost/v3/auth/projects',
                             'previous': None, 'next': None}
    # As in Keystone, the disabled project is listed too.
    off, project = sorted(body['projects'], key=lambda p: p['name'])
    assert (off['name'], off['enabled']) == ('off', False)
    assert project['id'] == bob['project']['id']
    assert project['name'] == 'p1' and project['domain_id'] == 'default'
    assert project['enabled'] is True
    assert project['links'] == {
        'self': 'http://localhost/v3/projects/%s' % project['id']}


def test_disabled_domains_and_their_projects_are_listed(identity_api, bob):
    api = identity_api
    other = support.make_domain(api, 'other')
    inside = support.make_project(api, 'inside', domain_id=other['id'])
    support.grant(api, bob['id'], 'member', project_id=inside['id'])
    support.grant(api, bob['id'], 'member', domain_id=other['id'])
    token = api.token('bob', 'bob-secret', project=None)
    with api.database.session() as session:
        domains.update_domain(session, other['id'], {'enabled': False})
    listed = api.request('GET', '/v3/auth/projects', token=token).json
    by_name = {p['name']: p for p in listed['projects']}
    assert sorted(by_name) == ['inside', 'off', 'p1']
    assert by_name['inside']['enabled'] is True
    listed = api.request('GET', '/v3/auth/domains', token=token).json
    assert [(d['id'], d['enabled']) for d in listed['domains']] == [
        (other['id'], False)]


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_domains_the_caller_has_roles_on(identity_api, bob, listener):
    api = identity_api
    response = api.request('GET', '/v3/auth/domains', token=api.token(),
                           listener=listener)
    assert response.status_int == 200
    [domain] = response.json['domains']
    assert domain['id'] == 'default' and domain['name'] == 'Default'
    assert domain['links'] == {'self': 'http://localhost/v3/domains/default'}
    assert response.json['links']['self'] == (
        'http://localhost/v3/auth/domains')
    bobs = api.request('GET', '/v3/auth/domains',
                       token=api.token('bob', 'bob-secret', project=None))
    assert bobs.json['domains'] == []


@pytest.mark.parametrize('path', ['/v3/auth/catalog', '/v3/auth/projects',
                                  '/v3/auth/domains'])
def test_scope_listings_need_a_token(identity_api, path):
    response = identity_api.request('GET', path,
                                    headers=_forged(identity_api))
    assert response.status_int == 401
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')
    head = identity_api.request('HEAD', path, token=identity_api.token())
    assert head.status_int == 200 and head.body == b''


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_identity_headers_never_change_the_caller(identity_api, bob,
                                                  listener):
    api = identity_api
    forged = _forged(api)
    bobs = api.token('bob', 'bob-secret', project='p1')
    admin_token = api.token()
    for method in ('GET', 'HEAD', 'DELETE'):
        response = api.request(method, support.TOKENS, token=bobs,
                               listener=listener,
                               headers=dict(forged, **{
                                   'X-Subject-Token': admin_token}))
        assert response.status_int == 403, method
    projects = api.request('GET', '/v3/auth/projects', token=bobs,
                           listener=listener, headers=forged)
    assert sorted(p['name'] for p in projects.json['projects']) == [
        'off', 'p1']
    catalog = api.request('GET', '/v3/auth/catalog', listener=listener,
                          token=api.token('bob', 'bob-secret', project=None),
                          headers=forged)
    assert catalog.status_int == 403
    own = api.request('GET', support.TOKENS, token=bobs, listener=listener,
                      headers=dict(forged, **{'X-Subject-Token': bobs}))
    assert own.json['token']['user']['name'] == 'bob'
    # member implies reader.
    assert [r['name'] for r in own.json['token']['roles']] == [
        'member', 'reader']


def test_identity_headers_do_not_log_anyone_in(identity_api):
    api = identity_api
    body = {'auth': {'identity': {'methods': []}}}
    response = api.request('POST', support.TOKENS, body,
                           headers=_forged(api))
    assert response.status_int == 401
    body = api.password_auth(password='wrong')
    response = api.request('POST', support.TOKENS, body,
                           headers=_forged(api))
    assert response.status_int == 401
