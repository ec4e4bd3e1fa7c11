"""Access rules: made with a credential, listed, read and deleted through
``/v3/users/{u}/access_rules``, carried by its tokens, hidden from
validators that do not announce support, and enforced on this service's
own API (service type ``identity``) as keystonemiddleware enforces them."""

import pytest

from keystone_like.api import delegation
from tests.support import api_app_creds_support as support
from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(120)

SERVERS = {'service': 'compute', 'method': 'GET', 'path': '/v2.1/servers'}
SUPPORT_HEADER = {'OpenStack-Identity-Access-Rules': '1'}


@pytest.fixture
def owner(identity_api):
    return support.make_owner(identity_api)


def _rules(api, owner, query=''):
    response = api.request('GET', owner.rules_path() + query,
                           token=owner.token)
    assert response.status_int == 200, response.text
    return response.json['access_rules']


def test_rules_are_made_shared_and_listed(identity_api, owner):
    api = identity_api
    first = support.created(api, owner, access_rules=[
        SERVERS, dict(SERVERS, method='POST')])
    assert [dict(r, id=None) for r in first['access_rules']] == [
        dict(SERVERS, id=None), dict(SERVERS, method='POST', id=None)]
    # The same rule again, or by id: one rule, shared.
    again = support.created(api, owner, access_rules=[SERVERS, SERVERS])
    by_id = support.created(api, owner, access_rules=[
        {'id': first['access_rules'][0]['id']}])
    assert again['access_rules'] == by_id['access_rules'] == [
        first['access_rules'][0]]
    listed = _rules(api, owner)
    assert {r['id'] for r in listed} == {r['id'] for r in
                                         first['access_rules']}
    assert listed[0]['links']['self'].endswith(
        '/v3/access_rules/%s' % listed[0]['id'])
    assert [r['method'] for r in _rules(api, owner, '?method=POST')] == [
        'POST']
    assert _rules(api, owner, '?service=image') == []
    rule = first['access_rules'][0]
    shown = api.request('GET', owner.rules_path(rule['id']),
                        token=owner.token)
    assert shown.json['access_rule'] == dict(rule, links=shown.json[
        'access_rule']['links'])
    assert 'access_rules' not in support.created(api, owner,
                                                 access_rules=[])


def test_another_users_rule_or_an_unknown_one_is_404(identity_api, owner):
    api = identity_api
    other = support.make_owner(api)
    theirs = support.created(api, other, access_rules=[SERVERS])
    rule_id = theirs['access_rules'][0]['id']
    for requested in ({'id': rule_id}, dict(SERVERS, id=rule_id),
                      {'id': 'unknown'}):
        response = support.create(api, owner, access_rules=[requested])
        assert users_support.assert_error(response, 404) == (
            'Could not find Access Rule: %s.' % requested['id'])
    shown = api.request('GET', owner.rules_path(rule_id), token=owner.token)
    users_support.assert_error(shown, 404)
    # An unknown id with the three fields makes a rule with that id.
    made = support.created(api, owner, access_rules=[dict(
        SERVERS, path='/v2.1/flavors', id='chosen-id')])
    assert made['access_rules'][0]['id'] == 'chosen-id'


@pytest.mark.parametrize('rule', [
    {'service': 'compute', 'method': 'GET'},
    dict(SERVERS, method='FETCH'), dict(SERVERS, path='servers'),
    dict(SERVERS, service='bad service'), dict(SERVERS, path='/' * 226),
])
def test_malformed_rules_are_400(identity_api, owner, rule):
    users_support.assert_error(
        support.create(identity_api, owner, access_rules=[rule]), 400)


def test_a_rule_in_use_cannot_be_deleted(identity_api, owner):
    api = identity_api
    cred = support.created(api, owner, access_rules=[SERVERS])
    rule_id = cred['access_rules'][0]['id']
    path = owner.rules_path(rule_id)
    refused = api.request('DELETE', path, token=owner.token)
    assert users_support.assert_error(refused, 403) == (
        'May not delete access rule in use')
    api.request('DELETE', owner.path(cred['id']), token=owner.token)
    assert [r['id'] for r in _rules(api, owner)] == [rule_id]
    assert api.request('DELETE', path, token=owner.token).status_int == 204
    assert _rules(api, owner) == []
    users_support.assert_error(
        api.request('DELETE', path, token=owner.token), 404)


