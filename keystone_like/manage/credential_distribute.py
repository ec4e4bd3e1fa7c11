"""``service-manage credential_distribute``: copy the credential keys.

As ``fernet_distribute``, for ``[credential] key_repository``: after
``credential_rotate`` (or with ``credential_rotate --distribute-to``),
then run ``credential_migrate`` once every node has the new keys.

Exit codes: as ``fernet_distribute``.
"""

from keystone_like.manage import fernet_distribute
from keystone_like.token import keys


class CredentialDistribute(fernet_distribute.FernetDistribute):
    """Copy the credential key repository to other nodes' repositories."""

    name = 'credential_distribute'
    help = ("Copy this node's credential key repository to other nodes' "
            'repositories (--to DIR, repeated) in the order that keeps '
            'every credential readable on every node; run '
            'credential_migrate afterwards.')
    kind = keys.CREDENTIALS
