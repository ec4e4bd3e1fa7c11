"""Authorization in one place: Keystone 30's default rules, one module per
area, enforced with oslo.policy.

Credentials come only from a validated token (``Token.credentials()``);
identity headers a client sends are never read. Operators override any
rule in ``[oslo_policy] policy_file``. ``[oslo_policy] enforce_new_defaults
= false`` also accepts each rule's pre-scope (deprecated) default, and
``enforce_scope = false`` stops refusing tokens of the wrong scope type
(both as in Keystone; oslo.policy 4.5 and newer enforce both by default).
"""

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from keystone_like import exceptions
from keystone_like.policies import app_creds
from keystone_like.policies import assignments
from keystone_like.policies import auth
from keystone_like.policies import base
from keystone_like.policies import catalog
from keystone_like.policies import credentials
from keystone_like.policies import endpoint_filter
from keystone_like.policies import endpoint_policies
from keystone_like.policies import identity
from keystone_like.policies import limits
from keystone_like.policies import project_tags
from keystone_like.policies import resource
from keystone_like.policies import roles
from keystone_like.policies import trusts

MODULES = (base, auth, resource, identity, roles, assignments, catalog,
           credentials, app_creds, trusts, project_tags, limits,
           endpoint_filter, endpoint_policies)
GROUP = 'oslo_policy'
# oslo.policy 6 dropped its own option (it always enforces scope); ours
# keeps the switch Keystone operators know.
ENFORCE_SCOPE = cfg.BoolOpt(
    'enforce_scope', default=True,
    help='Refuse a token whose scope (system, domain, project) is not one '
         'the rule\'s scope_types allow, with 403. Set false only to ease '
         'a migration from policies written before system scope.')


def default_rules():
    """Return every default rule, for registration and docs."""
    return [rule for module in MODULES for rule in module.RULES]


def list_rules():
    """Entry point for oslopolicy-sample-generator."""
    return default_rules()


def _without_scope(rule):
    """Return ``rule`` with no scope_types (enforce_scope = false)."""
    copy = oslo_policy.RuleDefault(
        rule.name, rule.check_str, rule.description,
        deprecated_rule=rule.deprecated_rule)
    return copy


class Enforcer:
    """Checks an action against the rules; raises Forbidden when denied."""

    def __init__(self, conf):
        self._enforcer = oslo_policy.Enforcer(conf)
        if not _has_option(conf, 'enforce_scope'):
            conf.register_opt(ENFORCE_SCOPE, group=GROUP)
        rules = default_rules()
        if not conf.oslo_policy.enforce_scope:
            rules = [_without_scope(rule) for rule in rules]
        self._enforcer.register_defaults(rules)

    def enforce(self, action, credentials, target=None):
        """Raise :class:`exceptions.Forbidden` unless ``action`` is allowed."""
        try:
            allowed = self._enforcer.enforce(action, target or {},
                                             credentials, do_raise=False)
        except oslo_policy.InvalidScope:
            allowed = False
        if not allowed:
            raise exceptions.Forbidden(
                'You are not authorized to perform the requested action: '
                '%s.' % action)

    def allowed(self, action, credentials, target=None):
        """Return whether ``action`` is allowed (no exception)."""
        try:
            self.enforce(action, credentials, target)
        except exceptions.Forbidden:
            return False
        return True


def _has_option(conf, name):
    try:
        return name in conf[GROUP]
    except cfg.NoSuchOptError:
        return False
