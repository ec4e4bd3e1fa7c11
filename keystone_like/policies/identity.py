"""Rules of users and groups (Keystone's "identity" backend)."""

from keystone_like.policies import base

_ADMIN_OR_READER = '(%s) or (%s)' % (base.ADMIN, base.SYSTEM_READER)
_GROUP_READER = ('%s or (role:reader and '
                 'domain_id:%%(target.group.domain_id)s)' % _ADMIN_OR_READER)
_BOTH_IN_DOMAIN = ('domain_id:%(target.group.domain_id)s and '
                   'domain_id:%(target.user.domain_id)s')
_MEMBER = '/v3/groups/{group_id}/users/{user_id}'

RULES = base.crud(
    'user', '/v3/users',
    get='%s or (role:reader and token.domain.id:%%(target.user.domain_id)s) '
        'or user_id:%%(target.user.id)s' % _ADMIN_OR_READER,
    list_='%s or (role:reader and domain_id:%%(target.domain_id)s)'
          % _ADMIN_OR_READER,
    write='(%s) or (role:manager and '
          'token.domain.id:%%(target.user.domain_id)s)' % base.ADMIN,
    read_scopes=base.ANY_SCOPE, write_scopes=base.ANY_SCOPE,
    get_deprecated='rule:admin_or_owner',
) + base.crud(
    'group', '/v3/groups', get=_GROUP_READER,
    write='(%s) or (role:manager and domain_id:%%(target.group.domain_id)s)'
          % base.ADMIN,
    read_scopes=base.ANY_SCOPE, write_scopes=base.ANY_SCOPE,
) + [
    base.rule('identity:list_groups_for_user',
              '%s or (role:reader and domain_id:%%(target.user.domain_id)s) '
              'or user_id:%%(user_id)s' % _ADMIN_OR_READER,
              base.ANY_SCOPE, 'rule:admin_or_owner',
              [('GET', '/v3/users/{user_id}/groups')]),
    base.rule('identity:list_users_in_group', _GROUP_READER, base.ANY_SCOPE,
              base.ADMIN, [('GET', '/v3/groups/{group_id}/users')]),
    base.rule('identity:check_user_in_group',
              '%s or (role:reader and %s)' % (_ADMIN_OR_READER,
                                              _BOTH_IN_DOMAIN),
              base.ANY_SCOPE, base.ADMIN,
              [('HEAD', _MEMBER), ('GET', _MEMBER)]),
    base.rule('identity:add_user_to_group',
              '(%s) or (role:manager and %s)' % (base.ADMIN, _BOTH_IN_DOMAIN),
              base.ANY_SCOPE, base.ADMIN, [('PUT', _MEMBER)]),
    base.rule('identity:remove_user_from_group',
              '(%s) or (role:manager and %s)' % (base.ADMIN, _BOTH_IN_DOMAIN),
              base.ANY_SCOPE, base.ADMIN, [('DELETE', _MEMBER)]),
]
