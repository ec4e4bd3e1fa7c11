"""Role inference rules (/v3/roles/{prior}/implies/{implied},
/v3/role_inferences), immutable roles, and implied roles in tokens.

Shapes and messages are Keystone 30's (checked against a live one).
"""

import pytest

from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def made(admin):
    """Three global roles by name: prior, implied, other."""
    return {name: ident.created(admin, 'roles', name=name)
            for name in ('prior', 'implied', 'other')}


def _rule(made, prior, implied):
    return '/roles/%s/implies/%s' % (made[prior]['id'], made[implied]['id'])


def _brief(role):
    return {'id': role['id'], 'name': role['name'],
            'links': {'self': ident.url('/roles/' + role['id'])}}


def test_create_get_check_delete_in_keystone_shape(admin, made):
    path = _rule(made, 'prior', 'implied')
    expected = {'role_inference': {'prior_role': _brief(made['prior']),
                                   'implies': _brief(made['implied'])},
                'links': {'self': ident.url(path)}}
    response = admin('PUT', path)
    assert response.status_int == 201
    assert response.json == expected
    assert admin('GET', path).json == expected
    ident.assert_no_content(admin('HEAD', path))
    ident.assert_no_content(admin('DELETE', path))
    for method in ('GET', 'DELETE'):
        assert support.assert_error(admin(method, path), 404) == (
            '%s does not imply %s.' % (made['prior']['id'],
                                       made['implied']['id']))
    assert admin('HEAD', path).status_int == 404


def test_a_rule_exists_once(admin, made):
    path = _rule(made, 'prior', 'implied')
    assert admin('PUT', path).status_int == 201
    assert support.assert_error(admin('PUT', path), 409) == (
        'Conflict occurred attempting to store implied_role - Duplicate '
        'entry.')


def test_a_rule_has_a_direction(admin, made):
    admin('PUT', _rule(made, 'prior', 'implied'))
    reverse = _rule(made, 'implied', 'prior')
    assert support.assert_error(admin('GET', reverse), 404) == (
        '%s does not imply %s.' % (made['implied']['id'],
                                   made['prior']['id']))


def test_list_what_a_role_implies(admin, made):
    admin('PUT', _rule(made, 'prior', 'implied'))
    admin('PUT', _rule(made, 'prior', 'other'))
    path = '/roles/%s/implies' % made['prior']['id']
    response = admin('GET', path)
    assert response.status_int == 200
    body = response.json
    assert body['links'] == {'self': ident.url(path)}
    assert body['role_inference']['prior_role'] == _brief(made['prior'])
    assert sorted(body['role_inference']['implies'],
                  key=lambda r: r['name']) == [
        _brief(made['implied']), _brief(made['other'])]
    alone = admin('GET', '/roles/%s/implies' % made['other']['id']).json
    assert alone['role_inference'] == {'prior_role': _brief(made['other']),
                                       'implies': []}


def test_role_inferences_lists_every_rule_by_prior_role(identity_api, admin,
                                                        made):
    admin('PUT', _rule(made, 'prior', 'implied'))
    admin('PUT', _rule(made, 'prior', 'other'))
    response = admin('GET', '/role_inferences')
    assert response.status_int == 200
    assert set(response.json) == {'role_inferences'}
    found = {rule['prior_role']['name']: sorted(
        implied['name'] for implied in rule['implies'])
        for rule in response.json['role_inferences']}
    # Bootstrap's chain is there too.
    assert found == {'admin': ['manager'], 'manager': ['member'],
                     'member': ['reader'], 'prior': ['implied', 'other']}
    first = response.json['role_inferences'][0]
    assert first['prior_role'] == _brief(identity_api.roles[
        first['prior_role']['name']])


@pytest.mark.parametrize('method', ['PUT', 'GET', 'DELETE'])
def test_unknown_roles_are_404(admin, made, method):
    for path in ('/roles/nope/implies/' + made['implied']['id'],
                 '/roles/%s/implies/nope' % made['prior']['id']):
        assert support.assert_error(admin(method, path), 404) == (
            'Could not find role: nope.')
    if method == 'GET':
        support.assert_error(admin('GET', '/roles/nope/implies'), 404)


def test_admin_is_never_implied(identity_api, admin, made):
    admin_id = ident.role_id(identity_api, 'admin')
    response = admin('PUT', '/roles/%s/implies/%s' % (made['prior']['id'],
                                                      admin_id))
    assert support.assert_error(response, 403) == (
        '%s cannot be an implied roles.' % admin_id)


