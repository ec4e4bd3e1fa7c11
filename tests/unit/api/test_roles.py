"""/v3/roles: CRUD, filters, errors, domain-specific and immutable roles;
deleting a role takes it out of every token."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def create(admin, name, **fields):
    """Create a role; return its dict."""
    response = admin('POST', '/roles', {'role': dict(fields, name=name)})
    assert response.status_int == 201, response.text
    return response.json['role']


def test_create_answers_201_with_keystone_shape(admin):
    response = admin('POST', '/roles', {'role': {
        'name': 'auditor', 'description': 'Reads', 'id': 'ignored',
        'colour': 'blue'}})
    assert response.status_int == 201
    role = response.json['role']
    assert role == {
        'id': role['id'], 'name': 'auditor', 'description': 'Reads',
        'domain_id': None, 'options': {}, 'colour': 'blue',
        'links': {'self': 'http://localhost/v3/roles/' + role['id']}}
    assert admin('GET', '/roles/' + role['id']).json == {'role': role}


def test_list_and_filters(admin):
    create(admin, 'auditor')
    body = admin('GET', '/roles').json
    assert sorted(r['name'] for r in body['roles']) == [
        'admin', 'auditor', 'manager', 'member', 'reader', 'service']
    assert body['links']['self'] == 'http://localhost/v3/roles'
    assert [r['name'] for r in admin('GET', '/roles?name=member').json[
        'roles']] == ['member']
    assert admin('GET', '/roles?domain_id=default').json['roles'] == []


def test_errors(admin):
    create(admin, 'taken')
    response = admin('POST', '/roles', {'role': {'name': 'taken'}})
    assert 'Duplicate entry' in support.assert_error(response, 409)
    response = admin('POST', '/roles', {'role': {'name': 'r',
                                                 'domain_id': 'nope'}})
    assert support.assert_error(response, 404) == (
        'Could not find domain: nope.')
    for body in ({'role': {}}, {'role': {'name': 'x' * 256}},
                 {'role': {'name': 'r', 'description': 3}}, []):
        support.assert_error(admin('POST', '/roles', body), 400)
    for method, body in (('GET', None), ('PATCH', {'role': {'name': 'n'}}),
                         ('DELETE', None)):
        message = support.assert_error(admin(method, '/roles/nope', body),
                                       404)
        assert message == 'Could not find role: nope.'


def test_update(admin):
    role = create(admin, 'old')
    response = admin('PATCH', '/roles/' + role['id'],
                     {'role': {'name': 'new', 'description': 'd'}})
    assert response.status_int == 200
    assert response.json['role']['name'] == 'new'
    response = admin('PATCH', '/roles/' + role['id'],
                     {'role': {'name': 'member'}})
    support.assert_error(response, 409)
    support.assert_error(admin('PATCH', '/roles/' + role['id'],
                               {'role': {}}), 400)


def test_delete_removes_grants_and_its_tokens_roles(identity_api, admin):
    role = create(admin, 'temporary')
    user = support.make_user(identity_api, 'holder', role=None)
    project_id = identity_api.admin_project['id']
    admin('PUT', '/projects/%s/users/%s/roles/%s' % (
        project_id, user['id'], role['id']))
    token = support.issue_token(user['id'], project_id=project_id)
    response = admin('DELETE', '/roles/' + role['id'])
    assert response.status_int == 204 and response.body == b''
    # Validation recomputes the roles: a token left with none is invalid.
    assert not support.is_valid(token)
    response = admin('GET', '/role_assignments?role.id=' + role['id'])
    assert response.json['role_assignments'] == []
    support.assert_error(admin('GET', '/roles/' + role['id']), 404)


def test_domain_specific_roles(admin):
    local = create(admin, 'member', domain_id='default')
    assert local['domain_id'] == 'default'
    assert [r['id'] for r in admin('GET', '/roles?domain_id=default').json[
        'roles']] == [local['id']]
    assert local['id'] not in [r['id'] for r in admin('GET', '/roles').json[
        'roles']]
    response = admin('PATCH', '/roles/' + local['id'],
                     {'role': {'domain_id': None}})
    support.assert_error(response, 400)
    assert admin('DELETE', '/roles/' + local['id']).status_int == 204


def test_immutable_roles_refuse_changes_until_unlocked(identity_api, admin):
    role = create(admin, 'locked', options={'immutable': True})
    path = '/roles/' + role['id']
    for method, body in (('PATCH', {'role': {'name': 'x'}}),
                         ('DELETE', None)):
        message = support.assert_error(admin(method, path, body), 403)
        assert 'immutable' in message
    response = admin('PATCH', path, {'role': {'options': {
        'immutable': False}}})
    assert response.json['role']['options'] == {'immutable': False}
    assert admin('DELETE', path).status_int == 204
