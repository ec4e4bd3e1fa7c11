"""Self-service on both listeners: own user, own projects, own password."""

import pytest

from keystone_like import conf
from keystone_like.identity import passwords
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)
LISTENERS = ('public', 'admin')
NEW_PASSWORD = 'a-new-Pa55word'


def change(identity_api, user_id, token, original, new,
           listener='public'):
    """POST a password change; return the response."""
    return identity_api.request(
        'POST', '/v3/users/%s/password' % user_id,
        {'user': {'original_password': original, 'password': new}},
        token=token, listener=listener)


@pytest.mark.parametrize('listener', LISTENERS)
def test_user_reads_itself_only(identity_api, listener):
    user, token = support.member(identity_api)
    response = identity_api.request('GET', '/v3/users/' + user['id'],
                                    token=token, listener=listener)
    assert response.status_int == 200
    assert response.json['user']['name'] == 'member'
    assert 'password' not in response.json['user']
    other = identity_api.admin_user['id']
    response = identity_api.request('GET', '/v3/users/' + other,
                                    token=token, listener=listener)
    support.assert_error(response, 403)
    # A member asking about a missing user learns nothing more.
    support.assert_error(identity_api.request(
        'GET', '/v3/users/nope', token=token, listener=listener), 403)


def test_admin_reads_anyone_and_gets_404_for_missing(identity_api):
    user, _token = support.member(identity_api)
    token = support.admin_token(identity_api)
    for listener in LISTENERS:
        response = identity_api.request('GET', '/v3/users/' + user['id'],
                                        token=token, listener=listener)
        assert response.status_int == 200
        support.assert_error(identity_api.request(
            'GET', '/v3/users/nope', token=token, listener=listener), 404)


def test_without_a_valid_token_it_is_401(identity_api):
    user, _token = support.member(identity_api)
    for token in (None, 'garbage'):
        response = identity_api.request('GET', '/v3/users/' + user['id'],
                                        token=token, listener='public')
        support.assert_error(response, 401)
        assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')


@pytest.mark.parametrize('listener', LISTENERS)
def test_own_projects(identity_api, listener):
    user, token = support.member(identity_api)
    path = '/v3/users/%s/projects' % user['id']
    response = identity_api.request('GET', path, token=token,
                                    listener=listener)
    assert response.status_int == 200
    project = identity_api.admin_project
    [listed] = response.json['projects']
    assert listed['id'] == project['id']
    assert listed['links']['self'].endswith('/v3/projects/' + project['id'])
    assert response.json['links']['self'].endswith(path)
    filtered = identity_api.request('GET', path + '?name=other', token=token,
                                    listener=listener)
    assert filtered.json['projects'] == []
    admins = '/v3/users/%s/projects' % identity_api.admin_user['id']
    support.assert_error(identity_api.request('GET', admins, token=token,
                                              listener=listener), 403)


@pytest.mark.parametrize('listener', LISTENERS)
def test_password_change_revokes_old_tokens(identity_api, listener):
    user, token = support.member(identity_api)
    response = change(identity_api, user['id'], token, support.PASSWORD,
                      NEW_PASSWORD, listener)
    assert response.status_int == 204 and response.body == b''
    stored = support.password_hash(user['id'])
    assert passwords.verify_password(NEW_PASSWORD, stored)
    assert not passwords.verify_password(support.PASSWORD, stored)
    assert support.events() == [{'user_id': user['id']}]
    assert not support.is_valid(token)
    response = identity_api.request('GET', '/v3/users/' + user['id'],
                                    token=token, listener=listener)
    support.assert_error(response, 401)


def test_login_works_with_the_new_password_only(identity_api):
    probe = identity_api.request('POST', '/v3/auth/tokens', {})
    if probe.status_int == 404:
        pytest.skip('POST /v3/auth/tokens is not served yet')
    user, token = support.member(identity_api)
    change(identity_api, user['id'], token, support.PASSWORD, NEW_PASSWORD)
    identity_api.token('member', NEW_PASSWORD)
    response = identity_api.request('POST', '/v3/auth/tokens',
                                    identity_api.password_auth(
                                        'member', support.PASSWORD))
    support.assert_error(response, 401)


def test_wrong_original_password_is_401_and_changes_nothing(identity_api):
    user, token = support.member(identity_api)
    before = support.password_hash(user['id'])
    response = change(identity_api, user['id'], token, 'wrong', NEW_PASSWORD)
    assert support.assert_error(response, 401) == (
        'Error when changing user password: Invalid user / password')
    assert support.password_hash(user['id']) == before
    assert support.events() == []
    assert support.is_valid(token)


def test_over_long_passwords_are_400(identity_api):
    user, token = support.member(identity_api)
    too_long = 'y' * (conf.CONF.identity.max_password_length + 1)
    for original, new in ((support.PASSWORD, too_long),
                          (too_long, NEW_PASSWORD)):
        response = change(identity_api, user['id'], token, original, new)
        assert 'y' * 20 not in support.assert_error(response, 400)
    assert support.is_valid(token)


@pytest.mark.parametrize('body', [
    None, {'user': {'password': 'x'}}, {'user': {'original_password': 'x'}},
    {'user': {'password': 'x', 'original_password': 'y', 'extra': 1}},
    {'user': {'password': 5, 'original_password': 'y'}}])
def test_invalid_password_bodies_are_400(identity_api, body):
    user, token = support.member(identity_api)
    response = identity_api.request('POST',
                                    '/v3/users/%s/password' % user['id'],
                                    body, token=token, listener='public')
    support.assert_error(response, 400)


def test_nobody_changes_another_users_password(identity_api):
    user, token = support.member(identity_api)
    admin_id = identity_api.admin_user['id']
    response = change(identity_api, admin_id, token, support.PASSWORD,
                      NEW_PASSWORD)
    support.assert_error(response, 403)
    # Not even an admin: this route is the owner's own.
    response = change(identity_api, user['id'],
                      support.admin_token(identity_api), support.PASSWORD,
                      NEW_PASSWORD, listener='admin')
    support.assert_error(response, 403)
    support.assert_error(change(identity_api, user['id'], None,
                                support.PASSWORD, NEW_PASSWORD), 401)