def test_domain_specific_roles_in_rules(admin, made):
    local = ident.created(admin, 'roles', name='local', domain_id='default')
    other = ident.created(admin, 'roles', name='other', domain_id='default')
    response = admin('PUT', '/roles/%s/implies/%s' % (made['prior']['id'],
                                                      local['id']))
    # Keystone answers "<id> cannot be an implied roles." here; ours says
    # why (deliberate).
    assert support.assert_error(response, 403) == (
        'Global role cannot imply a domain-specific role')
    for prior, implied in ((local, made['prior']), (local, other)):
        response = admin('PUT', '/roles/%s/implies/%s' % (prior['id'],
                                                          implied['id']))
        assert response.status_int == 201, response.text


def test_deleting_a_role_deletes_its_rules(admin, made):
    admin('PUT', _rule(made, 'prior', 'implied'))
    admin('PUT', _rule(made, 'other', 'prior'))
    ident.assert_no_content(admin('DELETE', '/roles/' + made['prior']['id']))
    names = {rule['prior_role']['name'] for rule in admin(
        'GET', '/role_inferences').json['role_inferences']}
    assert names == {'admin', 'manager', 'member'}


def test_implied_roles_reach_tokens_and_leave_with_the_rule(identity_api,
                                                            admin, made):
    api = identity_api
    user = ident.user(admin, 'holder')
    project_id = api.admin_project['id']
    ident.put_grant(admin, made['prior']['id'], user=user['id'],
                    project=project_id)
    admin('PUT', _rule(made, 'prior', 'implied'))
    admin('PUT', '/roles/%s/implies/%s' % (made['implied']['id'],
                                           ident.role_id(api, 'member')))
    token, body = ident.login(api, user['id'],
                              {'project': {'id': project_id}})
    assert ident.role_names(body) == ['implied', 'member', 'prior', 'reader']
    admin('DELETE', _rule(made, 'prior', 'implied'))
    body = ident.validated(api, token).json['token']
    assert ident.role_names(body) == ['prior']


def test_a_cycle_of_rules_ends(identity_api, admin, made):
    # Keystone accepts cycles and a role implying itself; so do we.
    for path in (_rule(made, 'prior', 'implied'),
                 _rule(made, 'implied', 'prior'),
                 _rule(made, 'prior', 'prior')):
        assert admin('PUT', path).status_int == 201
    user = ident.user(admin, 'holder')
    ident.put_grant(admin, made['prior']['id'], user=user['id'],
                    domain='default')
    _token, body = ident.login(identity_api, user['id'],
                               {'domain': {'id': 'default'}})
    assert ident.role_names(body) == ['implied', 'prior']
    entries = ident.role_assignments(admin,
                                     'effective&user.id=' + user['id'])
    # One entry per (role, prior role): the grant, implied by prior,
    # prior by implied, prior by itself (Keystone 30 repeats one of them).
    assert len(entries) == 4
    assert {e['role']['id'] for e in entries} == {made['prior']['id'],
                                                  made['implied']['id']}


# Immutable roles.

def _immutable_error(verb, role_id):
    return ('Unable to %s immutable role resource: `%s. Set resource option '
            '"immutable" to false first.' % (verb, role_id))


@pytest.fixture
def locked(admin):
    """An immutable role."""
    return ident.created(admin, 'roles', name='locked',
                         options={'immutable': True})


@pytest.mark.parametrize('change', [
    {'name': 'x'}, {'description': 'd'}, {'options': {'immutable': True}},
    {'options': {'immutable': False}, 'name': 'x'}])
def test_an_immutable_role_refuses_changes(admin, locked, change):
    path = '/roles/' + locked['id']
    assert support.assert_error(admin('PATCH', path, {'role': change}),
                                403) == _immutable_error('update',
                                                         locked['id'])
    assert admin('GET', path).json['role']['name'] == 'locked'


def test_an_immutable_role_refuses_deletion_until_unlocked(admin, locked):
    path = '/roles/' + locked['id']
    assert support.assert_error(admin('DELETE', path), 403) == (
        _immutable_error('delete', locked['id']))
    response = admin('PATCH', path, {'role': {'options': {
        'immutable': False}}})
    assert response.json['role']['options'] == {'immutable': False}
    ident.assert_no_content(admin('DELETE', path))


def test_null_removes_the_immutable_option(admin, locked):
    response = admin('PATCH', '/roles/' + locked['id'],
                     {'role': {'options': {'immutable': None}}})
    assert response.status_int == 200
    assert response.json['role']['options'] == {}


@pytest.mark.parametrize('options', [
    {'colour': True}, {'immutable': 'yes'}, {'immutable': 1}, 'immutable'])
def test_invalid_role_options_are_400(admin, options):
    response = admin('POST', '/roles', {'role': {'name': 'r',
                                                 'options': options}})
    support.assert_error(response, 400)
    assert admin('GET', '/roles?name=r').json['roles'] == []
