"""keystonemiddleware's auth_token protecting a small WSGI app.

The middleware runs in-process (see tests.support.middleware_support) and
validates every token against the running service:
a valid token reaches the app with the identity headers; a revoked, an
expired (crafted with the service's own Fernet keys), a tampered, a
truncated or a garbage token is turned away with 401 and Keystone's
``WWW-Authenticate``.
"""

import json
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ka_session
from keystoneclient.v3 import client as ks_client
import pytest

from tests.support.middleware_support import call
from tests.support.middleware_support import middleware
from tests.support.middleware_support import TIMEOUT

# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.usefixtures('client_versions')]


@pytest.fixture(scope='module')
def protected(identity_service):
    return middleware(identity_service)


@pytest.fixture(scope='module')
def keystone(identity_service):
    sess = ka_session.Session(auth=v3.Password(
        **identity_service.credentials()), timeout=TIMEOUT)
    return ks_client.Client(session=sess, interface='admin')


def assert_rejected(response, identity):
    assert response.status_int == 401, response.text
    assert response.headers['WWW-Authenticate'] == \
        'Keystone uri="%s"' % identity.auth_url


def test_valid_token_reaches_the_app_with_identity_headers(
        protected, identity_service, keystone):
    token = identity_service.password_token()
    admin = keystone.users.find(name='admin')
    project = keystone.projects.find(name='admin', domain_id='default')
    response = call(protected, token, headers={
        # Spoofed identity headers must never reach the app.
        'X-User-Id': 'spoofed', 'X-Roles': 'spoofed', 'X-Project-Id': 'x'})
    assert response.status_int == 200, response.text
    seen = response.json
    assert seen['HTTP_X_IDENTITY_STATUS'] == 'Confirmed'
    assert seen['HTTP_X_USER_ID'] == admin.id
    assert seen['HTTP_X_USER_NAME'] == 'admin'
    assert seen['HTTP_X_USER_DOMAIN_ID'] == 'default'
    assert seen['HTTP_X_USER_DOMAIN_NAME'] == 'Default'
    assert seen['HTTP_X_PROJECT_ID'] == project.id
    assert seen['HTTP_X_PROJECT_NAME'] == 'admin'
    assert seen['HTTP_X_PROJECT_DOMAIN_ID'] == 'default'
    assert seen['HTTP_X_PROJECT_DOMAIN_NAME'] == 'Default'
    # The roles admin implies reach the service too.
    assert sorted(seen['HTTP_X_ROLES'].split(',')) == [
        'admin', 'manager', 'member', 'reader']
    catalog = json.loads(seen['HTTP_X_SERVICE_CATALOG'])
    assert [s['type'] for s in catalog] == ['identity']
    assert seen['keystone.token_info']['token']['user']['id'] == admin.id


def test_no_token_is_rejected(protected, identity_service):
    assert_rejected(call(protected), identity_service)
    assert_rejected(call(protected, headers={'X-User-Id': 'spoofed'}),
                    identity_service)


def test_member_token_carries_its_roles(protected, identity_service,
                                        keystone):
    project = keystone.projects.create(
        name='mw-%s' % uuid.uuid4().hex[:8], domain='default')
    password = 'Mw-' + uuid.uuid4().hex
    user = keystone.users.create(name='mw-%s' % uuid.uuid4().hex[:8],
                                 domain='default', password=password)
    keystone.roles.grant(keystone.roles.find(name='member'), user=user,
                         project=project)
    token = identity_service.password_token(
        username=user.name, password=password, project=project.name)
    seen = call(protected, token).json
    assert seen['HTTP_X_USER_ID'] == user.id
    assert seen['HTTP_X_PROJECT_ID'] == project.id
    assert sorted(seen['HTTP_X_ROLES'].split(',')) == ['member', 'reader']
    # Disabling the user kills its tokens at once.
    keystone.users.update(user, enabled=False)
    assert_rejected(call(protected, token), identity_service)
    keystone.users.delete(user)
    keystone.projects.delete(project)


