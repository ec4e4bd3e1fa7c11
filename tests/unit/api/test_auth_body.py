"""POST /v3/auth/tokens bodies: 400 with a message, never the password."""

import json

import webob

import pytest

from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)

SECRET = 'sup3r-secret-Pa55'


def _with(body, path, value):
    """Return a copy of ``body`` with ``value`` at ``path`` (None: drop)."""
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


BASE = support.password_body(SECRET)
IDENTITY = ('auth', 'identity')
USER = IDENTITY + ('password', 'user')

BAD_BODIES = {
    'no auth': {'nothing': {}},
    'auth not an object': {'auth': 'x'},
    'no identity': _with(BASE, IDENTITY, None),
    'no methods': _with(BASE, IDENTITY + ('methods',), None),
    'methods not a list': _with(BASE, IDENTITY + ('methods',), 'password'),
    'method without payload': _with(BASE, IDENTITY + ('methods',),
                                    ['password', 'token']),
    'password without user': _with(BASE, IDENTITY + ('password',), {}),
    'password not a string': _with(BASE, USER + ('password',), 12345678),
    'user without id or name': _with(BASE, USER, {'password': SECRET}),
    'name without domain': _with(BASE, USER, {'name': 'admin',
                                              'password': SECRET}),
    'domain without id or name': _with(BASE, USER + ('domain',), {}),
    'user name not a string': _with(BASE, USER + ('name',), ['admin']),
    'NUL in user name': _with(BASE, USER + ('name',), 'ad\x00min'),
    'lone surrogate in name': _with(BASE, USER + ('name',), 'ad\ud800'),
    'token without id': support.token_body(None),
    'token id not a string': support.token_body(42),
    'two scopes': _with(BASE, ('auth', 'scope'), {
        'project': {'id': 'x'}, 'domain': {'id': 'default'}}),
    'empty scope': _with(BASE, ('auth', 'scope'), {}),
    'unknown scope string': _with(BASE, ('auth', 'scope'), 'project'),
    'scope not object or string': _with(BASE, ('auth', 'scope'), 7),
    'project without id or name': _with(BASE, ('auth', 'scope'), {
        'project': {}}),
    'project name without domain': _with(BASE, ('auth', 'scope'), {
        'project': {'name': 'admin'}}),
    'domain scope without id or name': _with(BASE, ('auth', 'scope'), {
        'domain': {'enabled': True}}),
}
BAD_BODIES['token without id']['auth']['identity']['token'] = {}


@pytest.mark.parametrize('listener', support.LISTENERS)
@pytest.mark.parametrize('case', sorted(BAD_BODIES))
def test_malformed_body_is_400_without_echoing_the_password(
        identity_api, listener, case):
    response = support.issue(identity_api, BAD_BODIES[case], listener)
    assert response.status_int == 400, response.text
    error = response.json['error']
    assert error['code'] == 400 and error['message']
    assert SECRET not in response.text
    assert 'X-Subject-Token' not in response.headers


@pytest.mark.parametrize('raw', [b'', b'not json', b'{"auth": ', b'\xff'])
def test_unparsable_body_is_400(identity_api, raw):
    request = webob.Request.blank(support.TOKENS, method='POST', body=raw,
                                  content_type='application/json')
    response = request.get_response(identity_api.apps['public'])
    assert response.status_int == 400
    assert response.json['error']['code'] == 400


@pytest.mark.parametrize('methods', [[], ['totp'], ['password', 'totp']])
def test_unsupported_or_no_method_is_401_as_in_keystone(identity_api,
                                                        methods):
    body = _with(BASE, IDENTITY + ('methods',), methods)
    body['auth']['identity']['totp'] = {'user': {'id': 'x'}}
    response = support.issue(identity_api, body)
    assert response.status_int == 401
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_unlisted_method_payload_is_ignored(identity_api):
    body = identity_api.password_auth()
    body['auth']['identity']['token'] = {'id': 'ignored'}
    support.issued(identity_api, body)


def test_extra_properties_are_allowed_as_in_keystone(identity_api):
    body = identity_api.password_auth()
    body['auth']['identity']['password']['user']['extra'] = 'x'
    body['auth']['extra'] = {}
    support.issued(identity_api, body)


@pytest.mark.parametrize('methods', [['password', 'password'],
                                     ['password', 'token', 'password']])
def test_a_repeated_method_is_400(identity_api, methods):
    # Keystone 30 drops the repeat and answers 201; a repeat is a client
    # bug, so it is refused here (README, "The identity API").
    body = _with(BASE, IDENTITY + ('methods',), methods)
    body['auth']['identity']['token'] = {'id': identity_api.token()}
    response = support.issue(identity_api, body)
    assert response.status_int == 400
    assert response.json['error']['message'] == (
        "Invalid input for field 'auth.identity.methods': must not repeat "
        "an item.")
    assert 'X-Subject-Token' not in response.headers
