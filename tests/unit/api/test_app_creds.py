"""``/v3/users/{u}/application_credentials``: create, list, show, delete,
as Keystone 30 answers them (statuses, bodies, messages), on both
listeners and both database backends."""

import datetime
import re

import pytest

from keystone_like import backends as ks_backends
from keystone_like.common import offload
from keystone_like import conf
from keystone_like.identity import passwords
from tests.support import api_app_creds_support as support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(120)

SECRET_RE = re.compile(r'[A-Za-z0-9_-]{86}')
KEYS = {'id', 'name', 'description', 'user_id', 'project_id', 'system',
        'expires_at', 'unrestricted', 'roles', 'links'}


@pytest.fixture
def owner(identity_api):
    return support.make_owner(identity_api)


@pytest.mark.parametrize('listener', ('public', 'admin'))
def test_create_returns_the_secret_once(identity_api, owner, listener):
    api = identity_api
    response = support.create(api, owner, listener=listener,
                              description='ci')
    assert response.status_int == 201, response.text
    cred = response.json['application_credential']
    assert set(cred) == KEYS | {'secret'}
    assert SECRET_RE.fullmatch(cred['secret'])
    assert cred['user_id'] == owner.id
    assert cred['project_id'] == owner.project['id']
    assert cred['description'] == 'ci'
    # Keystone's defaults: no expiry, unrestricted and system unset.
    assert (cred['expires_at'], cred['unrestricted'], cred['system']) == (
        None, None, None)
    # Every role of the creator's token, implied ones included.
    assert support.role_names(cred) == ['member', 'reader']
    assert set(cred['roles'][0]) == {'id', 'name', 'domain_id',
                                     'description', 'options'}
    # Keystone's (odd) self link.
    assert cred['links']['self'].endswith(
        '/v3/application_credentials/%s' % cred['id'])
    shown = api.request('GET', owner.path(cred['id']), token=owner.token,
                        listener=listener)
    assert shown.status_int == 200
    assert 'secret' not in shown.json['application_credential']
    assert cred['secret'] not in shown.text
    listed = api.request('GET', owner.path(), token=owner.token)
    assert cred['secret'] not in listed.text
    assert shown.json['application_credential'] == {
        key: value for key, value in cred.items() if key != 'secret'}


def test_secret_is_hashed_like_a_password_outside_transactions(
        identity_api, owner):
    api = identity_api
    database = ks_backends.get(conf.CONF).database
    seen = []

    def executor(function, *args, **kwargs):
        # Hashing and verifying run off the hub with no connection held
        # (but the one the revision reader keeps).
        seen.append(database.engine.pool.checkedout()
                    - database.revision_reader.held)
        return function(*args, **kwargs)

    previous = offload.install(executor)
    try:
        cred = support.created(api, owner, secret='my-Own-secret')
        support.login(api, cred)
    finally:
        offload.install(previous)
    assert seen == [0, 0]
    assert cred['secret'] == 'my-Own-secret'
    stored = support.stored_hash(api, cred['id'])
    assert 'my-Own-secret' not in stored
    assert stored.startswith('bcrypt_sha256$')
    assert passwords.verify_password('my-Own-secret', stored)
    assert not passwords.needs_rehash(stored, conf.CONF)


def test_empty_secret_is_generated(identity_api, owner):
    cred = support.created(identity_api, owner, secret='')
    assert SECRET_RE.fullmatch(cred['secret'])


def test_roles_by_id_or_name_bring_what_they_imply(identity_api):
    api = identity_api
    owner = support.make_owner(api, roles=('manager',))
    by_name = support.created(api, owner, roles=[{'name': 'member'}])
    assert support.role_names(by_name) == ['member', 'reader']
    by_id = support.created(api, owner, roles=[
        {'id': api.roles['reader']['id']}, {'name': 'reader'}])
    assert support.role_names(by_id) == ['reader']
    everything = support.created(api, owner)
    assert support.role_names(everything) == ['manager', 'member',
                                              'reader']


@pytest.mark.parametrize('roles, code, message', [
    ([{'name': 'admin'}], 400, 'Invalid application credential: Cannot '
     'create an application credential with unassigned role'),
    ([{'id': 'nope'}], 400, 'Invalid application credential: Cannot '
     'create an application credential with unassigned role'),
    ([{'name': 'nope'}], 404, 'Role nope is not defined'),
    ([{'id': 'a', 'name': 'b'}], 400, None),
    ([{}], 400, None),
])
def test_roles_must_be_held_on_the_project(identity_api, owner, roles, code,
                                           message):
    response = support.create(identity_api, owner, roles=roles)
    found = users_support.assert_error(response, code)
    if message is not None:
        assert found == message


def test_names_are_unique_per_user(identity_api, owner):
    api = identity_api
    support.created(api, owner, name='ci')
    response = support.create(api, owner, name='ci')
    assert users_support.assert_error(response, 409) == (
        'Conflict occurred attempting to store application_credential - '
        'Duplicate entry found with name ci.')
    other = support.make_owner(api)
    support.created(api, other, name='ci')


def test_expiry_is_kept_to_the_microsecond(identity_api, owner):
    later = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None) + datetime.timedelta(hours=1)
    for text in (later.isoformat(), later.isoformat() + 'Z'):
        cred = support.created(identity_api, owner, expires_at=text)
        assert cred['expires_at'] == later.strftime('%Y-%m-%dT%H:%M:%S.%f')


