"""``[security_compliance]`` through the real pipelines, on both databases.

Time is moved by editing the stored timestamps (the real database), not
by waiting: a lockout that began an hour ago, a password set last year.
"""

import datetime

import pytest
import sqlalchemy as sa

from keystone_like import conf
from keystone_like.db import models
from keystone_like.db import revision
from tests.support import api_auth_support as support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(60)
PASSWORD = 'Right-pa55word'
WRONG = 'Wrong-pa55word'


@pytest.fixture
def compliance():
    """Set ``[security_compliance]`` options for one test."""
    names = []

    def apply(**options):
        for name, value in options.items():
            conf.CONF.set_override(name, value, 'security_compliance')
            names.append(name)
    yield apply
    for name in names:
        conf.CONF.clear_override(name, 'security_compliance')


def login(api, user_id, password=PASSWORD):
    """POST a password login of the user; return the response."""
    return support.issue(api, support.password_body(password,
                                                    {'id': user_id}))


def change(api, user_id, original, new):
    """POST a self-service password change; return the response."""
    return api.request('POST', '/v3/users/%s/password' % user_id,
                       {'user': {'original_password': original,
                                 'password': new}}, listener='public')


def set_columns(api, user_id, **values):
    """Write user columns directly (moving time for one user)."""
    with api.database.session() as session:
        session.execute(sa.update(models.User).where(
            models.User.id == user_id).values(**values))


def ago(**delta):
    return models.utcnow() - datetime.timedelta(**delta)


def test_lockout_refuses_the_right_password_until_it_expires(
        identity_api, compliance):
    compliance(lockout_failure_attempts=3, lockout_duration=60)
    user = support.make_user(identity_api, 'victim', PASSWORD)
    token, _body = support.issued(identity_api, support.password_body(
        PASSWORD, {'id': user['id']}))
    for _attempt in range(3):
        assert login(identity_api, user['id'], WRONG).status_int == 401
    response = login(identity_api, user['id'])
    message = users_support.assert_error(response, 401)
    assert message == 'The account is locked for user: %s.' % user['id']
    # As Keystone: a lockout does not revoke tokens issued before it.
    admin = users_support.admin_token(identity_api)
    assert support.on_subject(identity_api, admin,
                              token).status_int == 200
    set_columns(identity_api, user['id'], failed_auth_at=ago(seconds=61))
    assert login(identity_api, user['id']).status_int == 201
    # A success resets the count: two more failures do not lock.
    for _attempt in range(2):
        login(identity_api, user['id'], WRONG)
    assert login(identity_api, user['id']).status_int == 201


def test_lockout_exemption_and_unlock_by_enabling(identity_api, compliance,
                                                  admin):
    compliance(lockout_failure_attempts=1)
    exempt = support.make_user(identity_api, 'exempt', PASSWORD, options={
        'ignore_lockout_failure_attempts': True})
    locked = support.make_user(identity_api, 'locked', PASSWORD)
    for user in (exempt, locked):
        login(identity_api, user['id'], WRONG)
    assert login(identity_api, exempt['id']).status_int == 201
    assert login(identity_api, locked['id']).status_int == 401
    response = admin('PATCH', '/users/' + locked['id'],
                     {'user': {'enabled': True}})
    assert response.status_int == 200
    assert login(identity_api, locked['id']).status_int == 201


def test_failed_logins_do_not_move_the_revision(identity_api, compliance):
    compliance(lockout_failure_attempts=2)
    user = support.make_user(identity_api, 'quiet', PASSWORD)
    with identity_api.database.session() as session:
        before = revision.current(session)
    for password in (WRONG, WRONG, PASSWORD):
        login(identity_api, user['id'], password)
    with identity_api.database.session() as session:
        assert revision.current(session) == before
        row = session.get(models.User, user['id'])
        assert row.failed_auth_count == 2


def test_password_expiry_is_shown_enforced_and_changeable(
        identity_api, compliance, admin):
    compliance(password_expires_days=10)
    response = admin('POST', '/users', {'user': {
        'name': 'expiring', 'domain_id': 'default', 'password': PASSWORD}})
    user = response.json['user']
    expires = datetime.datetime.strptime(user['password_expires_at'],
                                         '%Y-%m-%dT%H:%M:%S.%f')
    assert abs(expires - models.utcnow() - datetime.timedelta(
        days=10)) < datetime.timedelta(minutes=1)
    _token, body = support.issued(identity_api, support.password_body(
        PASSWORD, {'id': user['id']}))
    assert body['user']['password_expires_at'] == user['password_expires_at']
    set_columns(identity_api, user['id'], password_expires_at=ago(days=1))
    message = users_support.assert_error(login(identity_api, user['id']),
                                         401)
    assert message == ('The password is expired and needs to be changed '
                       'for user: %s.' % user['id'])
    # The expired password still authorises its own change.
    assert change(identity_api, user['id'], PASSWORD,
                  'Next-pa55word').status_int == 204
    assert login(identity_api, user['id'], 'Next-pa55word').status_int == 201
    # ignore_password_expiry exempts.
    set_columns(identity_api, user['id'], password_expires_at=ago(days=1),
                options={'ignore_password_expiry': True})
    assert login(identity_api, user['id'], 'Next-pa55word').status_int == 201


