"""OS-EC2 credentials and /v3/ec2tokens with requests signed by botocore."""

import datetime
import hashlib
import logging
import re

import pytest

from keystone_like import conf
from keystone_like.store import assignments
from tests.support import api_users_support as support
from tests.support import ec2_signing

pytestmark = pytest.mark.timeout(60)
HEX32 = re.compile(r'[0-9a-f]{32}')


@pytest.fixture
def bob(identity_api):
    """A member of the admin project: ``(user, send)``."""
    user, token = support.member(identity_api, 'bob')

    def send(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body, token=token)
    return user, send


def ec2_path(user_id, access=''):
    path = '/users/%s/credentials/OS-EC2' % user_id
    return path + '/' + access if access else path


def make_ec2(identity_api, bob):
    """Bob's EC2 credential for the admin project."""
    user, send = bob
    response = send('POST', ec2_path(user['id']),
                    {'tenant_id': identity_api.admin_project['id']})
    assert response.status_int == 201, response.text
    return response.json['credential']


def test_create_list_show_delete(identity_api, admin, bob):
    user, send = bob
    cred = make_ec2(identity_api, bob)
    access = cred['access']
    assert cred == {
        'user_id': user['id'], 'tenant_id': identity_api.admin_project['id'],
        'access': access, 'secret': cred['secret'], 'trust_id': None,
        'links': {'self': 'http://localhost/v3' + ec2_path(user['id'],
                                                           access)}}
    assert HEX32.fullmatch(access) and HEX32.fullmatch(cred['secret'])
    # As Keystone, the owner gets the secret again (EC2 clients need it).
    assert send('GET', ec2_path(user['id'], access)).json == {
        'credential': cred}
    listed = send('GET', ec2_path(user['id'])).json
    assert listed == {'credentials': [cred], 'links': {
        'self': 'http://localhost/v3' + ec2_path(user['id']),
        'previous': None, 'next': None}}
    # It is an ec2 credential of /v3/credentials, id the access key's hash.
    v3 = admin('GET', '/credentials?type=ec2').json['credentials']
    assert [c['id'] for c in v3] == [
        hashlib.sha256(access.encode()).hexdigest()]
    assert send('DELETE', ec2_path(user['id'], access)).status_int == 204
    response = send('GET', ec2_path(user['id'], access))
    assert support.assert_error(response, 404) == (
        'Could not find credential: %s.' % v3[0]['id'])


def test_create_errors(identity_api, admin, bob):
    user, send = bob
    path = ec2_path(user['id'])
    for body, message in ((None, 'Could not find project: None.'),
                          ({}, 'Could not find project: None.'),
                          ({'tenant_id': 'nowhere'},
                           'Could not find project: nowhere.')):
        assert support.assert_error(send('POST', path, body), 404) == message
    response = admin('POST', ec2_path('nobody'),
                     {'tenant_id': identity_api.admin_project['id']})
    assert support.assert_error(response, 404) == 'Could not find user: ' \
        'nobody.'
    support.assert_error(send('POST', path, {'tenant_id': 5}), 400)


def test_policy(identity_api, admin, bob):
    user, send = bob
    cred = make_ec2(identity_api, bob)
    reader = support.make_user(identity_api, 'rita', role='reader')
    rita_token = support.issue_token(
        reader['id'], project_id=identity_api.admin_project['id'])

    def as_rita(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body,
                                    token=rita_token)
    body = {'tenant_id': identity_api.admin_project['id']}
    # Creating and deleting needs the member role, even for one's own.
    support.assert_error(as_rita('POST', ec2_path(reader['id']), body), 403)
    assert as_rita('GET', ec2_path(reader['id'])).json['credentials'] == []
    # Another user's credentials are not yours.
    support.assert_error(send('POST', ec2_path(reader['id']), body), 403)
    support.assert_error(as_rita('GET', ec2_path(user['id'])), 403)
    support.assert_error(as_rita('GET', ec2_path(user['id'],
                                                 cred['access'])), 403)
    support.assert_error(as_rita('DELETE', ec2_path(user['id'],
                                                    cred['access'])), 403)
    # Unknown access keys are 404 for anyone (Keystone loads them first);
    # an unknown user in the path is 404 once authorized.
    support.assert_error(as_rita('GET', ec2_path(user['id'], 'nope')), 404)
    support.assert_error(admin('GET', ec2_path('nobody', cred['access'])),
                         404)
    assert admin('GET', ec2_path(user['id'], cred['access'])).json[
        'credential']['secret'] == cred['secret']


def ec2_token(identity_api, body, token=None):
    return identity_api.request('POST', '/v3/ec2tokens', body, token=token)


@pytest.mark.parametrize('signed', [ec2_signing.v4_body,
                                    ec2_signing.v2_body])
def test_signed_request_gets_a_project_token(identity_api, admin, bob,
                                             signed, caplog):
    caplog.set_level(logging.DEBUG)
    user, _send = bob
    cred = make_ec2(identity_api, bob)
    admin_token = support.admin_token(identity_api)
    response = ec2_token(identity_api, signed(cred['access'],
                                              cred['secret']), admin_token)
    assert response.status_int == 200, response.text
    token_id = response.headers['X-Subject-Token']
    token = response.json['token']
    assert token['methods'] == ['ec2credential']
    assert token['user']['id'] == user['id']
    assert token['project']['id'] == identity_api.admin_project['id']
    assert {r['name'] for r in token['roles']} == {'member', 'reader'}
    assert 'catalog' in token
    # A service validates it like any token.
    validated = identity_api.request(
        'GET', '/v3/auth/tokens', token=admin_token,
        headers={'X-Subject-Token': token_id})
    assert validated.status_int == 200
    assert validated.json['token']['methods'] == ['ec2credential']
    assert cred['secret'] not in caplog.text


