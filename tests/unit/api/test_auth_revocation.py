"""Tokens stop validating after store-level changes, and survive rotation.

The revocation events are written with the store functions directly (what
password change, user disable/delete and role removal do), so these tests
do not depend on the management API.
"""

import datetime

from cryptography import fernet
import pytest

from keystone_like import backends
from keystone_like import conf
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import revocations
from keystone_like.store import users
from keystone_like.token import formats
from keystone_like.token import keys
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def bob(identity_api):
    """A member of ``p1`` in the Default domain, and his scoped token."""
    api = identity_api
    project = support.make_project(api, 'p1')
    user = support.make_user(api, 'bob', 'bob-secret')
    support.grant(api, user['id'], 'member', project_id=project['id'])
    token = api.token('bob', 'bob-secret', project='p1')
    return dict(user, token=token, project=project)


def _status(api, subject):
    """Return the admin's validation status of ``subject``."""
    return support.on_subject(api, api.token(), subject).status_int


def _change(api, change):
    with api.database.session() as session:
        change(session)


CHANGES = {
    'password change': lambda s, bob, api: revocations.add_event(
        s, user_id=bob['id']),
    'user disabled': lambda s, bob, api: users.update_user(
        s, bob['id'], {'enabled': False}),
    'user deleted': lambda s, bob, api: users.delete_user(s, bob['id']),
    'role removed': lambda s, bob, api: assignments.delete_grant(
        s, assignments.Grant('user', bob['id'], 'project',
                             bob['project']['id'],
                             api.roles['member']['id'])),
    'role removal event': lambda s, bob, api: revocations.add_event(
        s, user_id=bob['id'], project_id=bob['project']['id'],
        role_id=api.roles['member']['id']),
    'project event': lambda s, bob, api: revocations.add_event(
        s, project_id=bob['project']['id']),
    'project disabled': lambda s, bob, api: projects.update_project(
        s, bob['project']['id'], {'enabled': False}),
    'audit id event': lambda s, bob, api: revocations.add_event(
        s, audit_id=formats.decrypt(bob['token'], keys.load(
            keys.repository_path(conf.CONF))).audit_id),
}


@pytest.mark.parametrize('case', sorted(CHANGES))
def test_change_invalidates_the_token(identity_api, bob, case):
    api = identity_api
    assert _status(api, bob['token']) == 200
    _change(api, lambda session: CHANGES[case](session, bob, api))
    assert _status(api, bob['token']) == 404
    response = api.request('GET', '/v3/auth/projects', token=bob['token'])
    assert response.status_int == 401
    assert _status(api, api.token()) == 200   # others are unaffected


def test_domain_disabled_invalidates_its_users_tokens(identity_api):
    api = identity_api
    other = support.make_domain(api, 'other')
    user = support.make_user(api, 'gina', 'gina-secret',
                             domain_id=other['id'])
    support.grant(api, user['id'], 'member', domain_id=other['id'])
    token_id, _ = support.issued(api, support.password_body(
        'gina-secret', {'id': user['id']}, {'domain': {'id': other['id']}}))
    assert _status(api, token_id) == 200
    _change(api, lambda s: domains.update_domain(s, other['id'],
                                                 {'enabled': False}))
    assert _status(api, token_id) == 404


def test_user_event_spares_tokens_issued_later(identity_api, bob):
    api = identity_api
    with api.database.session() as session:
        event = revocations.add_event(session, user_id=bob['id'])
    # Bob's token as if issued a millisecond after the event: in the same
    # second, which is still after it.
    multifernet = keys.load(keys.repository_path(conf.CONF))
    later = formats.decrypt(bob['token'], multifernet)
    later.issued_at = (event['issued_before']
                       + datetime.timedelta(milliseconds=1))
    later.audit_ids = formats.new_audit_ids()
    token = formats.encrypt(later, multifernet)
    assert _status(api, bob['token']) == 404
    assert _status(api, token) == 200


def test_login_right_after_a_user_event_is_valid(identity_api, bob):
    api = identity_api
    with api.database.session() as session:
        revocations.add_event(session, user_id=bob['id'])
    fresh = api.token('bob', 'bob-secret', project=None)
    assert _status(api, fresh) == 200


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def rotation(identity_api):
    """Return ``rotate(max_active_keys)``: rotate, then let a second pass.

    The key cache of the running pipelines gets a hand-driven clock, so
    the reload that follows a rotation needs no waiting.
    """
    path = keys.repository_path(conf.CONF)
    clock = FakeClock()
    tokens = backends.get(conf.CONF).tokens
    tokens.keys = keys.KeyCache(path, clock=clock)

    def rotate(max_active_keys):
        result = keys.rotate(path, max_active_keys)
        clock.now += 1.0
        return result

    return rotate


def _primary_only(token):
    """Return whether ``token`` was made with the current primary key."""
    path = keys.repository_path(conf.CONF)
    primary = max(keys.key_ids(path))
    with open('%s/%d' % (path, primary), 'rb') as stream:
        key = fernet.Fernet(stream.read().strip())
    try:
        formats.decrypt(token, fernet.MultiFernet([key]))
    except formats.InvalidToken:
        return False
    return True


def test_tokens_survive_rotation_within_max_active_keys(identity_api,
                                                        rotation):
    api = identity_api
    before = api.token()
    rotation(4)
    middle = api.token()
    assert _primary_only(middle) and not _primary_only(before)
    rotation(4)
    after = api.token()
    assert _primary_only(after)
    for token in (before, middle, after):
        assert _status(api, token) == 200


def test_with_three_keys_a_token_outlives_one_rotation(identity_api,
                                                       rotation):
    """Keystone's arithmetic: staged + primary + one secondary."""
    api = identity_api
    before = api.token()
    rotation(3)
    middle = api.token()
    assert _status(api, before) == 200
    result = rotation(3)
    assert result.purged == [1]   # the key ``before`` was made with
    assert _status(api, middle) == 200
    assert _status(api, api.token()) == 200
    assert _status(api, before) == 404
