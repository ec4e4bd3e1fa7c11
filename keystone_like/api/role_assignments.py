"""``GET /v3/role_assignments``: who holds which role where.

Filters as Keystone's: ``user.id``, ``group.id``, ``role.id``,
``scope.project.id``, ``scope.domain.id``, ``scope.system``,
``scope.OS-INHERIT:inherited_to``, ``effective`` (groups, inheritance and
implied roles expanded), ``include_subtree`` (with a project) and
``include_names``. A domain-scoped caller sees its domain's assignments
only.
"""

from keystone_like import api
from keystone_like.api import resources
from keystone_like.api import targets
from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import groups
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

_EXCLUSIVE = (('scope.domain.id', 'scope.project.id',
               'Specify a domain or project, not both'),
              ('scope.domain.id', 'scope.system',
               'Specify system or domain, not both'),
              ('scope.project.id', 'scope.system',
               'Specify system or project, not both'),
              ('user.id', 'group.id', 'Specify a user or group, not both'))


def _filters(request):
    """Return the listing's keyword filters; 400 on useless combinations."""
    value = {name: resources.query(request, name) for name in (
        'user.id', 'group.id', 'role.id', 'scope.project.id',
        'scope.domain.id', 'scope.system', 'scope.OS-INHERIT:inherited_to')}
    for first, second, message in _EXCLUSIVE:
        if value[first] and value[second]:
            raise exceptions.ValidationError(message)
    inherited = None
    if value['scope.OS-INHERIT:inherited_to'] is not None:
        inherited = value['scope.OS-INHERIT:inherited_to'] == 'projects'
    is_effective = bool(resources.query_bool(request, 'effective'))
    if is_effective and value['group.id']:
        raise exceptions.ValidationError(
            'Combining effective and group filter will always result in an '
            'empty list.')
    if is_effective and inherited and value['scope.domain.id']:
        raise exceptions.ValidationError(
            'Combining effective, domain and inherited filters will always '
            'result in an empty list.')
    return {'role_id': value['role.id'], 'user_id': value['user.id'],
            'group_id': value['group.id'],
            'system': value['scope.system'] == 'all',
            'domain_id': value['scope.domain.id'],
            'project_id': value['scope.project.id'],
            'inherited': inherited, 'effective': is_effective}


class RoleAssignmentResource:
    """The handler of ``/v3/role_assignments``."""

    public_routes = ()
    management_routes = (
        ('GET', '/role_assignments', 'list_role_assignments'),
    )

    def list_role_assignments(self, request):
        """GET /v3/role_assignments with Keystone's filters."""
        subtree = resources.query_bool(request, 'include_subtree')
        with self.session() as session:
            token = self.authenticate(session, request)
            filters = _filters(request)
            if subtree:
                self._authorize_tree(session, token, filters['project_id'])
            else:
                self.authorize(token, 'identity:list_role_assignments',
                               targets.scoped_domain(token))
            entries = effective.list_role_assignments(
                session, include_subtree=bool(subtree), **filters)
            if token.domain_id is not None:
                entries = [e for e in entries
                           if _domain_of(session, e) == token.domain_id]
            if resources.query_bool(request, 'include_names'):
                entries = [_with_names(session, e) for e in entries]
            document = resources.collection(
                request, self.interface, 'role_assignments', [])
            document['role_assignments'] = [
                _format(request, self.interface, e) for e in entries]
        return api.json_response(document)

    def _authorize_tree(self, session, token, project_id):
        """``include_subtree`` needs a project; the rule reads its domain."""
        target = targets.build(session, project=project_id)
        if 'project' in target:
            target['domain_id'] = target['project']['domain_id']
        self.authorize(token, 'identity:list_role_assignments_for_tree',
                       target)
        if not project_id:
            raise exceptions.ValidationError(
                'scope.project.id must be specified if include_subtree is '
                'also specified')


def _domain_of(session, entry):
    if 'domain_id' in entry:
        return entry['domain_id']
    if 'project_id' in entry:
        return projects.get_project(session, entry['project_id'])[
            'domain_id']
    return None


def _named(ref, domain=None):
    named = {'id': ref['id'], 'name': ref['name']}
    if domain is not None:
        named['domain'] = {'id': domain['id'], 'name': domain['name']}
    return named


def _with_names(session, entry):
    """Add what ``?include_names`` shows: names and their domains."""
    entry = dict(entry, names={})
    for kind, get in (('user', users.get_user), ('group', groups.get_group),
                      ('project', projects.get_project)):
        if kind + '_id' in entry:
            try:
                ref = get(session, entry[kind + '_id'])
            except exceptions.NotFound:
                ref = {'id': entry[kind + '_id'], 'name': '',
                       'domain_id': None}
            domain = (domains.get_domain(session, ref['domain_id'])
                      if ref['domain_id'] else {'id': '', 'name': ''})
            entry['names'][kind] = _named(ref, domain)
    if 'domain_id' in entry:
        entry['names']['domain'] = _named(
            domains.get_domain(session, entry['domain_id']))
    role = roles.get_role(session, entry['role_id'])
    entry['names']['role'] = _named(role, domains.get_domain(
        session, role['domain_id']) if role['domain_id'] else None)
    return entry


def _format(request, interface, entry):
    """Render one assignment dict as Keystone's API entry with links."""
    names = entry.get('names', {})
    indirect = entry.get('indirect', {})
    inherited = entry.get('inherited_to_projects', False)
    formatted = {'links': {}}
    if 'project_id' in entry:
        formatted['scope'] = {'project': names.get(
            'project', {'id': entry['project_id']})}
        if 'domain_id' in indirect:
            inherited, link = True, '/domains/%s' % indirect['domain_id']
        elif 'project_id' in indirect:
            inherited, link = True, '/projects/%s' % indirect['project_id']
        else:
            link = '/projects/%s' % entry['project_id']
    elif 'domain_id' in entry:
        formatted['scope'] = {'domain': names.get(
            'domain', {'id': entry['domain_id']})}
        link = '/domains/%s' % entry['domain_id']
    else:
        formatted['scope'] = {'system': {'all': True}}
        link = '/system'
    if 'user_id' in entry:
        formatted['user'] = names.get('user', {'id': entry['user_id']})
        if 'group_id' in indirect:
            formatted['links']['membership'] = resources.v3_url(
                request, interface, 'groups/%s/users/%s'
                % (indirect['group_id'], entry['user_id']))
            link += '/groups/%s' % indirect['group_id']
        else:
            link += '/users/%s' % entry['user_id']
    else:
        formatted['group'] = names.get('group', {'id': entry['group_id']})
        link += '/groups/%s' % entry['group_id']
    formatted['role'] = names.get('role', {'id': entry['role_id']})
    if 'role_id' in indirect:
        # Keystone's link names the implied role first; kept for clients.
        link += '/roles/%s' % indirect['role_id']
        formatted['links']['prior_role'] = resources.v3_url(
            request, interface, 'prior_role/%s/implies/%s'
            % (entry['role_id'], indirect['role_id']))
    else:
        link += '/roles/%s' % entry['role_id']
    if inherited:
        formatted['scope']['OS-INHERIT:inherited_to'] = 'projects'
        link = '/OS-INHERIT%s/inherited_to_projects' % link
    formatted['links']['assignment'] = resources.v3_url(request, interface,
                                                        link)
    return formatted
