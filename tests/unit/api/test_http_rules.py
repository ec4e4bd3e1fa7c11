"""Rules every response and request body follow, as in Keystone:
``Vary: X-Auth-Token`` on every response, request bodies must be JSON."""

import json

import pytest
import webob

from keystone_like import conf
from keystone_like.middleware import json_body
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

NOT_JSON = ('Expecting to find application/json in Content-Type header. The '
            'server could not comply with the request since it is either '
            'malformed or otherwise incorrect. The client is assumed to be '
            'in error.')
INVALID_JSON = ('Expecting to find valid JSON in request body. The server '
                'could not comply with the request since it is either '
                'malformed or otherwise incorrect. The client is assumed to '
                'be in error.')


def send(identity_api, method, path, body=b'', content_type=None,
         token=None, listener='public', chunked=False):
    """Send raw bytes with an exact Content-Type (None: no header)."""
    request = webob.Request.blank(path, method=method, body=body)
    if content_type is not None:
        request.headers['Content-Type'] = content_type
    elif 'Content-Type' in request.headers:
        del request.headers['Content-Type']
    if chunked:
        del request.environ['CONTENT_LENGTH']
        request.headers['Transfer-Encoding'] = 'chunked'
    if token is not None:
        request.headers['X-Auth-Token'] = token
    return request.get_response(identity_api.apps[listener])


def login_body(identity_api):
    """Return the JSON bytes of a valid admin password login."""
    return json.dumps(identity_api.password_auth()).encode()


def test_every_kind_of_response_varies_on_the_token(identity_api):
    token = support.admin_token(identity_api)
    responses = {
        200: identity_api.request('GET', '/v3/auth/tokens', token=token,
                                  headers={'X-Subject-Token': token}),
        201: identity_api.request('POST', '/v3/auth/tokens',
                                  identity_api.password_auth()),
        204: identity_api.request(
            'DELETE', '/v3/auth/tokens', token=token,
            headers={'X-Subject-Token': support.admin_token(identity_api)}),
        300: identity_api.request('GET', '/'),
        400: send(identity_api, 'POST', '/v3/auth/tokens', b'x',
                  'text/plain'),
        401: identity_api.request('GET', '/v3/users'),
        404: identity_api.request('GET', '/v3/nowhere', listener='public'),
        405: identity_api.request('PUT', '/v3', token=token),
        413: send(identity_api, 'POST', '/v3/auth/tokens',
                  b' ' * (conf.CONF.max_request_body_size + 1),
                  'application/json'),
    }
    for code, response in responses.items():
        assert response.status_int == code, (code, response.text)
        [vary] = response.headers.getall('Vary')
        expected = 'Accept, X-Auth-Token' if code == 300 else 'X-Auth-Token'
        assert vary == expected, code


@pytest.mark.parametrize('content_type', [
    None, 'application/json', 'application/json; charset=utf-8',
    'APPLICATION/JSON', 'application/vnd.openstack.identity-v3+json'])
def test_json_bodies_are_accepted(identity_api, content_type):
    response = send(identity_api, 'POST', '/v3/auth/tokens',
                    login_body(identity_api), content_type)
    assert response.status_int == 201, response.text


@pytest.mark.parametrize('method, path', [
    ('POST', '/v3/auth/tokens'), ('GET', '/v3'), ('GET', '/'),
    ('DELETE', '/v3/auth/tokens'), ('PATCH', '/v3/users/x')])
@pytest.mark.parametrize('content_type', [
    'text/plain', 'text/json', 'application/x-www-form-urlencoded',
    'application/jsonx'])
def test_other_bodies_are_400_whatever_the_method(identity_api, method,
                                                  path, content_type):
    response = send(identity_api, method, path, login_body(identity_api),
                    content_type)
    assert support.assert_error(response, 400) == NOT_JSON


def test_a_chunked_body_counts_as_a_body(identity_api):
    response = send(identity_api, 'POST', '/v3/auth/tokens',
                    login_body(identity_api), 'text/plain', chunked=True)
    assert support.assert_error(response, 400) == NOT_JSON


def test_without_a_body_the_content_type_does_not_matter(identity_api):
    response = send(identity_api, 'GET', '/v3', b'', 'text/plain')
    assert response.status_int == 200
    response = send(identity_api, 'POST', '/v3/auth/tokens', b'',
                    'text/plain')
    assert support.assert_error(response, 400) != NOT_JSON


@pytest.mark.parametrize('raw', [b'not json', b'[]', b'"auth"', b'null',
                                 b'\xff'])
def test_a_body_that_is_no_json_object_is_400(identity_api, raw):
    response = send(identity_api, 'POST', '/v3/auth/tokens', raw,
                    'application/json')
    assert support.assert_error(response, 400) == INVALID_JSON


@pytest.mark.parametrize('environ, expected', [
    ({}, False), ({'CONTENT_LENGTH': '0'}, False),
    ({'CONTENT_LENGTH': '1'}, True),
    ({'HTTP_TRANSFER_ENCODING': 'chunked'}, True)])
def test_has_body(environ, expected):
    assert json_body.has_body(environ) is expected
