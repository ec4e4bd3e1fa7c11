"""POST /v3/auth/tokens: password and token methods, scopes, JSON shapes."""

import datetime
import re

import pytest

from keystone_like import conf
from keystone_like.store import bootstrap
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)

EXPIRY = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z')
# The issue time keeps its microseconds (revocation compares exactly).
TIME = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z')
AUDIT_ID = re.compile(r'[A-Za-z0-9_-]{22}')
ADMIN_PROJECT = {'name': 'admin', 'domain': {'id': 'default'}}
# The admin role and what it implies, by name.
IMPLIED_BY_ADMIN = ('admin', 'manager', 'member', 'reader')


def _time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ')


@pytest.fixture
def catalog_service(identity_api):
    """An identity service with a public endpoint in RegionOne."""
    with identity_api.database.session() as session:
        bootstrap.ensure_region(session, 'RegionOne')
        service = bootstrap.ensure_service(session, 'identity', 'keystone')
        endpoint = bootstrap.ensure_endpoint(
            session, service['id'], 'public', 'http://id.example/v3',
            region_id='RegionOne')
    return service, endpoint


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_unscoped_password_token_has_keystone_shape(identity_api, listener):
    api = identity_api
    response = support.issue(api, api.password_auth(), listener)
    assert response.status_int == 201
    assert response.content_type == 'application/json'
    assert response.headers['X-Subject-Token']
    token = response.json['token']
    assert set(token) == {'methods', 'user', 'audit_ids', 'expires_at',
                          'issued_at'}
    assert token['methods'] == ['password']
    assert token['user'] == {
        'id': api.admin_user['id'], 'name': 'admin',
        'domain': {'id': 'default', 'name': 'Default'},
        'password_expires_at': None}
    assert len(token['audit_ids']) == 1
    assert AUDIT_ID.fullmatch(token['audit_ids'][0])
    assert EXPIRY.fullmatch(token['expires_at'])
    assert TIME.fullmatch(token['issued_at'])
    lifetime = _time(token['expires_at']) - _time(token['issued_at'])
    # Expiry is whole seconds, the issue time is not: up to 1 s shorter.
    configured = datetime.timedelta(seconds=conf.CONF.token.expiration)
    assert configured - datetime.timedelta(seconds=1) < lifetime <= configured


@pytest.mark.parametrize('user_ref', [
    'by_id', {'name': 'admin', 'domain': {'id': 'default'}},
    {'name': 'admin', 'domain': {'name': 'Default'}}])
def test_password_user_by_id_or_by_name_and_domain(identity_api, user_ref):
    api = identity_api
    if user_ref == 'by_id':
        user_ref = {'id': api.admin_user['id']}
    _, token = support.issued(
        api, support.password_body(api.admin_password, user_ref))
    assert token['user']['id'] == api.admin_user['id']


@pytest.mark.parametrize('listener', support.LISTENERS)
@pytest.mark.parametrize('project_ref', [
    'by_id', ADMIN_PROJECT, {'name': 'admin', 'domain': {'name': 'Default'}}])
def test_project_scoped_token(identity_api, catalog_service, listener,
                              project_ref):
    api = identity_api
    if project_ref == 'by_id':
        project_ref = {'id': api.admin_project['id']}
    _, token = support.issued(
        api, api.password_auth(scope={'project': project_ref}), listener)
    assert token['project'] == {
        'id': api.admin_project['id'], 'name': 'admin',
        'domain': {'id': 'default', 'name': 'Default'}}
    assert token['is_domain'] is False
    assert 'domain' not in token
    assert token['roles'] == [{'id': api.roles[name]['id'], 'name': name}
                              for name in IMPLIED_BY_ADMIN]
    service, endpoint = catalog_service
    assert token['catalog'] == [{
        'id': service['id'], 'type': 'identity', 'name': 'keystone',
        'endpoints': [{'id': endpoint['id'], 'interface': 'public',
                       'region': 'RegionOne', 'region_id': 'RegionOne',
                       'url': 'http://id.example/v3'}]}]


