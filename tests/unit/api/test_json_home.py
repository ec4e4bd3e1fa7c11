"""JSON-Home on ``/`` and ``/v3``: negotiation and Keystone's relations."""

import pytest

from keystone_like.api import json_home
from keystone_like.api import v3
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

REL = 'https://docs.openstack.org/api/openstack-identity/3/rel/'
EXT = 'https://docs.openstack.org/api/openstack-identity/3/ext/'
PARAM = 'https://docs.openstack.org/api/openstack-identity/3/param/'
HOME = {'Accept': 'application/json-home'}

# As Keystone 30 answers GET /v3 with Accept: application/json-home.
KEYSTONE = {
    REL + 'auth_tokens': {'href': '/auth/tokens'},
    EXT + 'OS-FEDERATION/1.0/rel/projects': {'href': '/auth/projects'},
    REL + 'user_change_password': {
        'href-template': '/users/{user_id}/password',
        'href-vars': {'user_id': PARAM + 'user_id'}},
    REL + 'role_assignments': {'href': '/role_assignments'},
    REL + 'region': {'href-template': '/regions/{region_id}',
                     'href-vars': {'region_id': PARAM + 'region_id'}},
    REL + 'project_user_role': {
        'href-template': '/projects/{project_id}/users/{user_id}/roles/'
                         '{role_id}',
        'href-vars': {'project_id': PARAM + 'project_id',
                      'user_id': PARAM + 'user_id',
                      'role_id': PARAM + 'role_id'}},
}
# Routes other parts of the API will add, with Keystone's relations.
FUTURE_ROUTES = {
    '/groups/{group_id}/users/{user_id}': REL + 'group_user',
    '/system/users/{user_id}/roles/{role_id}': REL + 'system_user_role',
    '/roles/{prior_role_id}/implies': REL + 'implied_roles',
    '/role_inferences': REL + 'role_inferences',
    '/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/{role_id}/'
    'inherited_to_projects':
        EXT + 'OS-INHERIT/1.0/rel/domain_user_role_inherited_to_projects',
    '/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints':
        EXT + 'OS-ENDPOINT-POLICY/1.0/rel/policy_endpoints',
}


def home(identity_api, path, listener='admin', accept=HOME['Accept']):
    """GET ``path`` with ``Accept``; return the response."""
    return identity_api.request('GET', path, listener=listener,
                                headers={'Accept': accept})


def test_v3_document_has_keystones_relations(identity_api):
    response = home(identity_api, '/v3')
    assert response.status_int == 200
    assert response.headers['Content-Type'] == 'application/json-home'
    resources = response.json['resources']
    for relation, expected in KEYSTONE.items():
        assert resources[relation] == expected, relation


@pytest.mark.parametrize('listener', ['admin', 'public'])
def test_every_served_route_is_listed_and_nothing_else(identity_api,
                                                       listener):
    # Keystone gives both tag paths one relation, the single tag's.
    served = {pattern for _m, pattern, _n in v3.v3_class(listener).routes
              if pattern not in ('/', '/projects/{project_id}/tags')}
    resources = home(identity_api, '/v3', listener).json['resources']
    listed = {r.get('href') or r['href-template']
              for r in resources.values()}
    assert listed == served
    # Both listeners serve management by default.
    assert REL + 'users' in resources


def test_root_document_links_under_v3(identity_api):
    under_v3 = home(identity_api, '/v3', 'public').json['resources']
    response = home(identity_api, '/', 'public')
    assert response.status_int == 200
    resources = response.json['resources']
    assert resources.keys() == under_v3.keys()
    assert resources[REL + 'auth_tokens'] == {'href': '/v3/auth/tokens'}
    assert resources[REL + 'user']['href-template'] == '/v3/users/{user_id}'


# Accept header -> JSON-Home?, as Keystone 30 answers GET /v3.
NEGOTIATION = {
    'application/json-home': True,
    '*/*, application/json-home': True,
    'application/json, application/json-home': False,
    'application/json;q=0.5, application/json-home': True,
    'application/*': False,
    'application/json-home;q=0': False,
    'text/html': False,
    '': False,
}


@pytest.mark.parametrize('accept', sorted(NEGOTIATION))
def test_negotiation_follows_keystone(identity_api, accept):
    for path, json_code in (('/v3', 200), ('/', 300)):
        response = home(identity_api, path, accept=accept)
        if NEGOTIATION[accept]:
            assert response.status_int == 200
            assert response.content_type == 'application/json-home'
        else:
            assert response.status_int == json_code
            assert response.content_type == 'application/json'
        assert response.headers['Vary'] == 'Accept, X-Auth-Token'


def test_head_answers_headers_only(identity_api):
    response = identity_api.request('HEAD', '/v3', headers=HOME)
    assert response.status_int == 200
    assert response.content_type == 'application/json-home'
    assert response.body == b''


def test_new_routes_get_keystones_relations_by_themselves():
    routes = [('GET', pattern, 'handler') for pattern in FUTURE_ROUTES]
    resources = json_home.document(routes)['resources']
    for pattern, relation in FUTURE_ROUTES.items():
        found = resources[relation]
        assert (found.get('href') or found['href-template']) == pattern
    assert resources[REL + 'implied_roles']['href-vars'] == {
        'prior_role_id': PARAM + 'role_id'}


def test_json_home_needs_no_token_but_lists_are_still_guarded(identity_api):
    support.assert_error(identity_api.request(
        'GET', '/v3/users', headers=HOME), 401)
