"""Validation caches never serve a stale answer, across processes.

Two service-all processes share one database (SQLite file, then
PostgreSQL). Node B validates a token until its caches hold everything
about it; node A then makes one change; the very next validation on B
(no waiting, no retry) must see it. Each change that can alter a token is
tried: revocation, password change, user/project/domain disabled or
deleted, a role or group membership taken away, a role given to a group,
an implied role removed, and a catalog change.
"""

import collections
import uuid

import pytest

# The identity_service fixture.
pytest_plugins = ['tests.support.identity_service']

pytestmark = pytest.mark.timeout(180)

WARM_UP = 3


@pytest.fixture(scope='module')
def nodes(identity_service):
    """(identity, port of node A, port of node B, admin token)."""
    identity = identity_service
    second = identity.start_another('consistency-b')
    return (identity, identity.primary.public_port, second.public_port,
            identity.password_token())


Member = collections.namedtuple('Member',
                                'user project role password token')


class Cloud:
    """Management calls on node A, validations on node B."""

    def __init__(self, nodes):
        self.identity, self.a, self.b, self.admin = nodes

    def call(self, method, path, body=None, expect=None):
        status, _, parsed = self.identity.request(
            self.a, method, '/v3' + path, body=body,
            headers={'X-Auth-Token': self.admin})
        assert status in (expect or (200, 201, 204)), (method, path, status,
                                                       parsed)
        return parsed

    def create(self, kind, **fields):
        fields.setdefault('name', 'c-%s' % uuid.uuid4().hex[:12])
        return self.call('POST', '/%ss' % kind, {kind: fields})[kind]

    def role(self, name=None):
        return self.create('role', name=name or 'r-' + uuid.uuid4().hex[:8])

    def member(self, **user_fields):
        """A user with a role on a new project, and its token there."""
        domain = user_fields.pop('domain_id', 'default')
        project = self.create('project', domain_id=domain)
        password = uuid.uuid4().hex
        user = self.create('user', domain_id=domain, password=password,
                           **user_fields)
        role = self.role()
        self.grant(project, user, role)
        return Member(user, project, role, password,
                      self.token(user, password, project))

    def grant(self, project, user, role, method='PUT', via='users'):
        self.call(method, '/projects/%s/%s/%s/roles/%s' % (
            project['id'], via, user['id'], role['id']))

    def token(self, user, password, project):
        auth = {'identity': {'methods': ['password'], 'password': {
            'user': {'id': user['id'], 'password': password}}},
            'scope': {'project': {'id': project['id']}}}
        status, headers, body = self.identity.request(
            self.a, 'POST', '/v3/auth/tokens', body={'auth': auth})
        assert status == 201, body
        return headers['x-subject-token']

    def validate_on_b(self, token, path='/v3/auth/tokens'):
        status, _, body = self.identity.request(
            self.b, 'GET', path,
            headers={'X-Auth-Token': self.admin, 'X-Subject-Token': token})
        return status, body

    def warm(self, token):
        """Validate on B until its caches hold this token's answer."""
        for _ in range(WARM_UP):
            status, body = self.validate_on_b(token)
            assert status == 200, body
        return body['token']


@pytest.fixture
def cloud(nodes):
    return Cloud(nodes)


def revoke(c, member):
    status, _, _ = c.identity.request(
        c.a, 'DELETE', '/v3/auth/tokens',
        headers={'X-Auth-Token': c.admin, 'X-Subject-Token': member.token})
    assert status == 204


CHANGES = {
    'token revoked': revoke,
    'password changed': lambda c, m: c.call(
        'POST', '/users/%s/password' % m.user['id'], {'user': {
            'original_password': m.password, 'password': uuid.uuid4().hex}}),
    'user disabled': lambda c, m: c.call(
        'PATCH', '/users/%s' % m.user['id'], {'user': {'enabled': False}}),
    'user deleted': lambda c, m: c.call('DELETE', '/users/%s' % m.user['id']),
    'project disabled': lambda c, m: c.call(
        'PATCH', '/projects/%s' % m.project['id'],
        {'project': {'enabled': False}}),
    'project deleted': lambda c, m: c.call(
        'DELETE', '/projects/%s' % m.project['id']),
    'role unassigned': lambda c, m: c.grant(m.project, m.user, m.role,
                                            method='DELETE'),
    'role deleted': lambda c, m: c.call('DELETE', '/roles/%s' % m.role['id']),
}


@pytest.mark.parametrize('change', sorted(CHANGES))
def test_next_validation_elsewhere_refuses_the_token(cloud, change):
    member = cloud.member()
    cloud.warm(member.token)
    CHANGES[change](cloud, member)
    status, body = cloud.validate_on_b(member.token)
    assert status == 404, (change, body)


def test_domain_disabled_refuses_its_users_tokens(cloud):
    domain = cloud.create('domain')
    token = cloud.member(domain_id=domain['id']).token
    cloud.warm(token)
    cloud.call('PATCH', '/domains/%s' % domain['id'],
               {'domain': {'enabled': False}})
    assert cloud.validate_on_b(token)[0] == 404


def test_group_changes_reach_the_next_validation(cloud):
    user, project, role, password, _ = cloud.member()
    group = cloud.create('group', domain_id='default')
    cloud.call('PUT', '/groups/%s/users/%s' % (group['id'], user['id']))
    token = cloud.token(user, password, project)
    assert {r['name'] for r in cloud.warm(token)['roles']} == {role['name']}
    # A role granted to the group (no revocation) shows at once...
    via_group = cloud.role()
    cloud.grant(project, group, via_group, via='groups')
    status, body = cloud.validate_on_b(token)
    assert status == 200, body
    assert {r['name'] for r in body['token']['roles']} == {
        role['name'], via_group['name']}
    # ...and leaving the group revokes the member's tokens, as Keystone.
    cloud.call('DELETE', '/groups/%s/users/%s' % (group['id'], user['id']))
    assert cloud.validate_on_b(token)[0] == 404


def test_implied_role_removed_leaves_the_token(cloud):
    member = cloud.member()
    role, token = member.role, member.token
    implied = cloud.role()
    inference = '/roles/%s/implies/%s' % (role['id'], implied['id'])
    cloud.call('PUT', inference)
    held = {r['name'] for r in cloud.warm(token)['roles']}
    assert held == {role['name'], implied['name']}
    cloud.call('DELETE', inference)
    status, body = cloud.validate_on_b(token)
    assert status == 200, body
    assert {r['name'] for r in body['token']['roles']} == {role['name']}


def test_new_endpoint_is_in_the_next_catalog(cloud):
    token = cloud.member().token
    cloud.warm(token)
    service = cloud.create('service', type='t-' + uuid.uuid4().hex[:8])
    cloud.call('POST', '/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public',
        'url': 'http://127.0.0.1:9/%s' % service['type']}})
    status, body = cloud.validate_on_b(token)
    assert service['type'] in {e['type'] for e in body['token']['catalog']}


def test_answers_from_cache_between_writes_stay_right(cloud):
    """Validations with no write in between keep the answer of the last
    write (a role taken away, then given back: no revocation either way),
    including a cached refusal."""
    member = cloud.member()
    cloud.warm(member.token)
    cloud.grant(member.project, member.user, member.role, method='DELETE')
    for _ in range(WARM_UP):
        assert cloud.validate_on_b(member.token)[0] == 404
    cloud.grant(member.project, member.user, member.role)
    for _ in range(WARM_UP):
        assert cloud.validate_on_b(member.token)[0] == 200