def test_ec2_token_authorizes_nothing_here(identity_api, bob):
    cred = make_ec2(identity_api, bob)
    token_id = ec2_token(identity_api, ec2_signing.v4_body(
        cred['access'], cred['secret']), support.admin_token(
            identity_api)).headers['X-Subject-Token']
    response = identity_api.request('GET', '/v3/users/' + bob[0]['id'],
                                    token=token_id)
    assert support.assert_error(response, 403) == (
        'You are not authorized to perform the requested action.')
    response = identity_api.request('POST', '/v3/auth/tokens', {
        'auth': {'identity': {'methods': ['token'],
                              'token': {'id': token_id}}}})
    # Keystone's message, its double full stop included.
    assert support.assert_error(response, 403) == (
        'You are not authorized to perform the requested action: Using a '
        'delegated token to create another token is not allowed..')
    response = identity_api.request('POST', '/v3/auth/tokens', {
        'auth': {'identity': {'methods': ['ec2credential'],
                              'ec2credential': {}}}})
    support.assert_error(response, 401)


def test_who_may_ask(identity_api, bob):
    cred = make_ec2(identity_api, bob)
    body = ec2_signing.v4_body(cred['access'], cred['secret'])
    support.assert_error(ec2_token(identity_api, body), 401)
    _user, member_token = support.member(identity_api, 'carol')
    assert support.assert_error(ec2_token(identity_api, body, member_token),
                                403) == ('You are not authorized to perform '
                                         'the requested action: '
                                         'identity:ec2tokens_validate.')
    service_user = support.make_user(identity_api, 'nova', role='service')
    service_token = support.issue_token(
        service_user['id'], project_id=identity_api.admin_project['id'])
    assert ec2_token(identity_api, body, service_token).status_int == 200


def test_refusals(identity_api, bob, caplog):
    caplog.set_level(logging.DEBUG)
    cred = make_ec2(identity_api, bob)
    admin_token = support.admin_token(identity_api)
    access, secret = cred['access'], cred['secret']
    wrong = ec2_signing.v4_body(access, 'not-the-secret')
    generic = 'The request you have made requires authentication.'
    assert support.assert_error(ec2_token(identity_api, wrong, admin_token),
                                401) == generic
    unknown = ec2_signing.v4_body('unknown', secret)
    assert support.assert_error(ec2_token(identity_api, unknown,
                                          admin_token), 404) == (
        'EC2 access key not found.')
    for body in ({}, None):
        assert support.assert_error(ec2_token(identity_api, body,
                                              admin_token), 400) == (
            'request must include a request body')
    malformed = [{'credentials': {}}, {'credentials': {'access': access}},
                 {'credentials': {'access': access, 'signature': 'x',
                                  'params': 'not a dict'}},
                 {'credentials': {'access': access, 'signature': 'x',
                                  'params': {'SignatureVersion': '1'}}}]
    for body in malformed:
        support.assert_error(ec2_token(identity_api, body, admin_token), 401)
    assert secret not in caplog.text


def test_signatures_outside_auth_ttl_are_refused(identity_api, bob):
    cred = make_ec2(identity_api, bob)
    admin_token = support.admin_token(identity_api)
    now = datetime.datetime.now(datetime.timezone.utc)
    ttl = datetime.timedelta(minutes=conf.CONF.credential.auth_ttl)
    for when, status in ((now - ttl + datetime.timedelta(minutes=1), 200),
                         (now - ttl - datetime.timedelta(minutes=1), 401),
                         (now + ttl + datetime.timedelta(minutes=1), 401)):
        body = ec2_signing.v2_body_at(cred['access'], cred['secret'], when)
        response = ec2_token(identity_api, body, admin_token)
        assert response.status_int == status, (when, response.text)


def test_a_signature_made_without_the_port_is_accepted(identity_api, bob):
    cred = make_ec2(identity_api, bob)
    body = ec2_signing.v2_body(cred['access'], cred['secret'],
                               host='ec2.example.test')
    body['credentials']['host'] = 'ec2.example.test:8773'
    assert ec2_token(identity_api, body, support.admin_token(
        identity_api)).status_int == 200


def test_disabled_user_or_lost_role_is_refused(identity_api, admin, bob):
    user, _send = bob
    cred = make_ec2(identity_api, bob)
    admin_token = support.admin_token(identity_api)
    body = ec2_signing.v4_body(cred['access'], cred['secret'])
    assert admin('PATCH', '/users/' + user['id'], {
        'user': {'enabled': False}}).status_int == 200
    support.assert_error(ec2_token(identity_api, body, admin_token), 401)
    assert admin('PATCH', '/users/' + user['id'], {
        'user': {'enabled': True}}).status_int == 200
    assert ec2_token(identity_api, body, admin_token).status_int == 200
    with identity_api.database.session() as session:
        assignments.delete_grant(session, assignments.Grant(
            'user', user['id'], 'project', identity_api.admin_project['id'],
            identity_api.roles['member']['id']))
    support.assert_error(ec2_token(identity_api, body, admin_token), 401)


def test_a_credential_bound_to_a_delegation_gets_no_token(identity_api,
                                                          admin):
    blob = '{"access": "bound", "secret": "s", "trust_id": "t"}'
    assert admin('POST', '/credentials', {'credential': {
        'type': 'ec2', 'blob': blob, 'user_id': identity_api.admin_user['id'],
        'project_id': identity_api.admin_project['id']}}).status_int == 201
    body = ec2_signing.v4_body('bound', 's')
    support.assert_error(ec2_token(identity_api, body, support.admin_token(
        identity_api)), 401)
