"""Role grants on projects and domains, and /v3/role_assignments."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def setup(identity_api, admin):
    """A user without roles, a project, and the reader role's id."""
    user = support.make_user(identity_api, 'grantee', role=None)
    project = admin('POST', '/projects', {'project': {'name': 'p'}}).json
    return {'user': user['id'], 'project': project['project']['id'],
            'role': identity_api.roles['reader']['id']}


@pytest.mark.parametrize('scope', ['projects', 'domains'])
def test_grant_check_list_revoke(identity_api, admin, setup, scope):
    target = setup['project'] if scope == 'projects' else 'default'
    base = '/%s/%s/users/%s/roles' % (scope, target, setup['user'])
    grant = '%s/%s' % (base, setup['role'])
    assert admin('HEAD', grant).status_int == 404
    for method in ('GET', 'DELETE'):
        support.assert_error(admin(method, grant), 404)
    response = admin('PUT', grant)
    assert response.status_int == 204 and response.body == b''
    assert admin('PUT', grant).status_int == 204  # idempotent
    assert admin('HEAD', grant).status_int == 204
    assert admin('GET', grant).status_int == 204
    listed = admin('GET', base)
    assert listed.status_int == 200
    [role] = listed.json['roles']
    assert (role['id'], role['name']) == (setup['role'], 'reader')
    assert role['links']['self'] == 'http://localhost/v3/roles/' + role['id']
    assert listed.json['links']['self'] == 'http://localhost/v3' + base
    scoped = {'project_id': target} if scope == 'projects' else {
        'domain_id': target}
    token = support.issue_token(setup['user'], **scoped)
    response = admin('DELETE', grant)
    assert response.status_int == 204
    event = dict(scoped, user_id=setup['user'])
    assert support.events() == [event]
    assert not support.is_valid(token)
    assert admin('GET', base).json['roles'] == []
    support.assert_error(admin('DELETE', grant), 404)


@pytest.mark.parametrize('part', ['project', 'user', 'role'])
def test_grant_with_unknown_ids_is_404(admin, setup, part):
    ids = dict(setup, **{part: 'missing'})
    response = admin('PUT', '/projects/%(project)s/users/%(user)s/roles/'
                     '%(role)s' % ids)
    assert support.assert_error(response, 404) == (
        'Could not find %s: missing.' % part)
    if part != 'role':
        response = admin('GET', '/projects/%(project)s/users/%(user)s/roles'
                         % ids)
        support.assert_error(response, 404)


def test_domain_grant_on_unknown_domain_is_404(admin, setup):
    response = admin('PUT', '/domains/nodomain/users/%(user)s/roles/%(role)s'
                     % setup)
    assert support.assert_error(response, 404) == (
        'Could not find domain: nodomain.')


def test_role_assignments_and_filters(identity_api, admin, setup):
    admin('PUT', '/projects/%(project)s/users/%(user)s/roles/%(role)s'
          % setup)
    admin('PUT', '/domains/default/users/%(user)s/roles/%(role)s' % setup)
    response = admin('GET', '/role_assignments')
    assert response.status_int == 200
    body = response.json
    assert body['links'] == {'self': 'http://localhost/v3/role_assignments',
                             'previous': None, 'next': None}
    assert len(body['role_assignments']) == 4  # two of them the admin's

    def entries(query):
        response = admin('GET', '/role_assignments?' + query)
        assert response.status_int == 200, response.text
        return response.json['role_assignments']
    project_entry = {
        'role': {'id': setup['role']}, 'user': {'id': setup['user']},
        'scope': {'project': {'id': setup['project']}},
        'links': {'assignment': 'http://localhost/v3/projects/%s/users/%s/'
                  'roles/%s' % (setup['project'], setup['user'],
                                setup['role'])}}
    assert entries('scope.project.id=' + setup['project']) == [project_entry]
    assert len(entries('user.id=' + setup['user'])) == 2
    [domain_entry] = entries('user.id=%s&scope.domain.id=default'
                             % setup['user'])
    assert domain_entry['scope'] == {'domain': {'id': 'default'}}
    assert domain_entry['links']['assignment'].endswith(
        '/v3/domains/default/users/%s/roles/%s' % (setup['user'],
                                                   setup['role']))
    assert len(entries('role.id=' + setup['role'])) == 2
    assert entries('user.id=nobody') == []
    assert entries('group.id=anything') == []
    support.assert_error(admin('GET', '/role_assignments?scope.project.id=a'
                               '&scope.domain.id=b'), 400)


def test_role_assignments_include_names(admin, setup):
    admin('PUT', '/projects/%(project)s/users/%(user)s/roles/%(role)s'
          % setup)
    response = admin('GET', '/role_assignments?include_names&user.id='
                     + setup['user'])
    [entry] = response.json['role_assignments']
    default = {'id': 'default', 'name': 'Default'}
    assert entry['role'] == {'id': setup['role'], 'name': 'reader'}
    assert entry['user'] == {'id': setup['user'], 'name': 'grantee',
                             'domain': default}
    assert entry['scope'] == {'project': {'id': setup['project'],
                                          'name': 'p', 'domain': default}}
    assert 'links' in entry