@pytest.mark.parametrize('domain_ref', [{'id': 'default'},
                                        {'name': 'Default'}])
def test_domain_scoped_token(identity_api, catalog_service, domain_ref):
    api = identity_api
    _, token = support.issued(
        api, api.password_auth(scope={'domain': domain_ref}))
    assert token['domain'] == {'id': 'default', 'name': 'Default'}
    assert 'project' not in token and 'is_domain' not in token
    assert token['roles'] == [{'id': api.roles[name]['id'], 'name': name}
                              for name in IMPLIED_BY_ADMIN]
    assert [entry['type'] for entry in token['catalog']] == ['identity']


@pytest.mark.parametrize('scope', [{'project': ADMIN_PROJECT},
                                   {'domain': {'id': 'default'}}])
def test_nocatalog_leaves_the_catalog_out(identity_api, catalog_service,
                                          scope):
    api = identity_api
    _, token = support.issued(api, api.password_auth(scope=scope),
                              query='?nocatalog')
    assert 'catalog' not in token
    assert token['roles']


@pytest.fixture
def bob(identity_api):
    """A member of project ``p1`` whose default project it is."""
    project = support.make_project(identity_api, 'p1')
    user = support.make_user(identity_api, 'bob', 'bob-secret',
                             default_project_id=project['id'])
    support.grant(identity_api, user['id'], 'member', project_id=project['id'])
    return user


def _bob_login(api, scope=None):
    return support.password_body(
        'bob-secret', {'name': 'bob', 'domain': {'id': 'default'}}, scope)


def test_no_scope_means_the_default_project(identity_api, bob):
    _, token = support.issued(identity_api, _bob_login(identity_api))
    assert token['project']['id'] == bob['default_project_id']
    assert [r['name'] for r in token['roles']] == ['member', 'reader']


@pytest.mark.parametrize('scope', ['unscoped', {'unscoped': {}}])
def test_explicit_unscoped_ignores_the_default_project(identity_api, bob,
                                                       scope):
    _, token = support.issued(identity_api, _bob_login(identity_api, scope))
    assert 'project' not in token and 'roles' not in token


def test_default_project_without_a_role_gives_an_unscoped_token(
        identity_api):
    project = support.make_project(identity_api, 'p2')
    support.make_user(identity_api, 'bob', 'bob-secret',
                      default_project_id=project['id'])
    _, token = support.issued(identity_api, _bob_login(identity_api))
    assert 'project' not in token


@pytest.mark.parametrize('scope', [
    {'project': {'id': 'no-such-project'}},
    {'project': {'name': 'nope', 'domain': {'id': 'default'}}},
    {'project': {'name': 'admin', 'domain': {'name': 'no-such-domain'}}},
    {'domain': {'id': 'no-such-domain'}},
    {'domain': {'name': 'no-such-domain'}},
    {'project': {'name': 'no-role'}},   # exists, bob has no role on it
    {'domain': {'id': 'default'}},      # exists, bob has no role on it
    {'system': {'all': True}},
    {'OS-TRUST:trust': {'id': 'no-such-trust'}},
])
def test_scope_not_granted_is_401_like_a_bad_password(identity_api, bob,
                                                      scope):
    api = identity_api
    support.make_project(api, 'no-role')
    if scope.get('project', {}).get('name') == 'no-role':
        scope['project']['domain'] = {'id': 'default'}
    denied = support.issue(api, _bob_login(api, scope))
    bad_password = support.issue(api, support.password_body(
        'wrong', {'name': 'bob', 'domain': {'id': 'default'}}))
    assert denied.status_int == 401
    assert denied.json == bad_password.json
    assert denied.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_disabled_project_cannot_be_scoped(identity_api):
    api = identity_api
    project = support.make_project(api, 'off', enabled=False)
    support.grant(api, api.admin_user['id'], 'admin', project_id=project['id'])
    response = support.issue(api, api.password_auth(
        scope={'project': {'id': project['id']}}))
    assert response.status_int == 401