@pytest.mark.parametrize('expires_at, message', [
    ('2000-01-01T00:00:00', "The 'expires_at' must not be before now."),
    ('garbage', 'Timestamp not in expected format.'),
    ('2099-01-01', 'Timestamp not in expected format.'),
])
def test_bad_expiry_is_400(identity_api, owner, expires_at, message):
    response = support.create(identity_api, owner, expires_at=expires_at)
    assert users_support.assert_error(response, 400).startswith(message)


@pytest.mark.parametrize('fields', [
    {'name': ''}, {'name': 'x' * 256}, {'name': 'x', 'foo': 1},
    {'name': 'x', 'unrestricted': 'yes'}, {'name': 'x', 'secret': 5},
    {'description': 'no name'},
])
def test_bad_bodies_are_400(identity_api, owner, fields):
    response = identity_api.request(
        'POST', owner.path(), {'application_credential': fields},
        token=owner.token)
    users_support.assert_error(response, 400)


def test_over_long_secret_is_400_before_hashing(identity_api, owner,
                                                blocking_calls):
    limit = conf.CONF.identity.max_password_length
    response = support.create(identity_api, owner, secret='s' * (limit + 1))
    assert users_support.assert_error(response, 400) == (
        'Invalid application credential: the secret is longer than the '
        'maximum of %d bytes.' % limit)
    assert blocking_calls == []


def test_given_id_and_project_are_ignored(identity_api, owner):
    cred = support.created(identity_api, owner, id='mine',
                           project_id='elsewhere', system='all',
                           unrestricted=False)
    assert cred['id'] != 'mine'
    assert cred['project_id'] == owner.project['id']
    # Stored and shown as Keystone does; a system scope is never granted.
    assert (cred['system'], cred['unrestricted']) == ('all', False)


def test_list_filters_by_name(identity_api, owner):
    api = identity_api
    first = support.created(api, owner, name='one')
    support.created(api, owner, name='two')
    listed = api.request('GET', owner.path(), token=owner.token).json
    assert [c['name'] for c in listed['application_credentials']] == [
        'one', 'two']
    assert listed['links']['self'].endswith(owner.path())
    filtered = api.request('GET', owner.path() + '?name=one',
                           token=owner.token).json
    assert [c['id'] for c in filtered['application_credentials']] == [
        first['id']]
    assert filtered['links']['self'].endswith('?name=one')


def test_head_and_delete(identity_api, owner):
    api = identity_api
    cred = support.created(api, owner)
    head = api.request('HEAD', owner.path(cred['id']), token=owner.token)
    assert head.status_int == 200 and head.body == b''
    deleted = api.request('DELETE', owner.path(cred['id']),
                          token=owner.token)
    assert deleted.status_int == 204
    again = api.request('DELETE', owner.path(cred['id']), token=owner.token)
    assert users_support.assert_error(again, 404) == (
        'Could not find Application Credential: %s.' % cred['id'])
    assert api.request('GET', owner.path(), token=owner.token).json[
        'application_credentials'] == []


def test_creating_for_another_user_is_403(identity_api, owner):
    other = support.make_owner(identity_api)
    response = identity_api.request(
        'POST', other.path(), {'application_credential': {'name': 'x'}},
        token=owner.token)
    assert users_support.assert_error(response, 403) == (
        'You are not authorized to perform the requested action: '
        'identity:create_application_credential.')
    admin = users_support.admin_token(identity_api)
    response = identity_api.request(
        'POST', owner.path(), {'application_credential': {'name': 'x'}},
        token=admin)
    users_support.assert_error(response, 403)


def test_a_credential_is_read_through_its_owner(identity_api, owner):
    """Policy sees the credential's owner, not the path's user."""
    api = identity_api
    cred = support.created(api, owner)
    other = support.make_owner(api)
    through_own_path = '/v3/users/%s/application_credentials/%s' % (
        other.id, cred['id'])
    for method in ('GET', 'DELETE'):
        for path in (through_own_path, owner.path(cred['id'])):
            response = api.request(method, path, token=other.token)
            users_support.assert_error(response, 403)
    unknown = api.request('GET', other.path('nope'), token=other.token)
    users_support.assert_error(unknown, 404)
    listed = api.request('GET', owner.path(), token=other.token)
    users_support.assert_error(listed, 403)
    admin = users_support.admin_token(api)
    shown = api.request('GET', '/v3/users/bogus/application_credentials/'
                        + cred['id'], token=admin)
    assert shown.json['application_credential']['id'] == cred['id']
    assert api.request('GET', '/v3/users/nobody/application_credentials',
                       token=admin).json['application_credentials'] == []


def test_user_limit(identity_api, owner):
    conf.CONF.set_override('user_limit', 1, 'application_credential')
    try:
        support.created(identity_api, owner)
        response = support.create(identity_api, owner)
    finally:
        conf.CONF.clear_override('user_limit', 'application_credential')
    assert users_support.assert_error(response, 403) == (
        'Unable to create additional application credentials, maximum of 1 '
        'already exceeded for user.')


def test_domain_or_system_token_cannot_create(identity_api):
    api = identity_api
    admin = api.admin_user
    for scope in ({'domain_id': 'default'}, {'system': 'all'}):
        token = users_support.issue_token(admin['id'], **scope)
        response = api.request(
            'POST', '/v3/users/%s/application_credentials' % admin['id'],
            {'application_credential': {'name': 'x'}}, token=token)
        users_support.assert_error(response, 403)
