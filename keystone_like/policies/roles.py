"""Rules of roles, domain-specific roles and role inference rules."""

from keystone_like.policies import base

_IMPLIES = '/v3/roles/{prior_role_id}/implies'
_RULE = _IMPLIES + '/{implied_role_id}'

RULES = base.crud(
    'role', '/v3/roles',
    get='(%s) or (role:manager and rule:domain_managed_target_role)'
        % base.ADMIN_OR_SYSTEM_READER,
    list_='(%s) or (role:manager and not domain_id:None)'
          % base.ADMIN_OR_SYSTEM_READER,
    write=base.ADMIN, read_scopes=base.ANY_SCOPE,
) + base.crud(
    'domain_role', '/v3/roles', get=base.ADMIN_OR_SYSTEM_READER,
    write=base.ADMIN,
) + [
    base.rule('identity:get_implied_role', base.ADMIN_OR_SYSTEM_READER,
              base.SYSTEM_OR_PROJECT, base.ADMIN, [('GET', _RULE)]),
    base.rule('identity:check_implied_role', base.ADMIN_OR_SYSTEM_READER,
              base.SYSTEM_OR_PROJECT, base.ADMIN, [('HEAD', _RULE)]),
    base.rule('identity:list_implied_roles', base.ADMIN_OR_SYSTEM_READER,
              base.SYSTEM_OR_PROJECT, base.ADMIN, [('GET', _IMPLIES)]),
    base.rule('identity:list_role_inference_rules',
              base.ADMIN_OR_SYSTEM_READER, base.SYSTEM_OR_PROJECT,
              base.ADMIN, [('GET', '/v3/role_inferences')]),
    base.rule('identity:create_implied_role', base.ADMIN,
              base.SYSTEM_OR_PROJECT, base.ADMIN, [('PUT', _RULE)]),
    base.rule('identity:delete_implied_role', base.ADMIN,
              base.SYSTEM_OR_PROJECT, base.ADMIN, [('DELETE', _RULE)]),
]
