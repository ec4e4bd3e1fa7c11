"""The application credential and access rule rules are Keystone 30's:
name, check string, scope types and deprecated check string."""

import pytest

from keystone_like import policies

_OWNER_READ = ('(rule:admin_required) or (role:reader and system_scope:all) '
               'or rule:owner')
_RULE_READ = ('(role:reader and system_scope:all) or '
              'user_id:%(target.user.id)s')
KEYSTONE_30 = {
    'identity:get_application_credential': (
        _OWNER_READ, ['project', 'system'], 'rule:admin_or_owner'),
    'identity:list_application_credentials': (
        _OWNER_READ, ['project', 'system'], 'rule:admin_or_owner'),
    'identity:create_application_credential': (
        'user_id:%(user_id)s', ['project'], None),
    'identity:delete_application_credential': (
        'rule:admin_or_owner', ['project', 'system'],
        'rule:admin_or_owner'),
    'identity:get_access_rule': (_RULE_READ, ['project', 'system'], None),
    'identity:list_access_rules': (_RULE_READ, ['project', 'system'], None),
    'identity:delete_access_rule': (
        '(role:admin and system_scope:all) or user_id:%(target.user.id)s',
        ['project', 'system'], None),
}


@pytest.mark.parametrize('name', sorted(KEYSTONE_30))
def test_rule_is_keystone_30s(name):
    rule = {r.name: r for r in policies.default_rules()}[name]
    deprecated = rule.deprecated_rule
    assert (rule.check_str, sorted(rule.scope_types),
            deprecated and deprecated.check_str) == KEYSTONE_30[name]
