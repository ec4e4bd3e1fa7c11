"""Rules of role grants (projects, domains, the system) and listings."""

from keystone_like.policies import base

_ADMIN_OR_READER = '(%s) or (%s)' % (base.ADMIN, base.SYSTEM_READER)
_ROLE_IN_DOMAIN = ('(domain_id:%(target.role.domain_id)s or '
                   'None:%(target.role.domain_id)s)')
_GRANT_PATHS = ('/v3/projects/{project_id}/users/{user_id}/roles',
                '/v3/projects/{project_id}/groups/{group_id}/roles',
                '/v3/domains/{domain_id}/users/{user_id}/roles',
                '/v3/domains/{domain_id}/groups/{group_id}/roles')


def _actor_and_target_in_domain(role):
    """``role`` on the domain of both the actor and the target."""
    return ' or '.join(
        '(role:%s and domain_id:%%(target.%s.domain_id)s and '
        'domain_id:%%(target.%s)s)' % (role, actor, target)
        for actor in ('user', 'group')
        for target in ('project.domain_id', 'domain.id'))


def _grant_rule(name, check, methods, member=True):
    paths = [p + '/{role_id}' if member else p for p in _GRANT_PATHS]
    return base.rule(name, check, base.ANY_SCOPE, base.ADMIN,
                     [(m, p) for p in paths for m in methods])


_READER_IN_DOMAIN = _actor_and_target_in_domain('reader')
_READ_GRANTS = '(%s) or ((%s) or %s)' % (
    base.ADMIN, base.SYSTEM_READER, _READER_IN_DOMAIN)
_CHANGE_GRANT = ('(%s) or (%s) and %s or (%s) and '
                 'rule:domain_managed_target_role' % (
                     base.ADMIN, _actor_and_target_in_domain('admin'),
                     _ROLE_IN_DOMAIN, _actor_and_target_in_domain('manager')))
_SYSTEM = '/v3/system/%ss/{%s_id}/roles'


def _system_rules(actor):
    path = _SYSTEM % (actor, actor)
    member = path + '/{role_id}'
    return [
        base.rule('identity:list_system_grants_for_%s' % actor,
                  base.ADMIN_OR_SYSTEM_READER, base.SYSTEM_OR_PROJECT,
                  base.ADMIN, [('GET', path), ('HEAD', path)]),
        base.rule('identity:check_system_grant_for_%s' % actor,
                  base.ADMIN_OR_SYSTEM_READER, base.SYSTEM_OR_PROJECT,
                  base.ADMIN, [('GET', member), ('HEAD', member)]),
        base.rule('identity:create_system_grant_for_%s' % actor, base.ADMIN,
                  base.SYSTEM_OR_PROJECT, base.ADMIN, [('PUT', member)]),
        base.rule('identity:revoke_system_grant_for_%s' % actor, base.ADMIN,
                  base.SYSTEM_OR_PROJECT, base.ADMIN, [('DELETE', member)]),
    ]


_LIST = ('%s or (role:reader and domain_id:%%(target.domain_id)s and '
         'not None:%%(target.domain_id)s)' % _ADMIN_OR_READER)

RULES = [
    _grant_rule('identity:check_grant', '(%s) or ((%s) or (%s) and %s)' % (
        base.ADMIN, base.SYSTEM_READER, _READER_IN_DOMAIN, _ROLE_IN_DOMAIN),
        ('GET', 'HEAD')),
    _grant_rule('identity:list_grants', _READ_GRANTS, ('GET', 'HEAD'),
                member=False),
    _grant_rule('identity:create_grant', _CHANGE_GRANT, ('PUT',)),
    _grant_rule('identity:revoke_grant', _CHANGE_GRANT, ('DELETE',)),
    base.rule('identity:list_role_assignments', _LIST, base.ANY_SCOPE,
              base.ADMIN, [('GET', '/v3/role_assignments')]),
    base.rule('identity:list_role_assignments_for_tree', _LIST,
              base.ANY_SCOPE, base.ADMIN,
              [('GET', '/v3/role_assignments?include_subtree')]),
] + _system_rules('user') + _system_rules('group')
