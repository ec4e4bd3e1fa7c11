"""/v3/credentials: Keystone's shapes and checks, owners and policy,
blobs encrypted at rest, delegated tokens refused."""

import hashlib
import json
import logging

import pytest
import sqlalchemy as sa

from keystone_like import conf
from keystone_like.credential import crypto
from keystone_like.db import models
from keystone_like.token import keys
from tests.support import api
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

EC2_BLOB = '{"access": "%s", "secret": "s3cr3t-%s"}'


def create(send, **fields):
    """POST a credential; return it."""
    response = send('POST', '/credentials', {'credential': fields})
    assert response.status_int == 201, response.text
    return response.json['credential']


def caller(identity_api, name, role='member', **scope):
    """Return ``(user, token)``: a user with ``role`` on the admin project
    (or on the system with ``system='all'``) and a token of that scope."""
    user = support.make_user(identity_api, name, role=None)
    with identity_api.database.session() as session:
        target = ('system', '') if scope.get('system') else (
            'project', identity_api.admin_project['id'])
        api.grant(session, 'user', user['id'], *target,
                  identity_api.roles[role]['id'])
    if not scope:
        scope = {'project_id': identity_api.admin_project['id']}
    token = support.issue_token(user['id'], **scope)

    def send(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body, token=token)
    return user, send


def stored_row(identity_api, credential_id):
    with identity_api.database.session() as session:
        row = session.get(models.Credential, credential_id)
        return row.encrypted_blob, row.key_hash


def test_create_answers_keystone_shape_and_encrypts_the_blob(
        identity_api, admin):
    user_id = identity_api.admin_user['id']
    response = admin('POST', '/credentials', {'credential': {
        'type': 'cert', 'user_id': user_id, 'blob': 'PEM-secret-blob',
        'id': 'ignored', 'colour': 'blue'}})
    assert response.status_int == 201, response.text
    assert 'Location' not in response.headers
    cred = response.json['credential']
    assert cred == {
        'id': cred['id'], 'user_id': user_id, 'project_id': None,
        'type': 'cert', 'blob': 'PEM-secret-blob', 'colour': 'blue',
        'links': {'self': 'http://localhost/v3/credentials/' + cred['id']}}
    assert len(cred['id']) == 32 and cred['id'] != 'ignored'
    assert admin('GET', '/credentials/' + cred['id']).json == {
        'credential': cred}
    encrypted, key_hash = stored_row(identity_api, cred['id'])
    assert 'PEM-secret-blob' not in encrypted
    keyring = crypto.load(conf.CONF.credential.key_repository)
    assert key_hash == keyring.primary_hash
    assert keyring.decrypt(encrypted) == 'PEM-secret-blob'
    # The token keys cannot read it: the repositories are apart.
    with pytest.raises(Exception):
        keys.load(conf.CONF.fernet_tokens.key_repository).decrypt(
            encrypted.encode())


def test_ec2_credential_id_is_the_hash_of_its_access_key(identity_api,
                                                         admin):
    blob = EC2_BLOB % ('AKIA-1', 'a')
    cred = create(admin, type='ec2', blob=blob, id='ignored',
                  user_id=identity_api.admin_user['id'],
                  project_id=identity_api.admin_project['id'])
    assert cred['id'] == hashlib.sha256(b'AKIA-1').hexdigest()
    assert cred['blob'] == blob
    response = admin('POST', '/credentials', {'credential': {
        'type': 'ec2', 'blob': EC2_BLOB % ('AKIA-1', 'b'),
        'user_id': identity_api.admin_user['id'],
        'project_id': identity_api.admin_project['id']}})
    assert support.assert_error(response, 409) == (
        'Conflict occurred attempting to store credential - Duplicate entry '
        'found with ID %s.' % cred['id'])


@pytest.mark.parametrize('blob, message', [
    ('not json', 'Invalid blob in credential'),
    ('[1]', 'Expecting to find blob in credential.'),
    ('{}', 'Expecting to find blob in credential.'),
    ('{"secret": "x"}', 'Expecting to find access in credential.'),
    ('{"access": 5}', 'Expecting to find access in credential.'),
])
def test_ec2_blob_must_be_an_object_with_access(identity_api, admin, blob,
                                                message):
    response = admin('POST', '/credentials', {'credential': {
        'type': 'ec2', 'blob': blob, 'user_id': identity_api.admin_user['id'],
        'project_id': identity_api.admin_project['id']}})
    assert support.assert_error(response, 400).startswith(message)


