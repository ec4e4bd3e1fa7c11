"""The ``application_credential`` auth method and its tokens: by id, by
name and user, Keystone's answers to bad requests, tokens limited to the
credential's project, roles and expiry, and what such tokens may not do."""

import datetime

import pytest

from keystone_like import conf
from keystone_like.db import models
from keystone_like.identity import passwords
from tests.support import api_app_creds_support as support
from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(120)

FORBIDDEN = 'You are not authorized to perform the requested action: %s.'


@pytest.fixture
def owner(identity_api):
    return support.make_owner(identity_api)


@pytest.fixture
def cred(identity_api, owner):
    return support.created(identity_api, owner)


def _user_refs(owner):
    return [{'id': owner.id},
            {'name': owner.user['name'], 'domain': {'id': 'default'}},
            {'name': owner.user['name'], 'domain': {'name': 'Default'}}]


@pytest.mark.parametrize('listener', auth_support.LISTENERS)
def test_login_by_id_gives_a_project_token(identity_api, owner, cred,
                                           listener):
    token_id, token = support.login(identity_api, cred, listener)
    assert token['methods'] == ['application_credential']
    assert token['project']['id'] == owner.project['id']
    assert token['user']['id'] == owner.id
    assert support.role_names(token) == ['member', 'reader']
    assert token['application_credential'] == {
        'id': cred['id'], 'name': cred['name'], 'restricted': True}
    assert 'catalog' in token
    validated = auth_support.on_subject(
        identity_api, users_support.admin_token(identity_api), token_id)
    assert validated.status_int == 200
    assert validated.json['token']['application_credential'] == token[
        'application_credential']


def test_login_by_name_and_user(identity_api, owner, cred):
    for user in _user_refs(owner):
        _, token = auth_support.issued(identity_api, support.auth_body(
            secret=cred['secret'], name=cred['name'], user=user))
        assert token['application_credential']['id'] == cred['id']


def test_login_binds_to_the_owner_whatever_user_is_named(identity_api,
                                                         owner, cred):
    other = support.make_owner(identity_api)
    _, token = support.login(identity_api, cred, user={'id': other.id})
    assert token['user']['id'] == owner.id


def test_with_the_password_method_too(identity_api, owner, cred):
    body = support.auth_body(cred)
    identity = body['auth']['identity']
    identity['methods'].append('password')
    identity['password'] = {'user': {'id': owner.id,
                                     'password': support.PASSWORD}}
    _, token = auth_support.issued(identity_api, body)
    assert token['methods'] == ['password', 'application_credential']
    assert token['application_credential']['id'] == cred['id']
    other = support.make_owner(identity_api)
    identity['password']['user']['id'] = other.id
    assert auth_support.issue(identity_api, body).status_int == 401


def test_unrestricted_shows_in_the_token(identity_api, owner):
    cred = support.created(identity_api, owner, unrestricted=True)
    _, token = support.login(identity_api, cred)
    assert token['application_credential']['restricted'] is False


@pytest.mark.parametrize('method, message', [
    ({'secret': 's'}, 'Expecting to find name or ID in application '
     'credential.'),
    ({'name': 'x', 'secret': 's'}, 'Expecting to find user in application '
     'credential.'),
    ({'name': 'x', 'user': {'name': 'u'}}, 'Expecting to find domain in '
     'user.'),
    ({'name': 'x', 'user': {'domain': {'id': 'default'}}},
     'Expecting to find id or name in user.'),
    ({'id': 'x', 'secret': 5}, None),
])
def test_malformed_method_bodies_are_400(identity_api, method, message):
    body = {'auth': {'identity': {'methods': ['application_credential'],
                                  'application_credential': method}}}
    response = auth_support.issue(identity_api, body)
    found = users_support.assert_error(response, 400)
    if message is not None:
        assert found.startswith(message)


def test_a_scope_is_refused(identity_api, owner, cred, blocking_calls):
    body = support.auth_body(cred)
    body['auth']['scope'] = {'project': {'id': owner.project['id']}}
    response = auth_support.issue(identity_api, body)
    assert users_support.assert_error(response, 401) == (
        'Error authenticating with application credential: Application '
        'credentials cannot request a scope.')
    assert blocking_calls == []


def test_unknown_id_is_404_as_in_keystone(identity_api, blocking_calls):
    response = auth_support.issue(
        identity_api, support.auth_body(id='nope', secret='s'))
    assert users_support.assert_error(response, 404) == (
        'Could not find Application Credential: nope.')
    assert blocking_calls == []


