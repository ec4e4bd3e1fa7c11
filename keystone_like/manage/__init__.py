"""The ``service-manage`` commands, one module and one small class each.

``COMMANDS`` lists them in the order ``--help`` shows them. The dispatcher
is ``keystone_like.cmd.manage``; nothing here imports eventlet.
"""

from keystone_like.manage import bootstrap
from keystone_like.manage import check
from keystone_like.manage import credential_distribute
from keystone_like.manage import credential_migrate
from keystone_like.manage import credential_rotate
from keystone_like.manage import credential_setup
from keystone_like.manage import db_sync
from keystone_like.manage import fernet_distribute
from keystone_like.manage import fernet_rotate
from keystone_like.manage import fernet_setup
from keystone_like.manage import setup
from keystone_like.manage import trust_flush

COMMANDS = (setup.Setup, db_sync.DbSync, fernet_setup.FernetSetup,
            fernet_rotate.FernetRotate, fernet_distribute.FernetDistribute,
            credential_setup.CredentialSetup,
            credential_rotate.CredentialRotate,
            credential_distribute.CredentialDistribute,
            credential_migrate.CredentialMigrate, bootstrap.Bootstrap,
            check.Check, trust_flush.TrustFlush)


def find(name):
    """Return the command class called ``name``."""
    return {command.name: command for command in COMMANDS}[name]