def test_body_errors_never_echo_the_blob(identity_api, admin):
    user_id = identity_api.admin_user['id']
    for fields, expected in (
            ({'type': 'ec2', 'user_id': user_id, 'blob': 'topsecret'},
             "'project_id' is a required property"),
            ({'type': 'cert', 'user_id': user_id}, "'blob' is a required"),
            ({'type': 'cert', 'user_id': user_id, 'blob': 5},
             "'credential.blob': expected string"),
            ({'type': 'cert', 'user_id': 'no\x00pe', 'blob': 'topsecret'},
             "'credential.user_id'")):
        response = admin('POST', '/credentials', {'credential': fields})
        message = support.assert_error(response, 400)
        assert expected in message and 'topsecret' not in message
    response = admin('POST', '/credentials', {})
    assert "'credential' is a required property" in support.assert_error(
        response, 400)


def test_unknown_user_or_project_is_400(identity_api, admin):
    response = admin('POST', '/credentials', {'credential': {
        'type': 'cert', 'user_id': 'nobody', 'blob': 'x'}})
    assert support.assert_error(response, 400) == 'Could not find user: ' \
        'nobody.'
    response = admin('POST', '/credentials', {'credential': {
        'type': 'cert', 'user_id': identity_api.admin_user['id'],
        'project_id': 'nowhere', 'blob': 'x'}})
    assert support.assert_error(response, 400) == ('Could not find project: '
                                                   'nowhere.')


def test_list_filters_by_user_and_exact_type(identity_api, admin):
    bob, _send = caller(identity_api, 'bob')
    admin_id = identity_api.admin_user['id']
    mine = create(admin, type='cert', user_id=admin_id, blob='a')
    bobs = create(admin, type='totp', user_id=bob['id'], blob='b')

    def ids(query=''):
        return sorted(c['id'] for c in admin(
            'GET', '/credentials' + query).json['credentials'])
    assert ids() == sorted([mine['id'], bobs['id']])
    assert ids('?user_id=' + bob['id']) == [bobs['id']]
    assert ids('?type=cert') == [mine['id']]
    assert ids('?type=CERT') == []
    body = admin('GET', '/credentials?type=totp').json
    assert body['links'] == {
        'self': 'http://localhost/v3/credentials?type=totp',
        'previous': None, 'next': None}


def test_owners_manage_their_own_and_see_only_theirs(identity_api, admin):
    bob, as_bob = caller(identity_api, 'bob', role='reader')
    eve, as_eve = caller(identity_api, 'eve')
    own = create(as_bob, type='cert', user_id=bob['id'], blob='mine')
    other = create(admin, type='cert', user_id=eve['id'], blob='hers')
    assert [c['id'] for c in as_bob('GET', '/credentials').json[
        'credentials']] == [own['id']]
    assert as_bob('GET', '/credentials?user_id=' + eve['id']).json[
        'credentials'] == []
    assert as_bob('GET', '/credentials/' + own['id']).status_int == 200
    response = as_bob('PATCH', '/credentials/' + own['id'],
                      {'credential': {'blob': 'changed'}})
    assert response.json['credential']['blob'] == 'changed'
    for method, body in (('GET', None), ('DELETE', None),
                         ('PATCH', {'credential': {'blob': 'x'}})):
        response = as_bob(method, '/credentials/' + other['id'], body)
        support.assert_error(response, 403)
        # An unknown credential is 403 too: existence is not revealed.
        support.assert_error(as_bob(method, '/credentials/nope', body), 403)
        support.assert_error(admin(method, '/credentials/nope', body), 404)
    response = as_bob('POST', '/credentials', {'credential': {
        'type': 'cert', 'user_id': eve['id'], 'blob': 'x'}})
    support.assert_error(response, 403)
    assert as_bob('DELETE', '/credentials/' + own['id']).status_int == 204
    assert as_eve('GET', '/credentials/' + other['id']).status_int == 200


def test_system_reader_reads_all_but_writes_only_its_own(identity_api,
                                                         admin):
    auditor, as_auditor = caller(identity_api, 'auditor', role='reader',
                                 system='all')
    other = create(admin, type='cert', user_id=identity_api.admin_user['id'],
                   blob='x')
    assert other['id'] in [c['id'] for c in as_auditor(
        'GET', '/credentials').json['credentials']]
    assert as_auditor('GET', '/credentials/' + other['id']).status_int == 200
    support.assert_error(as_auditor('DELETE', '/credentials/' + other['id']),
                         403)
    create(as_auditor, type='cert', user_id=auditor['id'], blob='mine')


def test_update_changes_the_blob_only(identity_api, admin):
    cred = create(admin, type='cert', user_id=identity_api.admin_user['id'],
                  blob='old', extra_field='kept')
    _encrypted, before = stored_row(identity_api, cred['id'])
    for change in ({'type': 'ec2'}, {'user_id': 'x'}, {'project_id': 'x'},
                   {'id': cred['id'], 'blob': 'x'}, {}):
        response = admin('PATCH', '/credentials/' + cred['id'],
                         {'credential': change})
        support.assert_error(response, 400)
    response = admin('PATCH', '/credentials/' + cred['id'],
                     {'credential': {'blob': 'new'}})
    assert response.status_int == 200
    assert response.json['credential'] == dict(cred, blob='new')
    assert admin('GET', '/credentials/' + cred['id']).json[
        'credential']['blob'] == 'new'
    assert stored_row(identity_api, cred['id'])[1] == before


