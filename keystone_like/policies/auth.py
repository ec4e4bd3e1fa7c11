"""Rules of ``/v3/auth``: tokens and what a token's user may scope to."""

from keystone_like.policies import base

_TOKENS = '/v3/auth/tokens'

RULES = [
    base.rule('identity:get_auth_catalog', '',
              operations=[('GET', '/v3/auth/catalog')]),
    base.rule('identity:get_auth_projects', '',
              operations=[('GET', '/v3/auth/projects')]),
    base.rule('identity:get_auth_domains', '',
              operations=[('GET', '/v3/auth/domains')]),
    base.rule('identity:get_auth_system', '',
              operations=[('GET', '/v3/auth/system')]),
    base.rule('identity:check_token',
              '%s or (%s) or rule:token_subject'
              % (base.ADMIN, base.SYSTEM_READER),
              base.ANY_SCOPE, 'rule:admin_or_token_subject',
              [('HEAD', _TOKENS)]),
    base.rule('identity:validate_token',
              '%s or (%s) or rule:service_role or rule:token_subject'
              % (base.ADMIN, base.SYSTEM_READER),
              base.ANY_SCOPE, 'rule:service_admin_or_token_subject',
              [('GET', _TOKENS)]),
    base.rule('identity:revoke_token', '%s or rule:token_subject'
              % base.ADMIN, base.ANY_SCOPE, 'rule:admin_or_token_subject',
              [('DELETE', _TOKENS)]),
]
