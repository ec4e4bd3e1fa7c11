"""Roles, role grants and ``/v3/role_assignments`` (admin listener).

Removing a grant records a revocation event for the user on that project
or domain; deleting a role records one by role id. Groups, inheritance and
system scope do not exist here, so filters naming them match nothing.
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import assignment as schema
from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import revocations
from keystone_like.store import roles
from keystone_like.store import users

COLLECTION = 'roles'
_PROJECT_GRANTS = '/projects/{project_id}/users/{user_id}/roles'
_DOMAIN_GRANTS = '/domains/{domain_id}/users/{user_id}/roles'
# Per grant target: URL segment, assignment type, lookup, roles held.
_TARGETS = {
    'project': ('projects', assignments.USER_PROJECT, projects.get_project,
                assignments.roles_for_user_on_project),
    'domain': ('domains', assignments.USER_DOMAIN, domains.get_domain,
               assignments.roles_for_user_on_domain),
}


def _assignment_entry(request, interface, entry):
    scope, target = next(iter(entry['scope'].items()))
    path = '%s/%s/users/%s/roles/%s' % (
        _TARGETS[scope][0], target['id'], entry['user']['id'],
        entry['role']['id'])
    return dict(entry, links={
        'assignment': resources.v3_url(request, interface, path)})


def _add_names(session, entry):
    """Fill the names ``?include_names`` asks for, as Keystone shows them."""
    role = roles.get_role(session, entry['role']['id'])
    user = users.get_user(session, entry['user']['id'])
    entry['role'] = {'id': role['id'], 'name': role['name']}
    entry['user'] = {'id': user['id'], 'name': user['name'],
                     'domain': _ref(domains.get_domain(session,
                                                       user['domain_id']))}
    if 'project' in entry['scope']:
        project = projects.get_project(session,
                                       entry['scope']['project']['id'])
        entry['scope'] = {'project': dict(_ref(project), domain=_ref(
            domains.get_domain(session, project['domain_id'])))}
    else:
        entry['scope'] = {'domain': _ref(domains.get_domain(
            session, entry['scope']['domain']['id']))}
    return entry


def _ref(ref):
    return {'id': ref['id'], 'name': ref['name']}


class RoleResource:
    """Handlers of roles, grants on projects and domains, assignments."""

    public_routes = ()
    admin_routes = (
        ('POST', '/roles', 'create_role'),
        ('GET', '/roles', 'list_roles'),
        ('GET', '/roles/{role_id}', 'get_role'),
        ('PATCH', '/roles/{role_id}', 'update_role'),
        ('DELETE', '/roles/{role_id}', 'delete_role'),
        ('GET', '/role_assignments', 'list_role_assignments'),
        ('GET', _PROJECT_GRANTS, 'list_project_grants'),
        ('PUT', _PROJECT_GRANTS + '/{role_id}', 'grant_project_role'),
        ('GET', _PROJECT_GRANTS + '/{role_id}', 'check_project_grant'),
        ('DELETE', _PROJECT_GRANTS + '/{role_id}', 'revoke_project_grant'),
        ('GET', _DOMAIN_GRANTS, 'list_domain_grants'),
        ('PUT', _DOMAIN_GRANTS + '/{role_id}', 'grant_domain_role'),
        ('GET', _DOMAIN_GRANTS + '/{role_id}', 'check_domain_grant'),
        ('DELETE', _DOMAIN_GRANTS + '/{role_id}', 'revoke_domain_grant'),
    )

    def _role_response(self, request, ref, status=200):
        return api.json_response({'role': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def create_role(self, request):
        """POST /v3/roles: 201 with the new role."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:create_role')
            ref = dict(resources.json_body(
                request, schema.ROLE_CREATE)['role'])
            ref.pop('id', None)  # Keystone assigns ids; it ignores one given.
            ref = roles.create_role(session, ref)
        return self._role_response(request, ref, status=201)

    def list_roles(self, request):
        """GET /v3/roles with ``?name=`` (``?domain_id=`` matches none)."""
        pager = pagination.Pager(request, self.backends.conf, 'role')
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_roles')
            refs = roles.list_roles(session,
                                    name=resources.query(request, 'name'),
                                    page=pager.page())
            if resources.query(request, 'domain_id'):
                refs = []  # every role is global
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def get_role(self, request, role_id):
        """GET /v3/roles/{role_id}."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:get_role')
            ref = roles.get_role(session, role_id)
        return self._role_response(request, ref)

    def update_role(self, request, role_id):
        """PATCH /v3/roles/{role_id}."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:update_role')
            changes = resources.json_body(request, schema.ROLE_UPDATE)['role']
            ref = roles.update_role(session, role_id, changes)
        return self._role_response(request, ref)

    def delete_role(self, request, role_id):
        """DELETE /v3/roles/{role_id}: 204; its grants go with it."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:delete_role')
            roles.delete_role(session, role_id)
            revocations.add_event(session, role_id=role_id)
        return resources.no_content()

    def list_role_assignments(self, request):
        """GET /v3/role_assignments with Keystone's filters."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_role_assignments')
            project_id = resources.query(request, 'scope.project.id')
            domain_id = resources.query(request, 'scope.domain.id')
            if project_id and domain_id:
                raise exceptions.ValidationError(
                    'Specify a domain or project, not both')
            entries = []
            if not (resources.query(request, 'group.id')
                    or resources.query(request, 'scope.system')):
                entries = assignments.list_assignments(
                    session, user_id=resources.query(request, 'user.id'),
                    project_id=project_id, domain_id=domain_id,
                    role_id=resources.query(request, 'role.id'))
            if resources.query_bool(request, 'include_names'):
                entries = [_add_names(session, e) for e in entries]
        document = resources.collection(request, self.interface,
                                        'role_assignments', [])
        document['role_assignments'] = [
            _assignment_entry(request, self.interface, entry)
            for entry in entries]
        return api.json_response(document)

    def _list_grants(self, request, scope, target_id, user_id):
        segment, _type, get_target, roles_on = _TARGETS[scope]
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_grants')
            get_target(session, target_id)
            users.get_user(session, user_id)
            refs = roles_on(session, user_id, target_id)
        return api.json_response(resources.collection(
            request, self.interface, COLLECTION, refs,
            path='%s/%s/users/%s/roles' % (segment, target_id, user_id)))

    def _change_grant(self, request, action, scope, target_id, user_id,
                      role_id):
        assignment_type = _TARGETS[scope][1]
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:' + action)
            key = (assignment_type, user_id, target_id, role_id)
            if action == 'create_grant':
                assignments.grant(session, *key)
            elif action == 'check_grant':
                assignments.check_grant(session, *key)
            else:
                assignments.revoke_grant(session, *key)
                revocations.add_event(session, user_id=user_id,
                                      **{scope + '_id': target_id})
        return resources.no_content()

    def list_project_grants(self, request, project_id, user_id):
        """GET /v3/projects/{p}/users/{u}/roles: the user's roles there."""
        return self._list_grants(request, 'project', project_id, user_id)

    def grant_project_role(self, request, project_id, user_id, role_id):
        """PUT /v3/projects/{p}/users/{u}/roles/{r}: 204."""
        return self._change_grant(request, 'create_grant', 'project',
                                  project_id, user_id, role_id)

    def check_project_grant(self, request, project_id, user_id, role_id):
        """HEAD or GET /v3/projects/{p}/users/{u}/roles/{r}: 204 or 404."""
        return self._change_grant(request, 'check_grant', 'project',
                                  project_id, user_id, role_id)

    def revoke_project_grant(self, request, project_id, user_id, role_id):
        """DELETE /v3/projects/{p}/users/{u}/roles/{r}: 204 or 404."""
        return self._change_grant(request, 'revoke_grant', 'project',
                                  project_id, user_id, role_id)

    def list_domain_grants(self, request, domain_id, user_id):
        """GET /v3/domains/{d}/users/{u}/roles: the user's roles there."""
        return self._list_grants(request, 'domain', domain_id, user_id)

    def grant_domain_role(self, request, domain_id, user_id, role_id):
        """PUT /v3/domains/{d}/users/{u}/roles/{r}: 204."""
        return self._change_grant(request, 'create_grant', 'domain',
                                  domain_id, user_id, role_id)

    def check_domain_grant(self, request, domain_id, user_id, role_id):
        """HEAD or GET /v3/domains/{d}/users/{u}/roles/{r}: 204 or 404."""
        return self._change_grant(request, 'check_grant', 'domain',
                                  domain_id, user_id, role_id)

    def revoke_domain_grant(self, request, domain_id, user_id, role_id):
        """DELETE /v3/domains/{d}/users/{u}/roles/{r}: 204 or 404."""
        return self._change_grant(request, 'revoke_grant', 'domain',
                                  domain_id, user_id, role_id)
