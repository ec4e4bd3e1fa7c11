"""Resource options: user and project ``options``, immutable projects and
domains, ``lock_password``."""

import pytest

from keystone_like.store import users
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)
LOCKED = {'options': {'immutable': True}}


def test_user_options_are_stored_merged_and_removed(identity_api, admin):
    response = admin('POST', '/users', {'user': {
        'name': 'u', 'options': {'ignore_password_expiry': True,
                                 'multi_factor_auth_rules': [['password',
                                                              'totp']]}}})
    assert response.status_int == 201, response.text
    user = response.json['user']
    assert user['options'] == {'ignore_password_expiry': True,
                               'multi_factor_auth_rules': [['password',
                                                            'totp']]}
    changed = admin('PATCH', '/users/' + user['id'], {'user': {'options': {
        'ignore_password_expiry': None, 'lock_password': True}}})
    assert changed.json['user']['options'] == {
        'multi_factor_auth_rules': [['password', 'totp']],
        'lock_password': True}
    with identity_api.database.session() as session:
        assert users.get_options(session, user['id']) == changed.json[
            'user']['options']
    assert admin('GET', '/users/' + user['id']).json['user'][
        'options'] == changed.json['user']['options']


@pytest.mark.parametrize('options', [
    {'immutable': True}, {'lock_password': 'yes'},
    {'multi_factor_auth_rules': [[]]},
    {'multi_factor_auth_rules': [['password', 'password']]},
    {'multi_factor_auth_rules': [['a'], ['a']]},
    {'multi_factor_auth_rules': ['password']}])
def test_bad_user_options_are_400(admin, options):
    support.assert_error(admin('POST', '/users', {'user': {
        'name': 'u', 'options': options}}), 400)


@pytest.mark.parametrize('options', [{'lock_password': True},
                                     {'immutable': 1}])
def test_bad_project_options_are_400(admin, options):
    support.assert_error(admin('POST', '/projects', {'project': {
        'name': 'p', 'options': options}}), 400)


def test_immutable_project_refuses_changes_until_unlocked(admin):
    project = admin('POST', '/projects', {'project': dict(
        LOCKED, name='p')}).json['project']
    assert project['options'] == {'immutable': True}
    path = '/projects/' + project['id']
    for method, subpath, body in (
            ('PATCH', '', {'project': {'name': 'q'}}),
            ('PATCH', '', {'project': {'options': {'immutable': False},
                                       'name': 'q'}}),
            ('DELETE', '', None), ('PUT', '/tags/t', None),
            ('PUT', '/tags', {'tags': ['t']}), ('DELETE', '/tags', None)):
        message = support.assert_error(admin(method, path + subpath, body),
                                       403)
        assert 'immutable' in message
    unlocked = admin('PATCH', path, {'project': {'options': {
        'immutable': None}}})
    assert unlocked.json['project']['options'] == {}
    assert admin('DELETE', path).status_int == 204


def test_immutable_domain_and_domains_holding_one(admin):
    domain = admin('POST', '/domains', {'domain': dict(
        LOCKED, name='d')}).json['domain']
    path = '/domains/' + domain['id']
    support.assert_error(admin('PATCH', path, {'domain': {
        'enabled': False}}), 403)
    admin('PATCH', path, {'domain': {'options': {'immutable': False}}})
    admin('POST', '/projects', {'project': dict(
        LOCKED, name='p', domain_id=domain['id'])})
    admin('PATCH', path, {'domain': {'enabled': False}})
    message = support.assert_error(admin('DELETE', path), 403)
    assert 'immutable project' in message


def test_lock_password_refuses_self_service_changes(identity_api, admin):
    user = support.make_user(identity_api, 'locked')
    admin('PATCH', '/users/' + user['id'], {'user': {'options': {
        'lock_password': True}}})
    body = {'user': {'original_password': support.PASSWORD,
                     'password': 'new-Pa55word'}}
    path = '/v3/users/%s/password' % user['id']
    message = support.assert_error(identity_api.request(
        'POST', path, body, listener='public'), 400)
    assert message.startswith('You cannot change your password')
    # A wrong original password is still 401: the lock reveals nothing.
    wrong = dict(body['user'], original_password='wrong-Pa55word')
    support.assert_error(identity_api.request(
        'POST', path, {'user': wrong}, listener='public'), 401)
    # An administrator still sets it.
    assert admin('PATCH', '/users/' + user['id'], {'user': {
        'password': 'new-Pa55word'}}).status_int == 200
