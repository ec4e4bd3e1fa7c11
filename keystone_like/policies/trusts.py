"""Rules of trusts (OS-TRUST): the trustor creates and deletes, trustor and
trustee read, administrators and system readers see them all."""

from keystone_like.policies import base

_TRUSTS = '/v3/OS-TRUST/trusts'
_TRUST = _TRUSTS + '/{trust_id}'
_ROLES = _TRUST + '/roles'
_ROLE = _ROLES + '/{role_id}'
_BY_TRUSTOR = '?trustor_user_id={trustor_user_id}'
_BY_TRUSTEE = '?trustee_user_id={trustee_user_id}'
TRUSTOR = 'user_id:%(target.trust.trustor_user_id)s'
TRUSTEE = 'user_id:%(target.trust.trustee_user_id)s'
_PARTIES = '%s or %s' % (TRUSTOR, TRUSTEE)
# Admins, system readers and the trustor or trustee.
_READ = '(%s) or (%s or %s)' % (base.ADMIN, base.SYSTEM_READER, _PARTIES)


def _both(path):
    return [('GET', path), ('HEAD', path)]


RULES = [
    base.rule('identity:create_trust', TRUSTOR, ['project'],
              operations=[('POST', _TRUSTS)]),
    base.rule('identity:list_trusts', base.ADMIN_OR_SYSTEM_READER,
              base.SYSTEM_OR_PROJECT, base.ADMIN, _both(_TRUSTS)),
    base.rule('identity:list_trusts_for_trustor',
              '(%s) or (%s or %s)' % (base.ADMIN, base.SYSTEM_READER,
                                      TRUSTOR),
              base.SYSTEM_OR_PROJECT,
              operations=_both(_TRUSTS + _BY_TRUSTOR)),
    base.rule('identity:list_trusts_for_trustee',
              '(%s) or (%s or %s)' % (base.ADMIN, base.SYSTEM_READER,
                                      TRUSTEE),
              base.SYSTEM_OR_PROJECT,
              operations=_both(_TRUSTS + _BY_TRUSTEE)),
    base.rule('identity:list_roles_for_trust', _READ, base.SYSTEM_OR_PROJECT,
              _PARTIES, _both(_ROLES)),
    base.rule('identity:get_role_for_trust', _READ, base.SYSTEM_OR_PROJECT,
              _PARTIES, _both(_ROLE)),
    base.rule('identity:delete_trust', '%s or %s' % (base.ADMIN, TRUSTOR),
              base.SYSTEM_OR_PROJECT, TRUSTOR, [('DELETE', _TRUST)]),
    base.rule('identity:get_trust', _READ, base.SYSTEM_OR_PROJECT, _PARTIES,
              _both(_TRUST)),
]
