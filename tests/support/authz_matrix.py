"""The authorisation matrix: who may call each management route (no tests
here; the modules of ``tests/unit/api/authz/`` hold the rows).

A :class:`World` (fixture ``authz_world``, made once for the whole
matrix by ``tests/unit/api/authz/conftest.py``) holds eight
personas, each with a token of its scope, and one real target of every
kind, all in domain ``authz`` unless said otherwise (names are unique
per run; ``ids`` holds every id):

===============  ===========================================================
persona          token
===============  ===========================================================
system_admin     admin on the system, system-scoped
system_reader    reader on the system, system-scoped
domain_admin     admin on domain ``authz``, domain-scoped
domain_manager   manager on domain ``authz``, domain-scoped
project_admin    admin on project ``project_id`` (in ``authz``), project-scoped
project_member   member on ``project_id``, project-scoped
project_reader   reader on ``project_id``, project-scoped
unrelated        member on ``other_project`` (domain ``other``), project-scoped
===============  ===========================================================

The bootstrapped roles imply each other (admin, manager, member, reader),
as Keystone 2024.2's do. Policy runs with this service's defaults, which
are Keystone 30's: ``enforce_scope`` and ``enforce_new_defaults`` true.

A :class:`Row` names one route of the route table, the personas Keystone
30's default policy lets through, and how to fill the path and body. A
row's ``setup`` makes fresh targets for each allowed persona (for
deletions and anything not idempotent), and one set the refused personas
share, so every cell acts on a real, existing target: an allowed persona
must get a 2xx, any other exactly 403 (a 404 is never an answer).
"""

import dataclasses
import itertools
import os
import typing
import uuid

from keystone_like.api import v3
from tests.support import api_users_support as support

# A real Keystone (``tests.support.remote_keystone``) is much slower, and
# the first row of a module pays for the world.
TIMEOUT = 1800 if os.environ.get('KEYSTONE_LIKE_AUTHZ_REFERENCE') else 120

SYSTEM_ADMIN = 'system_admin'
SYSTEM_READER = 'system_reader'
DOMAIN_ADMIN = 'domain_admin'
DOMAIN_MANAGER = 'domain_manager'
PROJECT_ADMIN = 'project_admin'
PROJECT_MEMBER = 'project_member'
PROJECT_READER = 'project_reader'
UNRELATED = 'unrelated'
PERSONAS = (SYSTEM_ADMIN, SYSTEM_READER, DOMAIN_ADMIN, DOMAIN_MANAGER,
            PROJECT_ADMIN, PROJECT_MEMBER, PROJECT_READER, UNRELATED)

# The sets Keystone 30's default rules come down to for these personas
# and targets in domain ``authz``.
EVERYONE = frozenset(PERSONAS)
NOBODY = frozenset()
# rule:admin_required, scope_types system/project (no domain tokens).
ADMIN = frozenset({SYSTEM_ADMIN, PROJECT_ADMIN})
# ... or (role:reader and system_scope:all).
ADMIN_OR_SYSTEM_READER = ADMIN | {SYSTEM_READER}
# rule:admin_required, scope_types system/domain/project.
ANY_ADMIN = ADMIN | {DOMAIN_ADMIN}
# ... or (role:reader and system_scope:all).
ANY_ADMIN_OR_SYSTEM_READER = ANY_ADMIN | {SYSTEM_READER}
# ... or role:manager on the target's domain.
DOMAIN_MANAGERS = ANY_ADMIN | {DOMAIN_MANAGER}
# ... or role:reader on the target's domain (and system readers).
DOMAIN_READERS = ANY_ADMIN_OR_SYSTEM_READER | {DOMAIN_MANAGER}
# ... or the target project's own tokens.
PROJECT_READERS = DOMAIN_READERS | {PROJECT_MEMBER, PROJECT_READER}
# Targets in the other domain: admins and system readers, and the
# unrelated persona's own project.
ELSEWHERE_READERS = ANY_ADMIN_OR_SYSTEM_READER | {UNRELATED}
# Every project-scoped token (rules for the owner with project scope).
PROJECT_TOKENS = frozenset({PROJECT_ADMIN, PROJECT_MEMBER, PROJECT_READER,
                            UNRELATED})


