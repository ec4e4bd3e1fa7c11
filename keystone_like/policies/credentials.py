"""Rules of credentials, OS-EC2 credentials and ``/v3/ec2tokens``.

Owners manage their own credentials; the system reader reads all; an
admin manages all. EC2 credentials also need the member role to be made
or deleted by their owner, and only admins and services (which verify EC2
signatures for their users) may exchange a signed request for a token.
"""

from keystone_like.policies import base

_OWNER = 'user_id:%(target.credential.user_id)s'
_READ = '(%s) or (%s) or %s' % (base.ADMIN, base.SYSTEM_READER, _OWNER)
_WRITE = '(%s) or %s' % (base.ADMIN, _OWNER)
_EC2 = '/v3/users/{user_id}/credentials/OS-EC2'
_EC2_MEMBER = _EC2 + '/{credential_id}'
_EC2_OWNER_DEPRECATED = 'rule:admin_required or (rule:owner and %s)' % _OWNER

RULES = base.crud(
    'credential', '/v3/credentials', get=_READ, write=_WRITE,
    read_scopes=base.ANY_SCOPE, write_scopes=base.ANY_SCOPE,
) + [
    base.rule('identity:ec2_get_credential', _READ, base.SYSTEM_OR_PROJECT,
              _EC2_OWNER_DEPRECATED, [('GET', _EC2_MEMBER)]),
    base.rule('identity:ec2_list_credentials',
              '(%s) or (%s) or rule:owner' % (
                  base.ADMIN, base.SYSTEM_READER),
              base.SYSTEM_OR_PROJECT, 'rule:admin_or_owner',
              [('GET', _EC2)]),
    base.rule('identity:ec2_create_credential',
              '(%s) or (role:member and %s)' % (base.ADMIN, _OWNER),
              base.SYSTEM_OR_PROJECT, 'rule:admin_or_owner',
              [('POST', _EC2)]),
    base.rule('identity:ec2_delete_credential',
              '(%s) or (role:member and %s)' % (base.ADMIN, _OWNER),
              base.SYSTEM_OR_PROJECT, _EC2_OWNER_DEPRECATED,
              [('DELETE', _EC2_MEMBER)]),
    base.rule('identity:ec2tokens_validate', 'rule:service_or_admin',
              base.ANY_SCOPE, operations=[('POST', '/v3/ec2tokens')]),
]