def test_ec2_update_keeps_an_object_and_its_delegation(identity_api, admin):
    cred = create(admin, type='ec2', user_id=identity_api.admin_user['id'],
                  project_id=identity_api.admin_project['id'],
                  blob='{"access": "a1", "secret": "s", "trust_id": "t"}')
    path = '/credentials/' + cred['id']
    for blob, message in (
            ('zz', 'Invalid blob in credential'),
            ('{"access": "a1", "secret": "s"}',
             'trust_id can not be updated for credential'),
            ('{"access": "a1", "trust_id": "t", "access_id": "x"}',
             'access_id can not be updated for credential')):
        response = admin('PATCH', path, {'credential': {'blob': blob}})
        assert support.assert_error(response, 400) == message
    # As Keystone (and tempest expects), the keys themselves may change.
    new = '{"access": "a2", "secret": "s2", "trust_id": "t"}'
    response = admin('PATCH', path, {'credential': {'blob': new}})
    assert response.json['credential']['blob'] == new
    assert response.json['credential']['id'] == cred['id']


def test_deleting_the_user_or_project_deletes_credentials(identity_api,
                                                          admin):
    bob, _send = caller(identity_api, 'bob')
    project = admin('POST', '/projects', {'project': {
        'name': 'p', 'domain_id': 'default'}}).json['project']
    of_user = create(admin, type='cert', user_id=bob['id'], blob='x')
    of_project = create(admin, type='cert', project_id=project['id'],
                        user_id=identity_api.admin_user['id'], blob='y')
    assert admin('DELETE', '/users/' + bob['id']).status_int == 204
    assert admin('DELETE', '/projects/' + project['id']).status_int == 204
    for cred in (of_user, of_project):
        support.assert_error(admin('GET', '/credentials/' + cred['id']), 404)


def test_user_limit(identity_api, admin):
    conf.CONF.set_override('user_limit', 1, 'credential')
    try:
        create(admin, type='cert', user_id=identity_api.admin_user['id'],
               blob='x')
        response = admin('POST', '/credentials', {'credential': {
            'type': 'cert', 'user_id': identity_api.admin_user['id'],
            'blob': 'y'}})
        assert support.assert_error(response, 403) == (
            'Unable to create additional credentials, maximum of 1 already '
            'exceeded for user.')
    finally:
        conf.CONF.clear_override('user_limit', 'credential')


def test_delegated_tokens_cannot_touch_credentials(identity_api, admin):
    cred = create(admin, type='cert', user_id=identity_api.admin_user['id'],
                  blob='x')
    found = support.backends()
    with found.database.session() as session:
        delegated = found.tokens.issue(
            session, identity_api.admin_user['id'],
            ['application_credential'],
            project_id=identity_api.admin_project['id']).id

    def send(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body,
                                    token=delegated)
    message = ('You are not authorized to perform the requested action: '
               'Delegated tokens cannot access credentials directly.')
    for method, path, body in (
            ('GET', '/credentials/' + cred['id'], None),
            ('DELETE', '/credentials/' + cred['id'], None),
            ('PATCH', '/credentials/' + cred['id'],
             {'credential': {'blob': 'y'}}),
            ('POST', '/credentials', {'credential': {
                'type': 'cert', 'blob': 'z',
                'user_id': identity_api.admin_user['id']}})):
        assert support.assert_error(send(method, path, body), 403) == message
    assert send('GET', '/credentials').json['credentials'] == []


def test_blobs_never_reach_the_log(identity_api, admin, caplog):
    caplog.set_level(logging.DEBUG)
    cred = create(admin, type='ec2', user_id=identity_api.admin_user['id'],
                  project_id=identity_api.admin_project['id'],
                  blob=EC2_BLOB % ('AKIA-log', 'logged'))
    admin('GET', '/credentials')
    admin('PATCH', '/credentials/' + cred['id'], {'credential': {
        'blob': EC2_BLOB % ('AKIA-log', 'patched')}})
    admin('DELETE', '/credentials/' + cred['id'])
    assert 's3cr3t-' not in caplog.text


def test_a_blob_no_key_decrypts_is_500_without_detail(identity_api, admin):
    cred = create(admin, type='cert', user_id=identity_api.admin_user['id'],
                  blob='x')
    with identity_api.database.session() as session:
        session.execute(sa.update(models.Credential).values(
            encrypted_blob='gAAAAA-not-a-token'))
    response = admin('GET', '/credentials/' + cred['id'])
    assert support.assert_error(response, 500) == (
        'Credential could not be decrypted. Please contact the '
        'administrator')
    assert json.dumps(response.json).count('gAAAAA') == 0