@dataclasses.dataclass(frozen=True)
class Row:
    """One route and who may call it.

    ``params`` maps a placeholder of ``route`` to the key of the cell's
    ids filling it (by default the placeholder's own name); ``query`` is
    formatted with the ids too. ``setup`` is called with the world and
    the persona and returns ids of fresh targets; ``body`` is a dict or a
    function of the ids.
    """

    method: str
    route: str
    allowed: frozenset
    params: dict = dataclasses.field(default_factory=dict)
    body: typing.Any = None
    setup: typing.Any = None
    query: str = ''
    listener: str = 'public'
    label: str = ''

    @property
    def id(self):
        """The test id: method, route and label."""
        return ' '.join(part for part in (self.method, self.route + (
            '?' + self.query if self.query else ''), self.label) if part)


def management_routes():
    """Every (method, route) a matrix must cover: the whole /v3 table but
    authentication and version discovery."""
    covered = set()
    for method, route, _name in v3.V3.routes:
        if route == '/' or route.startswith('/auth/'):
            continue
        covered.add((method, route))
    return covered


class World:
    """The personas, their tokens and the shared targets (module doc)."""

    def __init__(self, api):
        self.api = api
        self._names = itertools.count()
        self.run = uuid.uuid4().hex[:6]
        self.roles = {name: role['id'] for name, role in api.roles.items()}
        # The reference Keystone (``RemoteKeystone``) logs in instead.
        self.issue_token = getattr(api, 'issue_token', support.issue_token)
        self.admin_token = self.issue_token(api.admin_user['id'],
                                            system='all')
        self.ids = {}
        self._personas()
        self._targets()

    # -- helpers ---------------------------------------------------------

    def name(self, prefix='authz'):
        """Return a new unique name."""
        return '%s-%d-%s' % (prefix, next(self._names), self.run)

    def send(self, method, path, body=None, token=None, listener='admin'):
        """Send one request under /v3 (as the system admin by default)."""
        return self.api.request(method, '/v3' + path, body,
                                token=token or self.admin_token,
                                listener=listener)

    def make(self, method, path, body=None, token=None):
        """Send as the system admin; assert a 2xx; return the JSON."""
        response = self.send(method, path, body, token=token)
        assert 200 <= response.status_int < 300, (method, path,
                                                  response.text)
        return response.json if response.body else None

    def user(self, domain='authz', **fields):
        """Create a user (no password: tokens are issued directly, but
        for the reference Keystone)."""
        if getattr(self.api, 'issue_token', None):
            fields.setdefault('password', support.PASSWORD)
        return self.make('POST', '/users', {'user': dict(
            fields, name=self.name('user'), domain_id=self.ids[domain])})[
            'user']['id']

    def group(self, domain='authz'):
        """Create a group; return its id."""
        return self.make('POST', '/groups', {'group': {
            'name': self.name('group'), 'domain_id': self.ids[domain]}})[
            'group']['id']

    def project(self, domain='authz', **fields):
        """Create a project; return its id."""
        return self.make('POST', '/projects', {'project': dict(
            fields, name=self.name('project'),
            domain_id=self.ids[domain])})['project']['id']

    def role(self, **fields):
        """Create a role; return its id."""
        return self.make('POST', '/roles', {'role': dict(
            fields, name=self.name('role'))})['role']['id']

    def grant(self, actor_id, role='member', project=None, domain=None,
              system=False, group=False, inherited=False):
        """Grant ``role`` (a name or an id) to a user or a group."""
        role_id = self.roles.get(role, role)
        actor = 'groups' if group else 'users'
        if system:
            path = '/system/%s/%s/roles/%s' % (actor, actor_id, role_id)
        else:
            kind, target = (('projects', project) if project
                            else ('domains', domain))
            path = '/%s/%s/%s/%s/roles/%s' % (kind, target, actor, actor_id,
                                              role_id)
            if inherited:
                path = '/OS-INHERIT%s/inherited_to_projects' % path
        self.make('PUT', path)

    def ids_for(self, persona):
        """The ids a cell of ``persona`` fills paths and bodies with."""
        ids = dict(self.ids)
        ids['self_user_id'] = self.persona_users[persona]
        ids['self_project_id'] = self.persona_projects.get(persona)
        return ids

    # -- the world -------------------------------------------------------

    def _personas(self):
        ids = self.ids
        ids['authz_name'] = self.name('authz-domain')
        ids['authz'] = self.make('POST', '/domains', {'domain': {
            'name': ids['authz_name']}})['domain']['id']
        ids['other'] = self.make('POST', '/domains', {'domain': {
            'name': self.name('other-domain')}})['domain']['id']
        ids['default'] = 'default'
        ids['authz_project'] = self.project()
        ids['other_project'] = self.project('other')
        self.persona_users, self.persona_projects, self.tokens = {}, {}, {}
        plan = {
            SYSTEM_ADMIN: ('default', 'admin', {'system': 'all'}),
            SYSTEM_READER: ('default', 'reader', {'system': 'all'}),
            DOMAIN_ADMIN: ('authz', 'admin', {'domain_id': ids['authz']}),
            DOMAIN_MANAGER: ('authz', 'manager',
                             {'domain_id': ids['authz']}),
            PROJECT_ADMIN: ('authz', 'admin',
                            {'project_id': ids['authz_project']}),
            PROJECT_MEMBER: ('authz', 'member',
                             {'project_id': ids['authz_project']}),
            PROJECT_READER: ('authz', 'reader',
                             {'project_id': ids['authz_project']}),
            UNRELATED: ('other', 'member',
                        {'project_id': ids['other_project']}),
        }
        for persona, (domain, role, scope) in plan.items():
            user_id = self.user(domain)
            if 'system' in scope:
                self.grant(user_id, role, system=True)
            elif 'domain_id' in scope:
                self.grant(user_id, role, domain=scope['domain_id'])
            else:
                self.grant(user_id, role, project=scope['project_id'])
                self.persona_projects[persona] = scope['project_id']
            self.persona_users[persona] = user_id
            self.tokens[persona] = self.issue_token(user_id, **scope)

    def _targets(self):
        ids = self.ids
        ids['project_id'] = ids['authz_project']
        ids['domain_id'] = ids['authz']
        ids['user_id'] = self.user()
        ids['trustee_id'] = self.user()
        ids['group_id'] = self.group()
        self.make('PUT', '/groups/%s/users/%s' % (ids['group_id'],
                                                  ids['user_id']))
        # The target user holds member on the project (for its EC2 and
        # application credentials and its trust).
        ids['role_id'] = self.roles['member']
        ids['admin_role_id'] = self.roles['admin']
        for group in (False, True):
            actor = ids['group_id'] if group else ids['user_id']
            self.grant(actor, project=ids['project_id'], group=group)
            self.grant(actor, domain=ids['domain_id'], group=group)
            self.grant(actor, 'reader', system=True, group=group)
            for target in ('project', 'domain'):
                self.grant(actor, **{target: ids[target + '_id'],
                                     'group': group, 'inherited': True})
        # The same, elsewhere: a user and a group in the other domain,
        # the user in the group of ``authz`` and a member of the other
        # project.
        ids['other_user_id'] = self.user('other')
        ids['other_group_id'] = self.group('other')
        self.make('PUT', '/groups/%s/users/%s' % (ids['group_id'],
                                                  ids['other_user_id']))
        self.grant(ids['other_user_id'], project=ids['other_project'])
        ids['prior_role_id'] = self.role()
        ids['implied_role_id'] = self.role()
        self.make('PUT', '/roles/%s/implies/%s' % (ids['prior_role_id'],
                                                   ids['implied_role_id']))
        ids['value'] = 'authz-tag'
        self.make('PUT', '/projects/%s/tags/authz-tag' % ids['project_id'])
        self._catalog()
        self._limits()
        self._delegation()

    def region(self):
        """Create a region; return its id."""
        return self.make('POST', '/regions', {'region': {
            'id': self.name('region')}})['region']['id']

    def service(self):
        """Create a service; return its id."""
        return self.make('POST', '/services', {'service': {
            'type': self.name('type'), 'name': self.name('service')}})[
            'service']['id']

    def endpoint(self):
        """Create an endpoint of the shared service; return its id."""
        return self.make('POST', '/endpoints', {'endpoint': {
            'service_id': self.ids['service_id'], 'interface': 'public',
            'region_id': self.ids['region_id'],
            'url': 'http://%s.example/' % self.name('host')}})[
            'endpoint']['id']

    def endpoint_group(self):
        """Create an endpoint group; return its id."""
        return self.make('POST', '/OS-EP-FILTER/endpoint_groups', {
            'endpoint_group': {'name': self.name('eg'), 'filters': {
                'service_id': self.ids['service_id']}}})[
            'endpoint_group']['id']

    def policy(self):
        """Create a policy; return its id."""
        return self.make('POST', '/policies', {'policy': {
            'blob': '{}', 'type': 'application/json'}})['policy']['id']

    def _catalog(self):
        ids = self.ids
        ids['region_id'] = self.region()
        ids['service_id'] = self.service()
        ids['endpoint_id'] = self.endpoint()
        ids['endpoint_group_id'] = self.endpoint_group()
        ep = '/OS-EP-FILTER'
        self.make('PUT', ep + '/endpoint_groups/%s/projects/%s' % (
            ids['endpoint_group_id'], ids['project_id']))
        self.make('PUT', ep + '/projects/%s/endpoints/%s' % (
            ids['project_id'], ids['endpoint_id']))
        ids['policy_id'] = self.policy()
        base = '/policies/%s/OS-ENDPOINT-POLICY' % ids['policy_id']
        self.make('PUT', base + '/endpoints/' + ids['endpoint_id'])
        self.make('PUT', base + '/services/' + ids['service_id'])
        self.make('PUT', base + '/services/%s/regions/%s' % (
            ids['service_id'], ids['region_id']))

    def registered_limit(self, resource=None):
        """Register a limit of the shared service; return its id."""
        return self.make('POST', '/registered_limits', {
            'registered_limits': [{
                'service_id': self.ids['service_id'],
                'region_id': self.ids['region_id'],
                'resource_name': resource or self.name('resource'),
                'default_limit': 10}]})['registered_limits'][0]['id']

    def limit(self, project_id=None):
        """Register a new resource and limit it on a project; its id."""
        resource = self.name('resource')
        self.registered_limit(resource)
        return self.make('POST', '/limits', {'limits': [{
            'service_id': self.ids['service_id'],
            'region_id': self.ids['region_id'],
            'project_id': project_id or self.ids['project_id'],
            'resource_name': resource, 'resource_limit': 5}]})[
            'limits'][0]['id']

    def _limits(self):
        self.ids['registered_limit_id'] = self.registered_limit()
        self.ids['limit_id'] = self.limit()
        self.ids['other_limit_id'] = self.limit(self.ids['other_project'])
        resource = self.name('resource')
        self.registered_limit(resource)
        self.ids['domain_limit_id'] = self.make('POST', '/limits', {
            'limits': [{'service_id': self.ids['service_id'],
                        'region_id': self.ids['region_id'],
                        'domain_id': self.ids['authz'],
                        'resource_name': resource,
                        'resource_limit': 50}]})['limits'][0]['id']

    def credential(self, user_id=None):
        """Create a ``cert`` credential of the target user; its id."""
        return self.make('POST', '/credentials', {'credential': {
            'user_id': user_id or self.ids['user_id'], 'type': 'cert',
            'blob': self.name('blob')}})['credential']['id']

    def ec2_credential(self, secret=False):
        """Create an EC2 credential of the target user; its access key
        (and secret)."""
        made = self.make('POST', '/users/%s/credentials/OS-EC2' % (
            self.ids['user_id']), {'tenant_id': self.ids['project_id']})[
            'credential']
        return (made['access'], made['secret']) if secret else made[
            'access']

    def app_credential(self, access_rules=None):
        """Create an application credential of the target user (with its
        own token); return it."""
        body = {'name': self.name('appcred')}
        if access_rules is not None:
            body['access_rules'] = access_rules
        return self.make('POST', '/users/%s/application_credentials' % (
            self.ids['user_id']), {'application_credential': body},
            token=self.target_token)['application_credential']

    def access_rule(self):
        """Create an access rule of the target user that no credential
        uses (so it can be deleted); return its id."""
        cred = self.app_credential([{'service': 'compute', 'method': 'GET',
                                     'path': '/%s' % self.name('path')}])
        self.make('DELETE', '/users/%s/application_credentials/%s' % (
            self.ids['user_id'], cred['id']))
        return cred['access_rules'][0]['id']

    def trust(self):
        """Create a trust: the target user trusts the trustee with member
        on the project; return its id."""
        return self.make('POST', '/OS-TRUST/trusts', {'trust': {
            'trustor_user_id': self.ids['user_id'],
            'trustee_user_id': self.ids['trustee_id'],
            'project_id': self.ids['project_id'], 'impersonation': False,
            'roles': [{'name': 'member'}]}}, token=self.target_token)[
            'trust']['id']

    def _delegation(self):
        ids = self.ids
        self.target_token = self.issue_token(
            ids['user_id'], project_id=ids['project_id'])
        ids['credential_id'] = self.credential()
        ids['ec2_credential_id'], self.ec2_secret = self.ec2_credential(
            secret=True)
        cred = self.app_credential([{'service': 'compute', 'method': 'GET',
                                     'path': '/servers'}])
        ids['application_credential_id'] = cred['id']
        ids['access_rule_id'] = cred['access_rules'][0]['id']
        ids['trust_id'] = self.trust()


