"""Password logins: identical failures, one verification each, long
passwords, the 72-byte trap, re-hashing and what gets logged."""

import logging

import pytest

from keystone_like import conf
from keystone_like.identity import passwords
from keystone_like.store import domains
from keystone_like.store import users
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)

SECRET = 'dave-Pa55word'
DAVE = {'name': 'dave', 'domain': {'id': 'default'}}


@pytest.fixture
def failures(identity_api):
    """One login body per way of failing, each for an existing-looking user.

    Dave lives in domain ``other`` so that it can be disabled alone.
    """
    api = identity_api
    other = support.make_domain(api, 'other')
    support.make_user(api, 'dave', SECRET)
    support.make_user(api, 'eve', SECRET, enabled=False)
    support.make_user(api, 'frank', SECRET, domain_id=other['id'])
    with api.database.session() as session:
        domains.update_domain(session, other['id'], {'enabled': False})
    in_default = {'domain': {'id': 'default'}}
    return {
        'unknown user': support.password_body(
            SECRET, dict(in_default, name='nobody')),
        'unknown user id': support.password_body(SECRET, {'id': 'f' * 32}),
        'unknown domain': support.password_body(
            SECRET, {'name': 'dave', 'domain': {'name': 'nowhere'}}),
        'wrong password': support.password_body('wrong-Pa55word', DAVE),
        'no password': {'auth': {'identity': {
            'methods': ['password'], 'password': {'user': DAVE}}}},
        'disabled user': support.password_body(
            SECRET, dict(in_default, name='eve')),
        'user in a disabled domain': support.password_body(
            SECRET, {'name': 'frank', 'domain': {'id': other['id']}}),
        'disabled domain by id': support.password_body(
            SECRET, {'id': _user_id(api, 'frank', other['id'])}),
    }


def _user_id(api, name, domain_id):
    with api.database.session() as session:
        return users.get_user_by_name(session, name, domain_id)['id']


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_every_failure_looks_the_same(identity_api, failures, listener,
                                      blocking_calls):
    responses = {case: support.issue(identity_api, body, listener)
                 for case, body in failures.items()}
    reference = responses['wrong password']
    assert reference.status_int == 401
    for case, response in responses.items():
        assert response.status == reference.status, case
        assert response.body == reference.body, case
        assert (support.stable_headers(response)
                == support.stable_headers(reference)), case
    assert reference.headers['WWW-Authenticate'].startswith('Keystone uri=')
    # Comparable time: each failure ran exactly one verification.
    assert len(blocking_calls) == len(failures)


def test_the_right_password_still_works(identity_api, failures):
    support.issued(identity_api, support.password_body(SECRET, DAVE))


def test_over_long_password_is_400_before_any_work(identity_api,
                                                   blocking_calls):
    limit = conf.CONF.identity.max_password_length
    for password in ('x' * (limit + 1), '\u00e9' * (limit // 2 + 1)):
        response = support.issue(identity_api, support.password_body(
            password, {'name': 'nobody', 'domain': {'id': 'default'}}))
        assert response.status_int == 400
        assert password not in response.text
    assert blocking_calls == []


def test_passwords_sharing_72_bytes_do_not_both_work(identity_api):
    long_password = 'p' * 72 + 'tail-one'
    assert len(long_password.encode()) == 80
    support.make_user(identity_api, 'dave', long_password)
    same_prefix = 'p' * 72 + 'tail-two'
    response = support.issue(identity_api,
                             support.password_body(same_prefix, DAVE))
    assert response.status_int == 401
    support.issued(identity_api, support.password_body(long_password, DAVE))


def _stored_hash(api, user_id):
    with api.database.session() as session:
        return users.get_password_hash(session, user_id)


def test_outdated_hash_is_replaced_after_a_good_login(identity_api):
    api = identity_api
    conf.CONF.set_override('password_hash_algorithm', 'pbkdf2_sha512',
                           'identity')
    conf.CONF.set_override('password_hash_rounds', 1000, 'identity')
    try:
        dave = support.make_user(api, 'dave', SECRET)
    finally:
        conf.CONF.clear_override('password_hash_algorithm', 'identity')
        conf.CONF.set_override('password_hash_rounds', 4, 'identity')
    old = _stored_hash(api, dave['id'])
    assert old.startswith('$pbkdf2-sha512$')
    assert support.issue(api, support.password_body(
        'wrong', DAVE)).status_int == 401
    assert _stored_hash(api, dave['id']) == old
    support.issued(api, support.password_body(SECRET, DAVE))
    fresh = _stored_hash(api, dave['id'])
    assert fresh.startswith('bcrypt_sha256$')
    assert not passwords.needs_rehash(fresh, conf.CONF)
    support.issued(api, support.password_body(SECRET, DAVE))
    assert _stored_hash(api, dave['id']) == fresh


def test_current_hash_is_left_alone(identity_api):
    api = identity_api
    before = _stored_hash(api, api.admin_user['id'])
    api.token()
    assert _stored_hash(api, api.admin_user['id']) == before


def test_failures_are_logged_with_the_user_never_the_secrets(
        identity_api, failures, caplog):
    caplog.set_level(logging.INFO, logger='keystone_like.api.auth')
    support.issue(identity_api, failures['wrong password'])
    support.issue(identity_api, failures['disabled user'])
    token = identity_api.token()
    support.issue(identity_api, support.token_body(token[:-3]))
    records = [r for r in caplog.records
               if r.name == 'keystone_like.api.auth']
    assert [r.levelno for r in records] == [logging.INFO] * 3
    text = '\n'.join(r.getMessage() for r in records)
    assert "'dave'" in text and "'eve'" in text
    assert 'wrong password' in text and 'disabled' in text
    assert SECRET not in text and 'wrong-Pa55word' not in text
    assert token[:-3] not in text and token[:40] not in text
