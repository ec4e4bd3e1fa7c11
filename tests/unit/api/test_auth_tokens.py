"""GET/HEAD/DELETE /v3/auth/tokens: validate, check, revoke; bad tokens."""

import datetime

import pytest

from keystone_like import conf
from keystone_like.token import formats
from keystone_like.token import keys
from keystone_like.token import provider
from tests.support import api_auth_support as support
from tests.support import revocation_support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def bob(identity_api):
    """A member of project ``p1`` and a project-scoped token of his."""
    project = support.make_project(identity_api, 'p1')
    user = support.make_user(identity_api, 'bob', 'bob-secret')
    support.grant(identity_api, user['id'], 'member', project_id=project['id'])
    token = identity_api.token('bob', 'bob-secret', project='p1')
    return dict(user, token=token, project=project)


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_validate_echoes_the_subject_and_its_body(identity_api, listener):
    api = identity_api
    issued = support.issue(api, api.password_auth(scope={'project': {
        'id': api.admin_project['id']}}))
    subject = issued.headers['X-Subject-Token']
    caller = api.token(project=None)
    response = support.on_subject(api, caller, subject, listener=listener)
    assert response.status_int == 200
    assert response.content_type == 'application/json'
    assert response.headers['X-Subject-Token'] == subject
    assert response.json == issued.json
    nocatalog = support.on_subject(api, caller, subject, listener=listener,
                                   query='?nocatalog')
    assert 'catalog' not in nocatalog.json['token']
    assert nocatalog.json['token']['roles']


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_check_is_200_without_a_body(identity_api, listener):
    token = identity_api.token()
    response = support.on_subject(identity_api, token, token, 'HEAD',
                                  listener)
    assert response.status_int == 200
    assert response.body == b''
    assert response.headers['X-Subject-Token'] == token


def test_users_may_validate_their_own_tokens_only(identity_api, bob):
    api = identity_api
    admin_token = api.token()
    for method in ('GET', 'HEAD'):
        mine = support.on_subject(api, bob['token'], bob['token'], method)
        assert mine.status_int == 200
        other = support.on_subject(api, bob['token'], admin_token, method)
        assert other.status_int == 403
    assert support.on_subject(api, admin_token, bob['token']).status_int == 200
    refused = support.on_subject(api, bob['token'], admin_token, 'DELETE')
    assert refused.status_int == 403
    assert support.on_subject(api, admin_token, admin_token).status_int == 200


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'DELETE'])
def test_caller_token_is_required(identity_api, method):
    token = identity_api.token()
    for caller in (None, '', 'garbage', token[:-2]):
        response = identity_api.request(
            method, support.TOKENS, token=caller,
            headers={'X-Subject-Token': token})
        assert response.status_int == 401, caller
        assert response.headers['WWW-Authenticate'].startswith(
            'Keystone uri="http://localhost')


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'DELETE'])
def test_missing_subject_is_404(identity_api, method):
    token = identity_api.token()
    response = identity_api.request(method, support.TOKENS, token=token)
    assert response.status_int == 404
    if method != 'HEAD':
        # Keystone's words.
        assert response.json['error']['message'] == 'No token in the request'


def _expired_token(api):
    now = datetime.datetime.now(datetime.timezone.utc)
    payload = formats.TokenPayload(
        user_id=api.admin_user['id'], methods=['password'],
        project_id=api.admin_project['id'],
        issued_at=now - datetime.timedelta(hours=2),
        expires_at=now - datetime.timedelta(seconds=1),
        audit_ids=formats.new_audit_ids())
    return formats.encrypt(payload, keys.load(keys.repository_path(
        conf.CONF)))


def _bad_tokens(api):
    good = api.token()
    middle = len(good) // 2
    flipped = 'A' if good[middle] != 'A' else 'B'
    return {
        'tampered': good[:middle] + flipped + good[middle + 1:],
        'truncated': good[:-5],
        'extended': good + 'AAAA',
        'garbage': 'not-a-token',
        'non-alphabet': good[:10] + '*' + good[11:],
        'huge': 'A' * 5000,
        'expired': _expired_token(api),
    }


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_bad_tokens_are_404_as_subject_and_401_as_caller(identity_api,
                                                         listener):
    api = identity_api
    caller = api.token()
    for case, bad in _bad_tokens(api).items():
        for method in ('GET', 'HEAD', 'DELETE'):
            response = support.on_subject(api, caller, bad, method, listener)
            assert response.status_int == 404, (case, method)
        for path in ('/v3/auth/tokens', '/v3/auth/projects',
                     '/v3/auth/catalog'):
            response = api.request('GET', path, token=bad,
                                   listener=listener,
                                   headers={'X-Subject-Token': caller})
            assert response.status_int == 401, (case, path)
        response = support.issue(api, support.token_body(bad), listener)
        assert response.status_int == 404, case


