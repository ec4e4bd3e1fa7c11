"""``service-manage credential_setup``: create the credential key repository.

The keys in ``[credential] key_repository`` encrypt credential blobs (and
EC2 secrets) at rest, as ``keystone-manage credential_setup`` sets up.
Same layout, ownership options and idempotence as ``fernet_setup``; keep
it apart from the token keys and copy it to every node.

Exit codes: 0 created or already present; 2 unknown user or group, or
ownership change without root; 66 the repository cannot be created, read
or written.
"""

from keystone_like.manage import fernet_setup
from keystone_like.token import keys


class CredentialSetup(fernet_setup.FernetSetup):
    """Create the credential key repository (idempotent)."""

    name = 'credential_setup'
    help = ('Create the credential key repository ([credential] '
            'key_repository), whose keys encrypt credential blobs at rest, '
            'with a staged and a primary key. A repository that already has '
            'keys is left unchanged.')
    kind = keys.CREDENTIALS
