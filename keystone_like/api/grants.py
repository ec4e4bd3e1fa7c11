"""Role grants: on projects and domains (direct or OS-INHERIT inherited to
the projects below) and on the system, to users and to groups.

Removing a grant records no revocation event: every validation recomputes
the token's roles, so the next one sees the change (as Keystone does). A
token left with no role on its scope stops validating.
"""

from keystone_like import api
from keystone_like.api import resources
from keystone_like.api import targets
from keystone_like.store import assignments

_CHECK = ('check', 'check_grant')
_CREATE = ('create', 'create_grant')
_REVOKE = ('revoke', 'revoke_grant')
_INHERITED = '/roles/{role_id}/inherited_to_projects'


def _grant_routes():
    """Every grant route, generated from the (target, actor) pairs."""
    routes = []
    for target in ('project', 'domain'):
        for actor in ('user', 'group'):
            base = '/%ss/{%s_id}/%ss/{%s_id}' % (target, target, actor, actor)
            routes += [
                ('GET', base + '/roles', 'list_grants'),
                ('PUT', base + '/roles/{role_id}', 'create_grant'),
                ('GET', base + '/roles/{role_id}', 'check_grant'),
                ('DELETE', base + '/roles/{role_id}', 'revoke_grant'),
                ('PUT', '/OS-INHERIT' + base + _INHERITED,
                 'create_inherited_grant'),
                ('GET', '/OS-INHERIT' + base + _INHERITED,
                 'check_inherited_grant'),
                ('DELETE', '/OS-INHERIT' + base + _INHERITED,
                 'revoke_inherited_grant'),
            ]
            if target == 'domain':
                routes.append(('GET', '/OS-INHERIT' + base +
                               '/roles/inherited_to_projects',
                               'list_inherited_grants'))
    for actor in ('user', 'group'):
        system = '/system/%ss/{%s_id}/roles' % (actor, actor)
        routes += [
            ('GET', system, 'list_system_grants'),
            ('PUT', system + '/{role_id}', 'create_system_grant'),
            ('GET', system + '/{role_id}', 'check_system_grant'),
            ('DELETE', system + '/{role_id}', 'revoke_system_grant'),
        ]
    return tuple(routes)


def _split(ids):
    """Return ``(actor kind, actor id, target kind, target id)``."""
    actor = 'user' if 'user_id' in ids else 'group'
    target = ('project' if 'project_id' in ids
              else 'domain' if 'domain_id' in ids else 'system')
    return actor, ids[actor + '_id'], target, ids.get(target + '_id')


def _policy_target(session, ids, role_id=None):
    """The entities of a grant request that exist, keyed by kind."""
    return targets.build(session, role=role_id, user=ids.get('user_id'),
                         group=ids.get('group_id'),
                         project=ids.get('project_id'),
                         domain=ids.get('domain_id'))


class GrantResource:
    """Handlers of role grants on projects, domains and the system."""

    public_routes = ()
    management_routes = _grant_routes()

    def _grant_action(self, request, action, inherited, role_id, **ids):
        verb, policy_action = action
        actor, actor_id, target, target_id = _split(ids)
        grant = assignments.Grant(actor, actor_id, target, target_id or '',
                                  role_id, inherited)
        if target == 'system':
            policy_action = '%s_system_grant_for_%s' % (verb, actor)
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:' + policy_action,
                           _policy_target(session, ids, role_id), **ids)
            {'check': assignments.check_grant,
             'create': assignments.create_grant,
             'revoke': assignments.delete_grant}[verb](session, grant)
        return resources.no_content()

    def _list(self, request, inherited, **ids):
        actor, actor_id, target, target_id = _split(ids)
        action = ('identity:list_system_grants_for_' + actor
                  if target == 'system' else 'identity:list_grants')
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, action, _policy_target(session, ids),
                           **ids)
            refs = assignments.list_granted_roles(
                session, actor, actor_id, target, target_id, inherited)
        path = request.path_info.lstrip('/')
        return api.json_response(resources.collection(
            request, self.interface, 'roles', refs, path=path))

    def list_grants(self, request, **ids):
        """GET .../roles: the roles granted to the actor on the target."""
        return self._list(request, False, **ids)

    def list_inherited_grants(self, request, **ids):
        """GET /OS-INHERIT/domains/.../roles/inherited_to_projects."""
        return self._list(request, True, **ids)

    def list_system_grants(self, request, **ids):
        """GET /system/{users|groups}/{id}/roles."""
        return self._list(request, False, **ids)

    def create_grant(self, request, role_id, **ids):
        """PUT .../roles/{role_id}: 204."""
        return self._grant_action(request, _CREATE, False, role_id, **ids)

    def check_grant(self, request, role_id, **ids):
        """GET or HEAD .../roles/{role_id}: 204 or 404."""
        return self._grant_action(request, _CHECK, False, role_id, **ids)

    def revoke_grant(self, request, role_id, **ids):
        """DELETE .../roles/{role_id}: 204 or 404."""
        return self._grant_action(request, _REVOKE, False, role_id, **ids)

    def create_inherited_grant(self, request, role_id, **ids):
        """PUT /OS-INHERIT/...{role_id}/inherited_to_projects: 204."""
        return self._grant_action(request, _CREATE, True, role_id, **ids)

    def check_inherited_grant(self, request, role_id, **ids):
        """GET or HEAD /OS-INHERIT/...: 204 or 404."""
        return self._grant_action(request, _CHECK, True, role_id, **ids)

    def revoke_inherited_grant(self, request, role_id, **ids):
        """DELETE /OS-INHERIT/...: 204 or 404."""
        return self._grant_action(request, _REVOKE, True, role_id, **ids)

    def create_system_grant(self, request, role_id, **ids):
        """PUT /system/{users|groups}/{id}/roles/{role_id}: 204."""
        return self._grant_action(request, _CREATE, False, role_id, **ids)

    def check_system_grant(self, request, role_id, **ids):
        """GET or HEAD /system/{users|groups}/{id}/roles/{role_id}."""
        return self._grant_action(request, _CHECK, False, role_id, **ids)

    def revoke_system_grant(self, request, role_id, **ids):
        """DELETE /system/{users|groups}/{id}/roles/{role_id}: 204."""
        return self._grant_action(request, _REVOKE, False, role_id, **ids)