def test_only_the_owner_and_system_manage_rules(identity_api, owner):
    api = identity_api
    cred = support.created(api, owner, access_rules=[SERVERS])
    rule_path = owner.rules_path(cred['access_rules'][0]['id'])
    other = support.make_owner(api)
    for method, path in (('GET', owner.rules_path()), ('GET', rule_path),
                         ('DELETE', rule_path)):
        response = api.request(method, path, token=other.token)
        assert users_support.assert_error(response, 403) == (
            'You are not authorized to perform the requested action: '
            'identity:%s.' % {'GET': 'get_access_rule', 'DELETE':
                              'delete_access_rule'}.get(
                method if path == rule_path else '', 'list_access_rules'))
    system = users_support.issue_token(api.admin_user['id'], system='all')
    assert api.request('GET', rule_path, token=system).status_int == 200
    unknown_user = api.request('GET', '/v3/users/nobody/access_rules',
                               token=owner.token)
    users_support.assert_error(unknown_user, 403)


def test_tokens_carry_the_rules_for_validators_that_enforce_them(
        identity_api, owner):
    api = identity_api
    cred = support.created(api, owner, access_rules=[SERVERS])
    token_id, token = support.login(api, cred)
    assert token['application_credential']['access_rules'] == cred[
        'access_rules']
    admin = users_support.admin_token(api)
    for headers in ({}, {'OpenStack-Identity-Access-Rules': '0.9'},
                    {'OpenStack-Identity-Access-Rules': 'junk'},
                    {'OpenStack-Identity-Access-Rules': 'nan'}):
        for method in ('GET', 'HEAD'):
            response = api.request(
                method, auth_support.TOKENS, token=admin,
                headers=dict(headers, **{'X-Subject-Token': token_id}))
            assert response.status_int == 404, (headers, method)
    validated = api.request(
        'GET', auth_support.TOKENS, token=admin,
        headers=dict(SUPPORT_HEADER, **{'X-Subject-Token': token_id}))
    assert validated.status_int == 200
    assert validated.json['token']['application_credential'][
        'access_rules'] == cred['access_rules']
    # Without rules, nothing to announce.
    plain_id, _ = support.login(api, support.created(api, owner))
    assert auth_support.on_subject(api, admin, plain_id).status_int == 200


def test_this_service_enforces_identity_rules(identity_api, owner):
    api = identity_api
    cred = support.created(api, owner, access_rules=[
        {'service': 'identity', 'method': 'GET', 'path': '/v3/users/*'},
        SERVERS])
    token_id, _ = support.login(api, cred)
    allowed = api.request('GET', '/v3/users/' + owner.id, token=token_id)
    assert allowed.status_int == 200, allowed.text
    for method, path in (('GET', owner.path()),
                         ('GET', '/v3/users/%s/projects' % owner.id),
                         ('HEAD', '/v3/users/' + owner.id),
                         ('GET', '/v3/auth/projects')):
        refused = api.request(method, path, token=token_id)
        assert refused.status_int == 401, (method, path)
        assert refused.headers['WWW-Authenticate'].startswith('Keystone')
    # Validating a token (its own) is always allowed; the subject still
    # needs the header.
    own = api.request('GET', auth_support.TOKENS, token=token_id,
                      headers=dict(SUPPORT_HEADER,
                                   **{'X-Subject-Token': token_id}))
    assert own.status_int == 200


@pytest.mark.parametrize('path, pattern, matches', [
    ('/v2.1/servers', '/v2.1/servers', True),
    ('/v2x1/servers', '/v2.1/servers', False),
    ('/v2.1/servers/abc/ips', '/v2.1/servers/*/ips', True),
    ('/v2.1/servers/a/b/ips', '/v2.1/servers/*/ips', False),
    ('/v2.1/servers/a/b/ips', '/v2.1/servers/**', True),
    ('/v2.1/servers', '/v2.1/servers/**', False),
    ('/v2.1/servers/x', '/v2.1/servers/{server_id}', True),
    ('/v2.1/servers/x/y', '/v2.1/servers/{server_id}', False),
    ('/v2.1/servers/', '/v2.1/servers/*', False),
])
def test_path_patterns(path, pattern, matches):
    assert delegation.path_matches(path, pattern) is matches