def test_change_password_upon_first_use(identity_api, compliance, admin):
    compliance(change_password_upon_first_use=True)
    response = admin('POST', '/users', {'user': {
        'name': 'newbie', 'domain_id': 'default', 'password': PASSWORD}})
    user_id = response.json['user']['id']
    assert response.json['user']['password_expires_at'] is not None
    assert login(identity_api, user_id).status_int == 401
    assert change(identity_api, user_id, PASSWORD,
                  'Mine-pa55word').status_int == 204
    assert login(identity_api, user_id, 'Mine-pa55word').status_int == 201
    # An administrative reset expires the password again...
    admin('PATCH', '/users/' + user_id, {'user': {'password': PASSWORD}})
    assert login(identity_api, user_id).status_int == 401
    # ...unless the user is exempt.
    admin('PATCH', '/users/' + user_id, {'user': {
        'options': {'ignore_change_password_upon_first_use': True}}})
    admin('PATCH', '/users/' + user_id, {'user': {'password': PASSWORD}})
    assert login(identity_api, user_id).status_int == 201


def test_password_history_binds_self_service_only(identity_api, compliance,
                                                  admin):
    compliance(unique_last_password_count=2)
    user = support.make_user(identity_api, 'history', PASSWORD)
    message = users_support.assert_error(
        change(identity_api, user['id'], PASSWORD, PASSWORD), 400)
    assert 'cannot be identical to a previous password' in message
    assert change(identity_api, user['id'], PASSWORD,
                  'Second-pa55word').status_int == 204
    # The one before the current is still remembered (count 2).
    users_support.assert_error(change(
        identity_api, user['id'], 'Second-pa55word', PASSWORD), 400)
    assert change(identity_api, user['id'], 'Second-pa55word',
                  'Third-pa55word').status_int == 204
    assert change(identity_api, user['id'], 'Third-pa55word',
                  PASSWORD).status_int == 204
    # Administrators may reset to a remembered password.
    response = admin('PATCH', '/users/' + user['id'],
                     {'user': {'password': PASSWORD}})
    assert response.status_int == 200


def test_minimum_password_age(identity_api, compliance, admin):
    compliance(minimum_password_age=1)
    user = support.make_user(identity_api, 'patient', PASSWORD)
    # A password set by an administrator may be changed at once.
    assert change(identity_api, user['id'], PASSWORD,
                  'Second-pa55word').status_int == 204
    message = users_support.assert_error(change(
        identity_api, user['id'], 'Second-pa55word', 'Third-pa55word'), 400)
    assert 'minimum password age' in message
    set_columns(identity_api, user['id'], password_created_at=ago(days=2))
    assert change(identity_api, user['id'], 'Second-pa55word',
                  'Third-pa55word').status_int == 204


def test_password_regex(identity_api, compliance, admin):
    compliance(password_regex=r'^(?=.*\d)(?=.*[a-zA-Z]).{7,}$',
               password_regex_description='7 characters with a digit')
    response = admin('POST', '/users', {'user': {
        'name': 'weak', 'domain_id': 'default', 'password': 'short'}})
    message = users_support.assert_error(response, 400)
    assert message == ('The password does not match the requirements: '
                       '7 characters with a digit.')
    assert 'short' not in response.text.replace(message, '')
    user = support.make_user(identity_api, 'strong', PASSWORD)
    users_support.assert_error(change(identity_api, user['id'], PASSWORD,
                                      'lettersonly'), 400)
    users_support.assert_error(admin('PATCH', '/users/' + user['id'], {
        'user': {'password': 'lettersonly'}}), 400)


def test_inactive_users_read_as_disabled_until_enabled(
        identity_api, compliance, admin):
    compliance(disable_user_account_days_inactive=5)
    user = support.make_user(identity_api, 'sleeper', PASSWORD)
    support.grant(identity_api, user['id'],
                  project_id=identity_api.admin_project['id'])
    token, _body = support.issued(identity_api, support.password_body(
        PASSWORD, {'id': user['id']}))
    caller = users_support.admin_token(identity_api)
    set_columns(identity_api, user['id'],
                last_active_at=ago(days=6).date())
    response = admin('GET', '/users/' + user['id'])
    assert response.json['user']['enabled'] is False
    assert login(identity_api, user['id']).status_int == 401
    assert support.on_subject(identity_api, caller,
                              token).status_int == 404
    admin('PATCH', '/users/' + user['id'], {'user': {'enabled': True}})
    assert admin('GET', '/users/' + user['id']).json['user']['enabled']
    assert login(identity_api, user['id']).status_int == 201


def test_everything_off_by_default(identity_api, admin):
    response = admin('POST', '/users', {'user': {
        'name': 'plain', 'domain_id': 'default', 'password': 'x'}})
    user = response.json['user']
    assert user['password_expires_at'] is None
    for _attempt in range(5):
        login(identity_api, user['id'], WRONG)
    assert login(identity_api, user['id'], 'x').status_int == 201
