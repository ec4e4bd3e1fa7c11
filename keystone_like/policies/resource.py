"""Rules of domains and projects (Keystone's "resource" backend)."""

from keystone_like.policies import base

_ADMIN_OR_READER = '(%s) or (%s)' % (base.ADMIN, base.SYSTEM_READER)
_IN_DOMAIN = ('domain_id:%(target.project.domain_id)s and '
              'not None:%(target.project.domain_id)s')

RULES = base.crud(
    'domain', '/v3/domains',
    get='%s or (%s) or token.domain.id:%%(target.domain.id)s or '
        'token.project.domain.id:%%(target.domain.id)s'
        % (base.ADMIN, base.SYSTEM_READER),
    list_='%s or (%s) or (role:reader and domain_id:%%(target.domain.id)s)'
          % (base.ADMIN, base.SYSTEM_READER),
    write=base.ADMIN, read_scopes=base.ANY_SCOPE,
    get_deprecated='%s or token.project.domain.id:%%(target.domain.id)s'
                   % base.ADMIN,
) + base.crud(
    'project', '/v3/projects',
    get='%s or (role:reader and %s) or project_id:%%(target.project.id)s'
        % (_ADMIN_OR_READER, _IN_DOMAIN),
    list_='%s or (role:reader and domain_id:%%(target.domain_id)s)'
          % _ADMIN_OR_READER,
    write='(%s) or (role:manager and %s)' % (base.ADMIN, _IN_DOMAIN),
    read_scopes=base.ANY_SCOPE, write_scopes=base.ANY_SCOPE,
    get_deprecated='%s or project_id:%%(target.project.id)s' % base.ADMIN,
) + [
    base.rule('identity:list_user_projects',
              '%s or (role:reader and domain_id:%%(target.user.domain_id)s) '
              'or user_id:%%(target.user.id)s' % _ADMIN_OR_READER,
              base.ANY_SCOPE, 'rule:admin_or_owner',
              [('GET', '/v3/users/{user_id}/projects')]),
]