def test_revoked_token_is_rejected(protected, identity_service, keystone):
    token = identity_service.password_token()
    assert call(protected, token).status_int == 200
    keystone.tokens.revoke_token(token)
    assert_rejected(call(protected, token), identity_service)


def test_expired_token_is_rejected(protected, identity_service, keystone):
    admin = keystone.users.find(name='admin')
    project = keystone.projects.find(name='admin', domain_id='default')
    # The same recipe with a live lifetime is accepted: the crafted token
    # is genuine, so only its expiry can turn it away.
    live = identity_service.craft_token(admin.id, project.id,
                                        issued_ago=60, lifetime=3600)
    assert call(protected, live).status_int == 200
    expired = identity_service.craft_token(admin.id, project.id,
                                           issued_ago=7200, lifetime=3600)
    assert_rejected(call(protected, expired), identity_service)
    just_expired = identity_service.craft_token(admin.id, project.id,
                                                issued_ago=120, lifetime=60)
    assert_rejected(call(protected, just_expired), identity_service)


def test_service_token_lets_a_recently_expired_user_token_through(
        protected, identity_service, keystone):
    """keystonemiddleware's service-token flow (long-running operations).

    With a valid ``X-Service-Token`` holding a service role, the middleware
    validates the user's token with ``GET /v3/auth/tokens?allow_expired=1``;
    Keystone answers 200 for a token expired less than ``[token]
    allow_expired_window`` (48 h by default) ago, 404 otherwise.
    """
    existing = keystone.roles.list(name='service')
    service_role = existing[0] if existing else keystone.roles.create(
        name='service')
    project = keystone.projects.find(name='admin', domain_id='default')
    name = 'svc-%s' % uuid.uuid4().hex[:8]
    password = 'Svc-' + uuid.uuid4().hex
    service_user = keystone.users.create(name=name, domain='default',
                                         password=password)
    keystone.roles.grant(service_role, user=service_user, project=project)
    service_token = identity_service.password_token(
        username=name, password=password, project='admin')
    admin = keystone.users.find(name='admin')
    expired = identity_service.craft_token(admin.id, project.id,
                                           issued_ago=7200, lifetime=3600)

    # Alone, the expired token is refused ...
    assert_rejected(call(protected, expired), identity_service)
    # ... with a service token it is accepted, as with Keystone.
    response = call(protected, expired,
                    headers={'X-Service-Token': service_token})
    assert response.status_int == 200, response.text
    assert response.json['HTTP_X_USER_ID'] == admin.id
    # Long expired (beyond the 48 h window): refused even so.
    ancient = identity_service.craft_token(admin.id, project.id,
                                           issued_ago=4 * 86400,
                                           lifetime=3600)
    assert_rejected(call(protected, ancient,
                         headers={'X-Service-Token': service_token}),
                    identity_service)
    keystone.users.delete(service_user)


def test_tampered_truncated_and_garbage_tokens_are_rejected(
        protected, identity_service):
    token = identity_service.password_token()
    assert call(protected, token).status_int == 200
    middle = len(token) // 2
    flipped = 'A' if token[middle] != 'A' else 'B'
    tampered = token[:middle] + flipped + token[middle + 1:]
    for bad in (tampered, token[:-1], token[:40], token + 'AAAA',
                'gAAAAA' + 'x' * 100, uuid.uuid4().hex, 'x' * 5000):
        assert_rejected(call(protected, bad), identity_service)
    # The good one still works (no negative caching of the admin's auth).
    assert call(protected, token).status_int == 200


def test_delayed_decision_passes_invalid_status_to_the_app(
        identity_service):
    app = middleware(identity_service, delay_auth_decision='true')
    response = call(app, 'not-a-token')
    assert response.status_int == 200
    assert response.json['HTTP_X_IDENTITY_STATUS'] == 'Invalid'
    assert response.json['HTTP_X_USER_ID'] is None
    token = identity_service.password_token()
    assert call(app, token).json['HTTP_X_IDENTITY_STATUS'] == 'Confirmed'
