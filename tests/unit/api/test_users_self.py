"""Self-service on both listeners: own user, own projects, own password."""

import logging

import pytest

from keystone_like import conf
from keystone_like.identity import passwords
from keystone_like.store import domains
from keystone_like.store import users
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)
LISTENERS = ('public', 'admin')
NEW_PASSWORD = 'a-new-Pa55word'


def change(identity_api, user_id, token, original, new=NEW_PASSWORD,
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
        'The request you have made requires authentication.')
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')
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


@pytest.mark.parametrize('caller', ['none', 'garbage', 'other user',
                                    'admin'])
def test_the_original_password_alone_authorises(identity_api, caller):
    user, _token = support.member(identity_api)
    tokens = {'none': None, 'garbage': 'garbage',
              'other user': support.member(identity_api, 'other')[1],
              'admin': support.admin_token(identity_api)}
    response = change(identity_api, user['id'], tokens[caller],
                      support.PASSWORD)
    assert response.status_int == 204, response.text
    assert passwords.verify_password(NEW_PASSWORD,
                                     support.password_hash(user['id']))
    assert support.events() == [{'user_id': user['id']}]


@pytest.fixture
def refusals(identity_api):
    """Password changes that must fail, by case, as ``(user id, original)``."""
    api = identity_api
    user = support.make_user(api, 'dave')
    eve = support.make_user(api, 'eve')
    other = api.request('POST', '/v3/domains', {'domain': {'name': 'o'}},
                        token=support.admin_token(api)).json['domain']
    frank = support.make_user(api, 'frank', domain_id=other['id'])
    with api.database.session() as session:
        users.update_user(session, eve['id'], {'enabled': False})
        domains.update_domain(session, other['id'], {'enabled': False})
    return {'wrong password': (user['id'], 'wrong-Pa55word'),
            'unknown user': ('f' * 32, support.PASSWORD),
            'disabled user': (eve['id'], support.PASSWORD),
            'user in a disabled domain': (frank['id'], support.PASSWORD)}


def test_refusals_look_alike_and_cost_one_verification(
        identity_api, refusals, blocking_calls):
    responses = {case: change(identity_api, user_id, None, original)
                 for case, (user_id, original) in refusals.items()}
    reference = responses['wrong password']
    for case, response in responses.items():
        assert support.assert_error(response, 401), case
        assert response.body == reference.body, case
        assert (response.headers['WWW-Authenticate']
                == reference.headers['WWW-Authenticate']), case
    assert len(blocking_calls) == len(refusals)
    assert support.events() == []


def test_refusals_are_logged_without_passwords(identity_api, refusals,
                                               caplog):
    caplog.set_level(logging.INFO, logger='keystone_like.api.users')
    user_id, original = refusals['wrong password']
    change(identity_api, user_id, None, original)
    disabled_id, _original = refusals['disabled user']
    change(identity_api, disabled_id, None, support.PASSWORD)
    text = '\n'.join(r.getMessage() for r in caplog.records
                     if r.name == 'keystone_like.api.users')
    assert user_id in text and 'wrong password' in text
    assert 'disabled' in text
    for secret in (original, support.PASSWORD, NEW_PASSWORD):
        assert secret not in text


def test_a_password_changed_meanwhile_is_not_overwritten(identity_api,
                                                         monkeypatch):
    user, _token = support.member(identity_api)
    hash_password = passwords.hash_password

    def concurrent_change(password, conf_):
        # Another request changes the password while this one hashes.
        with identity_api.database.session() as session:
            users.set_password_hash(session, user['id'],
                                    hash_password('third-Pa55word', conf_))
        return hash_password(password, conf_)

    monkeypatch.setattr(passwords, 'hash_password', concurrent_change)
    response = change(identity_api, user['id'], None, support.PASSWORD)
    support.assert_error(response, 401)
    assert passwords.verify_password('third-Pa55word',
                                     support.password_hash(user['id']))
    assert support.events() == []
