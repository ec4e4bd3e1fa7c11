"""Who may manage: admin tokens only; headers are never trusted; both
listeners serve management unless the public one opts out."""

import paste.deploy
import pytest
import webob

from tests.support import api_users_support as support
from tests.support import identity

pytestmark = pytest.mark.timeout(120)

# One request per kind of management route.
MANAGEMENT = [
    ('POST', '/v3/users', {'user': {'name': 'x'}}),
    ('GET', '/v3/users', None),
    ('PATCH', '/v3/users/{admin}', {'user': {'name': 'x'}}),
    ('DELETE', '/v3/users/{admin}', None),
    ('POST', '/v3/projects', {'project': {'name': 'x'}}),
    ('GET', '/v3/projects', None),
    ('POST', '/v3/domains', {'domain': {'name': 'x'}}),
    ('GET', '/v3/domains', None),
    ('DELETE', '/v3/domains/default', None),
    ('POST', '/v3/roles', {'role': {'name': 'x'}}),
    ('GET', '/v3/roles', None),
    ('POST', '/v3/regions', {'region': {}}),
    ('GET', '/v3/services', None),
    ('POST', '/v3/endpoints', {'endpoint': {}}),
    ('PUT', '/v3/projects/{project}/users/{admin}/roles/{role}', None),
    ('GET', '/v3/projects/{project}/users/{admin}/roles/{role}', None),
    ('DELETE', '/v3/domains/default/users/{admin}/roles/{role}', None),
    ('GET', '/v3/domains/default/users/{admin}/roles', None),
    ('GET', '/v3/role_assignments', None),
]


def _path(identity_api, path):
    return path.format(admin=identity_api.admin_user['id'],
                       project=identity_api.admin_project['id'],
                       role=identity_api.roles['admin']['id'])


@pytest.mark.parametrize('method, path, body', MANAGEMENT)
def test_member_token_is_403_even_claiming_admin(identity_api, method, path,
                                                 body):
    _user, token = support.member(identity_api)
    path = _path(identity_api, path)
    headers = {'X-Roles': 'admin', 'X-User-Id': identity_api.admin_user['id'],
               'X-Identity-Status': 'Confirmed', 'X-Is-Admin-Project': 'True'}
    for sent in ({}, headers):
        response = identity_api.request(method, path, body, token=token,
                                        headers=sent)
        message = support.assert_error(response, 403)
        assert message.startswith('You are not authorized')


@pytest.mark.parametrize('method, path, body', MANAGEMENT[:6])
def test_headers_without_a_token_are_401(identity_api, method, path, body):
    response = identity_api.request(
        method, _path(identity_api, path), body,
        headers={'X-Roles': 'admin',
                 'X-User-Id': identity_api.admin_user['id']})
    support.assert_error(response, 401)
    assert 'WWW-Authenticate' in response.headers


def test_admin_role_is_needed_on_the_token_scope(identity_api):
    admin_id = identity_api.admin_user['id']
    for token, status in (
            (support.issue_token(admin_id), 403),
            (support.issue_token(admin_id, domain_id='default'), 200),
            (support.admin_token(identity_api), 200)):
        response = identity_api.request('GET', '/v3/users', token=token)
        assert response.status_int == status, response.text


def test_reader_role_is_not_enough(identity_api):
    user = support.make_user(identity_api, 'reader', role='reader')
    token = support.issue_token(user['id'],
                                project_id=identity_api.admin_project['id'])
    support.assert_error(identity_api.request('GET', '/v3/projects',
                                              token=token), 403)


@pytest.mark.parametrize('method, path, body', [
    route for route in MANAGEMENT if route[0] == 'GET'])
def test_public_listener_serves_management_by_default(identity_api, method,
                                                      path, body):
    # As in Keystone: clients default to the public interface.
    token = support.admin_token(identity_api)
    path = _path(identity_api, path)
    answers = [identity_api.request(method, path, body, token=token,
                                    listener=listener)
               for listener in ('public', 'admin')]
    assert [a.status_int for a in answers] in ([200, 200], [204, 204])
    assert answers[0].body == answers[1].body


@pytest.fixture
def auth_only_public(tmp_path):
    """The ``main`` composite of the shipped ini with management off."""
    shipped = identity.ROOT / 'etc' / 'keystone_like-paste.ini'
    text = shipped.read_text().replace(
        '[app:public_service]\n',
        '[app:public_service]\nmanagement = false\n')
    assert 'management = false' in text
    copy = tmp_path / 'paste.ini'
    copy.write_text(text)
    return paste.deploy.loadapp('config:%s' % copy, name='main')


# /v3/users/{id} exists on the public listener for the self-service GET;
# PATCH and DELETE there must still be 404, not 405 (Allow: GET, HEAD).
@pytest.mark.parametrize('method, path, body', MANAGEMENT)
def test_opt_in_public_listener_answers_like_an_unknown_route(
        identity_api, auth_only_public, method, path, body):
    token = support.admin_token(identity_api)

    def send(method, path, body=None):
        request = webob.Request.blank(path, method=method)
        if body is not None:
            request.json_body = body
        request.headers['X-Auth-Token'] = token
        return request.get_response(auth_only_public)

    unknown = send('GET', '/v3/no-such-thing')
    support.assert_error(unknown, 404)
    response = send(method, _path(identity_api, path), body)
    assert response.status_int == 404
    assert response.content_type == unknown.content_type
    assert response.json == unknown.json
    assert 'Allow' not in response.headers
    # Authentication and self-service stay.
    assert send('GET', '/v3/auth/tokens').status_int == 404  # no subject
    assert send('GET', '/v3/users/' + identity_api.admin_user[
        'id']).status_int == 200


def test_bad_management_flag_is_refused(tmp_path):
    shipped = identity.ROOT / 'etc' / 'keystone_like-paste.ini'
    copy = tmp_path / 'paste.ini'
    copy.write_text(shipped.read_text().replace(
        '[app:public_service]\n', '[app:public_service]\nmanagement = no\n'))
    with pytest.raises(ValueError, match="management = 'no'"):
        paste.deploy.loadapp('config:%s' % copy, name='main')


@pytest.mark.parametrize('listener', ['public', 'admin'])
def test_claimed_user_id_does_not_make_another_user_yours(identity_api,
                                                          listener):
    _user, token = support.member(identity_api)
    admin_id = identity_api.admin_user['id']
    for path in ('/v3/users/' + admin_id,
                 '/v3/users/%s/projects' % admin_id):
        response = identity_api.request(
            'GET', path, token=token, listener=listener,
            headers={'X-User-Id': admin_id, 'X-Roles': 'admin'})
        support.assert_error(response, 403)
