"""Building blocks of the default rules: shared checks and scope lists.

The defaults are Keystone 30's, so a ``policy.yaml`` written for Keystone
works here unchanged: same rule names, same credentials (``roles``,
``system_scope``, ``domain_id``, ``project_id``, ``token.*``, ...) and the
same ``target.*`` keys, which each handler fills as Keystone's does.
"""

from oslo_policy import policy

ADMIN = 'rule:admin_required'
SYSTEM_READER = 'role:reader and system_scope:all'
ADMIN_OR_SYSTEM_READER = '%s or (%s)' % (ADMIN, SYSTEM_READER)
# Scope lists: who may even ask (oslo.policy refuses other scopes).
SYSTEM_OR_PROJECT = ['system', 'project']
ANY_SCOPE = ['system', 'domain', 'project']

RULES = [
    policy.RuleDefault(
        'admin_required', 'role:admin or is_admin:1',
        'The admin role on the token\'s scope. By default, as in Keystone, '
        'the admin role on any project is cloud admin; override this rule '
        '(e.g. "role:admin and is_admin_project:True" with [resource] '
        'admin_project_name set) to confine it to one project.'),
    policy.RuleDefault('service_role', 'role:service',
                       'A token with the service role.'),
    policy.RuleDefault('service_or_admin',
                       'rule:admin_required or rule:service_role',
                       'Admins and services.'),
    policy.RuleDefault('owner', 'user_id:%(user_id)s',
                       'The user named in the request path.'),
    policy.RuleDefault('admin_or_owner', 'rule:admin_required or rule:owner',
                       'Admins and the user named in the request path.'),
    policy.RuleDefault('token_subject', 'user_id:%(target.token.user_id)s',
                       'The user of the token being checked.'),
    policy.RuleDefault('admin_or_token_subject',
                       'rule:admin_required or rule:token_subject',
                       'Admins and the user of the token being checked.'),
    policy.RuleDefault('service_admin_or_token_subject',
                       'rule:service_or_admin or rule:token_subject',
                       'Admins, services and the token\'s own user.'),
    policy.RuleDefault(
        'domain_managed_target_role',
        "'manager':%(target.role.name)s or 'member':%(target.role.name)s "
        "or 'reader':%(target.role.name)s",
        'The roles a domain manager may grant: manager, member, reader.'),
]

_DEPRECATED_REASON = ('Keystone 30 defaults: system and domain scopes and '
                      'the reader and manager roles.')


def rule(name, check, scope_types=None, deprecated=None, operations=(),
         description=None):
    """Return the DocumentedRuleDefault of one API action.

    ``deprecated`` is the pre-scope check string that still applies, ORed
    with ``check``, while ``[oslo_policy] enforce_new_defaults`` is false.
    ``operations`` are ``(method, path)`` pairs for the generated docs.
    """
    old = None
    if deprecated is not None:
        old = policy.DeprecatedRule(
            name=name, check_str=deprecated, deprecated_reason=(
                _DEPRECATED_REASON), deprecated_since='2023.2')
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, scope_types=scope_types,
        description=description or name.split(':', 1)[1].replace('_', ' '),
        operations=[{'method': m, 'path': p} for m, p in operations] or [
            {'method': 'GET', 'path': '/v3'}],
        deprecated_rule=old)


def crud(kind, path, get, write, list_=None, read_scopes=SYSTEM_OR_PROJECT,
         write_scopes=SYSTEM_OR_PROJECT, deprecated=ADMIN,
         read_deprecated=ADMIN, get_deprecated=None, plural=None):
    """Return get/list/create/update/delete rules of a resource.

    ``list_`` defaults to ``get``; ``get_deprecated`` to ``read_deprecated``
    (None: reads have no deprecated default).
    """
    plural = plural or kind + 's'
    member = '%s/{%s_id}' % (path, kind)
    return [
        rule('identity:get_%s' % kind, get, read_scopes,
             get_deprecated or read_deprecated,
             [('GET', member), ('HEAD', member)]),
        rule('identity:list_%s' % plural, list_ or get, read_scopes,
             read_deprecated, [('GET', path), ('HEAD', path)]),
        rule('identity:create_%s' % kind, write, write_scopes, deprecated,
             [('POST', path)]),
        rule('identity:update_%s' % kind, write, write_scopes, deprecated,
             [('PATCH', member)]),
        rule('identity:delete_%s' % kind, write, write_scopes, deprecated,
             [('DELETE', member)]),
    ]