def test_failures_look_alike_and_cost_one_verification(
        identity_api, owner, cred, blocking_calls):
    api = identity_api
    disabled = support.make_owner(api)
    disabled_cred = support.created(api, disabled)
    auth_support.update_user(api, disabled.id, enabled=False)
    expiring = support.created(api, owner, expires_at=(
        datetime.datetime.now(datetime.timezone.utc)
        + datetime.timedelta(seconds=30)).isoformat())
    with api.database.session() as session:
        # Expired now without waiting: move its expiry into the past.
        row = session.get(models.ApplicationCredential, expiring['id'])
        row.expires_at = datetime.datetime(2000, 1, 1)
    blocking_calls.clear()
    bodies = {
        'disabled user': support.auth_body(disabled_cred),
        'wrong secret': support.auth_body(cred, secret='wrong'),
        'no secret': support.auth_body(id=cred['id']),
        'unknown name': support.auth_body(
            secret='s', name='nope', user={'id': owner.id}),
        'unknown user': support.auth_body(
            secret='s', name=cred['name'], user={'id': 'nobody'}),
        'unknown user name': support.auth_body(
            secret='s', name=cred['name'],
            user={'name': 'nobody', 'domain': {'id': 'default'}}),
        'expired': support.auth_body(expiring),
    }
    responses = {case: auth_support.issue(api, body)
                 for case, body in bodies.items()}
    reference = responses['wrong secret']
    assert reference.status_int == 401
    for case, response in responses.items():
        assert response.status == reference.status, case
        assert response.body == reference.body, case
    assert len(blocking_calls) == len(bodies)


def test_disabled_user_or_domain_is_401(identity_api, owner, cred):
    auth_support.update_user(identity_api, owner.id, enabled=False)
    response = auth_support.issue(identity_api, support.auth_body(cred))
    users_support.assert_error(response, 401)
    auth_support.update_user(identity_api, owner.id, enabled=True)
    support.login(identity_api, cred)


def test_token_never_outlives_the_credential(identity_api, owner):
    expires = (datetime.datetime.now(datetime.timezone.utc)
               + datetime.timedelta(minutes=10))
    cred = support.created(identity_api, owner,
                           expires_at=expires.isoformat())
    _, token = support.login(identity_api, cred)
    assert token['expires_at'] == expires.replace(microsecond=0).strftime(
        '%Y-%m-%dT%H:%M:%S.000000Z')


def test_outdated_secret_hash_is_replaced_after_a_good_login(identity_api,
                                                             owner):
    api = identity_api
    conf.CONF.set_override('password_hash_algorithm', 'pbkdf2_sha512',
                           'identity')
    conf.CONF.set_override('password_hash_rounds', 1000, 'identity')
    try:
        cred = support.created(api, owner)
    finally:
        conf.CONF.clear_override('password_hash_algorithm', 'identity')
        conf.CONF.set_override('password_hash_rounds', 4, 'identity')
    old = support.stored_hash(api, cred['id'])
    assert old.startswith('$pbkdf2-sha512$')
    support.login(api, cred)
    fresh = support.stored_hash(api, cred['id'])
    assert not passwords.needs_rehash(fresh, conf.CONF)
    assert passwords.verify_password(cred['secret'], fresh)
    support.login(api, cred)


@pytest.mark.parametrize('scope', [None, {'project': {'name': 'admin',
                                                      'domain': {
                                                          'id': 'default'}}}])
def test_a_credential_token_cannot_be_exchanged(identity_api, owner,
                                                scope):
    api = identity_api
    for fields in ({}, {'unrestricted': True}):
        token_id, _ = support.login(api, support.created(api, owner,
                                                         **fields))
        response = auth_support.issue(api, auth_support.token_body(
            token_id, scope))
        assert users_support.assert_error(response, 403) == FORBIDDEN % (
            'Using a delegated token to create another token is not '
            'allowed.')


def test_restricted_token_cannot_manage_credentials(identity_api, owner,
                                                    cred):
    api = identity_api
    token_id, _ = support.login(api, cred)
    message = FORBIDDEN % ("Using method 'application_credential' is not "
                           "allowed for managing additional application "
                           "credentials.")
    created = support.create(api, owner, token=token_id)
    assert users_support.assert_error(created, 403) == message
    deleted = api.request('DELETE', owner.path(cred['id']), token=token_id)
    assert users_support.assert_error(deleted, 403) == message
    # Reading is allowed, as in Keystone.
    listed = api.request('GET', owner.path(), token=token_id)
    assert listed.status_int == 200


def test_unrestricted_token_creates_within_its_roles(identity_api, owner):
    api = identity_api
    narrow = support.created(api, owner, unrestricted=True,
                             roles=[{'name': 'reader'}])
    token_id, _ = support.login(api, narrow)
    made = support.create(api, owner, token=token_id)
    assert made.status_int == 201, made.text
    assert support.role_names(made.json['application_credential']) == [
        'reader']
    wider = support.create(api, owner, token=token_id,
                           roles=[{'name': 'member'}])
    users_support.assert_error(wider, 400)
    gone = api.request('DELETE', owner.path(
        made.json['application_credential']['id']), token=token_id)
    assert gone.status_int == 204
