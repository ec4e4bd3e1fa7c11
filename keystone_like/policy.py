"""Authorization in one place: oslo.policy rules with defaults in code.

Credentials come only from a validated token (``Token.credentials()``);
identity headers a client sends (``X-User-Id``, ``X-Roles``, ...) are never
read. Operators can override any rule in the file named by
``[oslo_policy] policy_file``.
"""

from oslo_policy import policy as oslo_policy

from keystone_like import exceptions

ADMIN = 'rule:admin_required'
MANAGED = ('domain', 'project', 'user', 'role', 'region', 'service',
           'endpoint')

BASE_RULES = [
    oslo_policy.RuleDefault('admin_required', 'role:admin',
                            'A token with the admin role on its scope.'),
    oslo_policy.RuleDefault('service_role', 'role:service',
                            'A token with the service role.'),
    oslo_policy.RuleDefault('owner', 'user_id:%(target.user.id)s',
                            'The user the request is about.'),
    oslo_policy.RuleDefault('token_subject',
                            'user_id:%(target.token.user_id)s',
                            'The user of the token being checked.'),
    oslo_policy.RuleDefault(
        'service_admin_or_token_subject',
        'rule:admin_required or rule:service_role or rule:token_subject',
        'Admins, services and the token\'s own user.'),
]

SELF_SERVICE_RULES = [
    ('identity:get_user', ADMIN + ' or rule:owner'),
    ('identity:change_password', 'rule:owner'),
    ('identity:list_user_projects', ADMIN + ' or rule:owner'),
    ('identity:validate_token', 'rule:service_admin_or_token_subject'),
    ('identity:check_token', 'rule:service_admin_or_token_subject'),
    ('identity:revoke_token', 'rule:service_admin_or_token_subject'),
    ('identity:get_auth_catalog', ''),
    ('identity:get_auth_projects', ''),
    ('identity:get_auth_domains', ''),
]


def _management_rules():
    rules = []
    for kind in MANAGED:
        for action in ('create', 'get', 'update', 'delete'):
            name = 'identity:%s_%s' % (action, kind)
            if name != 'identity:get_user':
                rules.append((name, ADMIN))
        # Keystone names list actions in the plural: identity:list_users.
        rules.append(('identity:list_%ss' % kind, ADMIN))
    for name in ('create_grant', 'check_grant', 'revoke_grant',
                 'list_grants', 'list_role_assignments'):
        rules.append(('identity:' + name, ADMIN))
    return rules


def default_rules():
    """Return every rule with its default, for registration and docs."""
    rules = list(BASE_RULES)
    for name, check in SELF_SERVICE_RULES + _management_rules():
        rules.append(oslo_policy.RuleDefault(name, check))
    return rules


class Enforcer:
    """Checks an action against the rules; raises Forbidden when denied."""

    def __init__(self, conf):
        self._enforcer = oslo_policy.Enforcer(conf)
        self._enforcer.register_defaults(default_rules())

    def enforce(self, action, credentials, target=None):
        """Raise :class:`exceptions.Forbidden` unless ``action`` is allowed."""
        allowed = self._enforcer.authorize(action, target or {}, credentials,
                                           do_raise=False)
        if not allowed:
            raise exceptions.Forbidden(
                'You are not authorized to perform the requested action: '
                '%s.' % action)


def list_rules():
    """Entry point for oslopolicy-sample-generator."""
    return default_rules()
