"""Rules of application credentials and access rules (a user's own).

Keystone 30's: the owner (``rule:owner`` reads the ``user_id`` of the
request, which for one credential is its owner's, never the path's),
admins and system readers; only the owner creates, with a project-scoped
token. Access rules read ``target.user`` (the user of the path).
"""

from keystone_like.policies import base

_CREDS = '/v3/users/{user_id}/application_credentials'
_CRED = _CREDS + '/{application_credential_id}'
_RULES = '/v3/users/{user_id}/access_rules'
_RULE = _RULES + '/{access_rule_id}'
_READ = '(rule:admin_required) or (%s) or rule:owner' % base.SYSTEM_READER
_RULE_OWNER = 'user_id:%(target.user.id)s'

RULES = [
    base.rule('identity:get_application_credential', _READ,
              base.SYSTEM_OR_PROJECT, 'rule:admin_or_owner',
              [('GET', _CRED), ('HEAD', _CRED)]),
    base.rule('identity:list_application_credentials', _READ,
              base.SYSTEM_OR_PROJECT, 'rule:admin_or_owner',
              [('GET', _CREDS), ('HEAD', _CREDS)]),
    base.rule('identity:create_application_credential', 'user_id:%(user_id)s',
              ['project'], operations=[('POST', _CREDS)]),
    base.rule('identity:delete_application_credential', 'rule:admin_or_owner',
              base.SYSTEM_OR_PROJECT, 'rule:admin_or_owner',
              [('DELETE', _CRED)]),
    base.rule('identity:get_access_rule',
              '(%s) or %s' % (base.SYSTEM_READER, _RULE_OWNER),
              base.SYSTEM_OR_PROJECT, operations=[('GET', _RULE),
                                                  ('HEAD', _RULE)]),
    base.rule('identity:list_access_rules',
              '(%s) or %s' % (base.SYSTEM_READER, _RULE_OWNER),
              base.SYSTEM_OR_PROJECT, operations=[('GET', _RULES),
                                                  ('HEAD', _RULES)]),
    base.rule('identity:delete_access_rule',
              '(role:admin and system_scope:all) or %s' % _RULE_OWNER,
              base.SYSTEM_OR_PROJECT, operations=[('DELETE', _RULE)]),
]
