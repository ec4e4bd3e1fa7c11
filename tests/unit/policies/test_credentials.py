"""The credential and EC2 rules are Keystone 30's, to the letter."""

import pytest

from keystone_like import policies

_OWNER = 'user_id:%(target.credential.user_id)s'
_READ = ('(rule:admin_required) or (role:reader and system_scope:all) or '
         + _OWNER)
_WRITE = '(rule:admin_required) or ' + _OWNER
_ANY = ['system', 'domain', 'project']
_SYS_PROJ = ['system', 'project']
_EC2_OWNED = 'rule:admin_required or (rule:owner and %s)' % _OWNER
_EC2_MEMBER = '(rule:admin_required) or (role:member and %s)' % _OWNER
# name: (check string, scope types, deprecated check string)
KEYSTONE_30 = {
    'identity:get_credential': (_READ, _ANY, 'rule:admin_required'),
    'identity:list_credentials': (_READ, _ANY, 'rule:admin_required'),
    'identity:create_credential': (_WRITE, _ANY, 'rule:admin_required'),
    'identity:update_credential': (_WRITE, _ANY, 'rule:admin_required'),
    'identity:delete_credential': (_WRITE, _ANY, 'rule:admin_required'),
    'identity:ec2_get_credential': (_READ, _SYS_PROJ, _EC2_OWNED),
    'identity:ec2_list_credentials': (
        '(rule:admin_required) or (role:reader and system_scope:all) or '
        'rule:owner', _SYS_PROJ, 'rule:admin_or_owner'),
    'identity:ec2_create_credential': (_EC2_MEMBER, _SYS_PROJ,
                                       'rule:admin_or_owner'),
    'identity:ec2_delete_credential': (_EC2_MEMBER, _SYS_PROJ, _EC2_OWNED),
    'identity:ec2tokens_validate': ('rule:service_or_admin', _ANY, None),
}


@pytest.mark.parametrize('name', sorted(KEYSTONE_30))
def test_rule_is_keystone_30s(name):
    rules = {rule.name: rule for rule in policies.default_rules()}
    rule = rules[name]
    deprecated = rule.deprecated_rule
    assert (rule.check_str, rule.scope_types,
            deprecated.check_str if deprecated else None) == KEYSTONE_30[name]