def test_expired_token_would_be_valid_otherwise(identity_api):
    """The crafted expired token fails only because it expired."""
    token = _expired_token(identity_api)
    payload = formats.decrypt(token, keys.load(keys.repository_path(
        conf.CONF)))
    assert payload.user_id == identity_api.admin_user['id']
    assert formats.is_expired(payload)


@pytest.mark.parametrize('listener', support.LISTENERS)
def test_revoked_token_fails_everywhere(identity_api, listener):
    api = identity_api
    caller = api.token()
    subject = api.token()
    response = support.on_subject(api, caller, subject, 'DELETE', listener)
    assert response.status_int == 204
    assert response.body == b''
    for where in support.LISTENERS:
        assert support.on_subject(api, caller, subject,
                                  listener=where).status_int == 404
        assert support.on_subject(api, subject, caller,
                                  listener=where).status_int == 401
        assert support.issue(api, support.token_body(subject),
                             where).status_int == 404
    assert support.on_subject(api, caller, subject,
                              'DELETE').status_int == 404
    assert support.on_subject(api, caller, caller).status_int == 200


def test_revocation_is_in_the_database_for_every_process(identity_api):
    api = identity_api
    subject = api.token()
    assert support.on_subject(api, subject, subject,
                              'DELETE').status_int == 204
    # A provider with its own key cache, as another worker or node has.
    other = provider.TokenProvider(conf.CONF, keys.KeyCache(
        keys.repository_path(conf.CONF)))
    with api.database.session() as session:
        events = revocation_support.list_events(session)
        with pytest.raises(provider.TokenNotFound):
            other.validate(session, subject)
    payload = formats.decrypt(subject, keys.load(keys.repository_path(
        conf.CONF)))
    assert [e['audit_id'] for e in events] == [payload.audit_id]


def test_revoking_a_rescoped_token_leaves_its_parent_valid(identity_api):
    api = identity_api
    parent = api.token(project=None)
    child, _ = support.issued(api, support.token_body(
        parent, {'domain': {'id': 'default'}}))
    sibling, _ = support.issued(api, support.token_body(
        parent, {'project': {'id': api.admin_project['id']}}))
    assert support.on_subject(api, child, child, 'DELETE').status_int == 204
    assert support.on_subject(api, parent, child).status_int == 404
    assert support.on_subject(api, parent, parent).status_int == 200
    assert support.on_subject(api, parent, sibling).status_int == 200


def test_405_lists_the_methods(identity_api):
    response = identity_api.request('PUT', support.TOKENS)
    assert response.status_int == 405
    assert response.headers['Allow'] == 'DELETE, GET, HEAD, POST'


def test_revoking_a_token_revokes_the_tokens_rescoped_from_it(identity_api):
    """Events match a token's whole audit chain: revoking the first token
    of a chain revokes its rescopings too (Keystone's ``cascade``)."""
    api = identity_api
    parent = api.token(project=None)
    child, _ = support.issued(api, support.token_body(
        parent, {'domain': {'id': 'default'}}))
    caller = api.token()
    assert support.on_subject(api, caller, parent, 'DELETE').status_int == 204
    assert support.on_subject(api, caller, child).status_int == 404


def test_allow_expired_validates_a_recently_expired_token(identity_api):
    api = identity_api
    caller, expired = api.token(), _expired_token(api)
    path = support.TOKENS + '?allow_expired=1'
    response = api.request('GET', path, token=caller,
                           headers={'X-Subject-Token': expired})
    assert response.status_int == 200, response.text
    assert response.json['token']['user']['id'] == api.admin_user['id']
    # Only validation honours it: the expired token still cannot act.
    assert api.request('GET', '/v3/auth/projects',
                       token=expired).status_int == 401
    conf.CONF.set_override('allow_expired_window', 0, 'token')
    try:
        response = api.request('GET', path, token=caller,
                               headers={'X-Subject-Token': expired})
        assert response.status_int == 404
    finally:
        conf.CONF.clear_override('allow_expired_window', 'token')
