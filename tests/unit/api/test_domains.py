"""/v3/domains: CRUD, filters, errors, delete cascade and revocation."""

import uuid

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def create(admin, name, **fields):
    """Create a domain; return its dict."""
    response = admin('POST', '/domains', {'domain': dict(fields, name=name)})
    assert response.status_int == 201, response.text
    return response.json['domain']


def test_create_answers_201_with_keystone_shape(admin):
    response = admin('POST', '/domains', {'domain': {
        'name': 'acme', 'description': 'ACME', 'id': 'ignored',
        'colour': 'red'}})
    assert response.status_int == 201
    domain = response.json['domain']
    assert len(domain['id']) == 32 and domain['id'] != 'ignored'
    assert domain == {
        'id': domain['id'], 'name': 'acme', 'description': 'ACME',
        'enabled': True, 'tags': [], 'options': {}, 'colour': 'red',
        'links': {'self': 'http://localhost/v3/domains/' + domain['id']}}
    assert admin('GET', '/domains/' + domain['id']).json == {
        'domain': domain}


def test_explicit_domain_id_is_used_when_it_is_a_uuid(admin):
    chosen = uuid.uuid4().hex
    assert create(admin, 'chosen', explicit_domain_id=chosen)['id'] == chosen
    response = admin('POST', '/domains', {'domain': {
        'name': 'bad', 'explicit_domain_id': 'not-a-uuid'}})
    assert 'UUID' in support.assert_error(response, 400)


def test_list_filters_by_name_and_enabled(admin):
    create(admin, 'on')
    create(admin, 'off', enabled=False)
    response = admin('GET', '/domains')
    assert response.status_int == 200
    body = response.json
    assert sorted(d['name'] for d in body['domains']) == [
        'Default', 'off', 'on']
    assert body['links'] == {'self': 'http://localhost/v3/domains',
                             'previous': None, 'next': None}
    names = lambda query: sorted(d['name'] for d in  # noqa: E731
                                 admin('GET', '/domains?' + query).json[
                                     'domains'])
    assert names('name=on') == ['on']
    assert names('enabled=false') == ['off']
    assert names('enabled=true') == ['Default', 'on']
    support.assert_error(admin('GET', '/domains?enabled=maybe'), 400)


def test_unknown_domain_is_404(admin):
    for method, body in (('GET', None), ('PATCH', {'domain': {'name': 'x'}}),
                         ('DELETE', None)):
        message = support.assert_error(admin(method, '/domains/nope', body),
                                       404)
        assert message == 'Could not find domain: nope.'


def test_duplicate_name_is_409(admin):
    create(admin, 'twice')
    response = admin('POST', '/domains', {'domain': {'name': 'twice'}})
    assert 'Duplicate entry' in support.assert_error(response, 409)
    other = create(admin, 'other')
    response = admin('PATCH', '/domains/' + other['id'],
                     {'domain': {'name': 'twice'}})
    support.assert_error(response, 409)


@pytest.mark.parametrize('body', [
    None, {}, {'domain': {}}, {'domain': {'name': ''}},
    {'domain': {'name': 'x' * 65}}, {'domain': {'name': 7}},
    {'domain': {'name': 'ok', 'enabled': 'yes'}},
    {'domain': {'name': 'ok'}, 'extra': 1}])
def test_invalid_create_bodies_are_400(admin, body):
    message = support.assert_error(admin('POST', '/domains', body), 400)
    assert message.startswith('Invalid input for field')


def test_body_that_is_not_json_is_400(identity_api):
    token = support.admin_token(identity_api)
    response = identity_api.request('POST', '/v3/domains', token=token,
                                    headers={'Content-Type':
                                             'application/json'})
    support.assert_error(response, 400)


def test_update_changes_fields_and_disabling_revokes(identity_api, admin):
    domain = create(admin, 'upd')
    user = support.make_user(identity_api, 'inside', role=None,
                             domain_id=domain['id'])
    token = support.issue_token(user['id'])
    response = admin('PATCH', '/domains/' + domain['id'], {'domain': {
        'description': 'new', 'enabled': False}})
    assert response.status_int == 200
    assert response.json['domain']['description'] == 'new'
    assert response.json['domain']['enabled'] is False
    assert {'domain_id': domain['id']} in support.events()
    assert not support.is_valid(token)
    support.assert_error(admin('PATCH', '/domains/' + domain['id'],
                               {'domain': {}}), 400)


def test_delete_needs_a_disabled_domain(admin):
    domain = create(admin, 'busy')
    message = support.assert_error(admin('DELETE', '/domains/' + domain['id']),
                                   403)
    assert message == ('Cannot delete a domain that is enabled, please '
                       'disable it first.')


def test_delete_cascades_and_revokes(identity_api, admin):
    domain = create(admin, 'gone')
    user = support.make_user(identity_api, 'doomed', role=None,
                             domain_id=domain['id'])
    project = admin('POST', '/projects', {'project': {
        'name': 'p', 'domain_id': domain['id']}}).json['project']
    admin('PATCH', '/domains/' + domain['id'],
          {'domain': {'enabled': False}})
    response = admin('DELETE', '/domains/' + domain['id'])
    assert response.status_int == 204
    assert response.body == b''
    support.assert_error(admin('GET', '/domains/' + domain['id']), 404)
    support.assert_error(admin('GET', '/users/' + user['id']), 404)
    support.assert_error(admin('GET', '/projects/' + project['id']), 404)
    assert support.events().count({'domain_id': domain['id']}) == 2


def test_head_is_get_without_body(admin):
    response = admin('HEAD', '/domains/default')
    assert response.status_int == 200
    assert response.body == b''
