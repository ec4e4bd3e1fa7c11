"""Authorization in one place: Keystone 30's default rules, one module per
area, enforced with oslo.policy.

Credentials come only from a validated token (``Token.credentials()``);
identity headers a client sends are never read. Operators override any
rule in ``[oslo_policy] policy_file``. ``[oslo_policy] enforce_new_defaults
= false`` also accepts each rule's pre-scope (deprecated) default, and
``enforce_scope = false`` stops refusing tokens of the wrong scope type
(both as in Keystone; oslo.policy 4.5 and newer enforce both by default).

Enforcement is on every request's path, so two things oslo.policy would
redo each time are not: the policy files are looked at (and reloaded if
changed) at most once per :data:`RELOAD_CHECK_SECONDS`, and a decision
asked with a ``cache_key`` naming the credentials (a token and the
database revision it was resolved at) is remembered until then.
"""

import collections
import time

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


RELOAD_CHECK_SECONDS = 1.0
DECISIONS = 10000   # decisions kept between two looks at the files


class _RuleSet(oslo_policy.Enforcer):
    """oslo.policy's Enforcer, looking at its files at most once a second."""

    def __init__(self, conf, clock=time.monotonic):
        super().__init__(conf)
        self._clock = clock
        self._next_check = 0.0
        # (action, cache_key, target items) -> allowed, since the last look.
        self.decisions = collections.OrderedDict()

    def load_rules(self, force_reload=False):
        now = self._clock()
        if force_reload or now >= self._next_check:
            self._next_check = now + RELOAD_CHECK_SECONDS
            self.decisions.clear()
            super().load_rules(force_reload)


def _without_scope(rule):
    """Return ``rule`` with no scope_types (enforce_scope = false)."""
    copy = oslo_policy.RuleDefault(
        rule.name, rule.check_str, rule.description,
        deprecated_rule=rule.deprecated_rule)
    return copy


class Enforcer:
    """Checks an action against the rules; raises Forbidden when denied."""

    def __init__(self, conf, clock=time.monotonic):
        self._enforcer = _RuleSet(conf, clock)
        if not _has_option(conf, 'enforce_scope'):
            conf.register_opt(ENFORCE_SCOPE, group=GROUP)
        rules = default_rules()
        if not conf.oslo_policy.enforce_scope:
            rules = [_without_scope(rule) for rule in rules]
        self._enforcer.register_defaults(rules)

    def enforce(self, action, credentials, target=None, cache_key=None):
        """Raise :class:`exceptions.Forbidden` unless ``action`` is allowed.

        ``credentials`` may be a callable returning them, called only when
        the decision is not known yet. With ``cache_key`` (hashable, the
        same only for the same credentials) the decision is remembered.
        """
        if not self.allowed(action, credentials, target, cache_key):
            raise exceptions.Forbidden(
                'You are not authorized to perform the requested action: '
                '%s.' % action)

    def allowed(self, action, credentials, target=None, cache_key=None):
        """Return whether ``action`` is allowed (no exception)."""
        enforcer = self._enforcer
        enforcer.load_rules()
        target = target or {}
        key = None
        if cache_key is not None:
            try:
                key = (action, cache_key, frozenset(target.items()))
                allowed = enforcer.decisions.get(key)
            except TypeError:   # a target value that cannot be a key
                key = allowed = None
            if allowed is not None:
                return allowed
        if callable(credentials):
            credentials = credentials()
        try:
            allowed = bool(enforcer.enforce(action, target, credentials,
                                            do_raise=False))
        except oslo_policy.InvalidScope:
            allowed = False
        if key is not None:
            enforcer.decisions[key] = allowed
            if len(enforcer.decisions) > DECISIONS:
                enforcer.decisions.popitem(last=False)
        return allowed


def _has_option(conf, name):
    try:
        return name in conf[GROUP]
    except cfg.NoSuchOptError:
        return False
