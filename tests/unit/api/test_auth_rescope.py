"""The token method: rescoping, expiry, audit chains, methods, 403/404."""

import pytest

from keystone_like import conf
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)

ADMIN_PROJECT = {'project': {'name': 'admin', 'domain': {'id': 'default'}}}


@pytest.fixture
def rescope_override():
    """Set ``[token] allow_rescope_scoped_token`` for one test."""
    def override(value):
        conf.CONF.set_override('allow_rescope_scoped_token', value, 'token')
    yield override
    conf.CONF.clear_override('allow_rescope_scoped_token', 'token')


@pytest.fixture
def expiration_override():
    """Set ``[token] expiration`` for one test."""
    def override(value):
        conf.CONF.set_override('expiration', value, 'token')
    yield override
    conf.CONF.clear_override('expiration', 'token')


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_unscoped_token_rescoped_to_a_project(identity_api, listener):
    api = identity_api
    parent_id, parent = support.issued(api, api.password_auth(), listener)
    child_id, child = support.issued(
        api, support.token_body(parent_id, ADMIN_PROJECT), listener)
    assert child_id != parent_id
    assert child['methods'] == ['password', 'token']
    assert child['project']['id'] == api.admin_project['id']
    assert child['user'] == parent['user']
    assert child['audit_ids'][1] == parent['audit_ids'][0]
    assert child['audit_ids'][0] != parent['audit_ids'][0]


def test_rescoping_never_extends_expiry(identity_api, expiration_override):
    api = identity_api
    expiration_override(60)
    parent_id, parent = support.issued(api, api.password_auth())
    expiration_override(7200)
    child_id, child = support.issued(api, support.token_body(
        parent_id, ADMIN_PROJECT))
    _, grandchild = support.issued(api, support.token_body(
        child_id, {'domain': {'id': 'default'}}))
    _, fresh = support.issued(api, api.password_auth())
    assert child['expires_at'] == parent['expires_at']
    assert grandchild['expires_at'] == parent['expires_at']
    assert fresh['expires_at'] > parent['expires_at']


def test_chain_keeps_the_first_audit_id(identity_api):
    api = identity_api
    first_id, first = support.issued(api, api.password_auth())
    second_id, second = support.issued(api, support.token_body(
        first_id, ADMIN_PROJECT))
    _, third = support.issued(api, support.token_body(
        second_id, {'domain': {'id': 'default'}}))
    assert third['audit_ids'][1] == first['audit_ids'][0]
    assert len({first['audit_ids'][0], second['audit_ids'][0],
                third['audit_ids'][0]}) == 3


def test_scoped_token_rescoped_when_allowed(identity_api):
    api = identity_api
    scoped = api.token(project='admin')
    _, token = support.issued(api, support.token_body(
        scoped, {'domain': {'id': 'default'}}))
    assert token['domain']['id'] == 'default'


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_scoped_token_cannot_be_rescoped_when_forbidden(
        identity_api, rescope_override, listener):
    api = identity_api
    rescope_override(False)
    scoped = api.token(project='admin')
    for scope in ({'domain': {'id': 'default'}}, ADMIN_PROJECT, None):
        response = support.issue(api, support.token_body(scoped, scope),
                                 listener)
        assert response.status_int == 403, response.text
        assert response.json['error']['code'] == 403
    unscoped = api.token(project=None)
    support.issued(api, support.token_body(unscoped, ADMIN_PROJECT),
                   listener)


def test_token_method_with_a_bad_token_is_404_as_in_keystone(identity_api):
    api = identity_api
    token = api.token()
    swapped = 'B' if token[20] == 'A' else 'A'   # really another token
    for bad in ('garbage', token[:-4], token[:20] + swapped + token[21:],
                ''):
        response = support.issue(api, support.token_body(bad))
        assert response.status_int == 404, (bad, response.text)
        assert response.json['error']['message'] == 'Could not find token.'


def test_password_and_token_methods_together(identity_api):
    api = identity_api
    token_id, parent = support.issued(api, api.password_auth())
    body = support.password_body(api.admin_password, scope=ADMIN_PROJECT)
    body['auth']['identity']['methods'] = ['token', 'password']
    body['auth']['identity']['token'] = {'id': token_id}
    _, token = support.issued(api, body)
    assert token['methods'] == ['password', 'token']
    assert token['expires_at'] == parent['expires_at']
    assert token['audit_ids'][1] == parent['audit_ids'][0]


def test_password_and_token_of_different_users_is_401(identity_api):
    api = identity_api
    support.make_user(api, 'carol', 'carol-secret')
    body = support.password_body(
        'carol-secret', {'name': 'carol', 'domain': {'id': 'default'}})
    body['auth']['identity']['methods'] = ['password', 'token']
    body['auth']['identity']['token'] = {'id': api.token()}
    response = support.issue(api, body)
    assert response.status_int == 401
    assert 'WWW-Authenticate' in response.headers


def test_rescoped_token_validates_with_both_methods(identity_api):
    api = identity_api
    child_id, _ = support.issued(api, support.token_body(
        api.token(project=None), ADMIN_PROJECT))
    response = support.on_subject(api, child_id, child_id)
    assert response.status_int == 200
    assert response.json['token']['methods'] == ['password', 'token']