def check_row(world, row):
    """Send ``row`` as every persona; return the cells that disagree."""
    mismatches = []
    # Each allowed persona acts on targets of its own; the refused ones
    # share one (a persona wrongly let through shows as a 2xx, and those
    # after it as a 404: both are reported).
    shared = None
    for persona in PERSONAS:
        ids = world.ids_for(persona)
        if row.setup is not None:
            if persona in row.allowed:
                ids.update(row.setup(world, persona) or {})
            else:
                if shared is None:
                    shared = row.setup(world, persona) or {}
                ids.update(shared)
        values = {name: ids[row.params.get(name, name)]
                  for name in _placeholders(row.route)}
        path = row.route.format(**values)
        if row.query:
            path += '?' + row.query.format(**ids)
        body = row.body(ids) if callable(row.body) else row.body
        response = world.send(row.method, path, body,
                              token=world.tokens[persona],
                              listener=row.listener)
        status = response.status_int
        expected = persona in row.allowed
        ok = 200 <= status < 300 if expected else status == 403
        if not ok:
            mismatches.append('%s: %s, expected %s (%s)' % (
                persona, status, '2xx' if expected else 403,
                response.text[:200]))
    return mismatches


def _placeholders(route):
    return [part[1:-1] for part in route.split('/')
            if part.startswith('{') and part.endswith('}')]
