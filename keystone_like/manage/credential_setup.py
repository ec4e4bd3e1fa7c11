"""``service-manage credential_setup``: create the credential key repository.

The keys in ``[credential] key_repository`` encrypt credential blobs (and
EC2 secrets) at rest, as ``keystone-manage credential_setup`` sets up.
Same layout, ownership options and idempotence as ``fernet_setup``; keep
it apart from the token keys and copy it to every node.

Exit codes: 0 created or already present; 2 unknown user or group, or
ownership change without root; 66 the repository cannot be created, read
or written.
"""

from keystone_like.manage import base
from keystone_like.manage import fernet_setup
from keystone_like.server import errors
from keystone_like.token import keys


class CredentialSetup(base.Command):
    """Create the credential key repository (idempotent)."""

    name = 'credential_setup'
    help = ('Create the credential key repository ([credential] '
            'key_repository), whose keys encrypt credential blobs at rest, '
            'with a staged and a primary key. A repository that already has '
            'keys is left unchanged.')
    exit_codes = fernet_setup.KEY_EXIT_CODES

    @classmethod
    def add_arguments(cls, parser):
        """The owner arguments."""
        fernet_setup.add_owner_arguments(parser)

    def run(self):
        """Resolve the owner, then create the repository if needed."""
        uid, gid = fernet_setup.resolve_owner(self.args)
        fernet_setup.setup_keys(self.conf, uid, gid, kind=keys.CREDENTIALS)
        return errors.EXIT_OK
