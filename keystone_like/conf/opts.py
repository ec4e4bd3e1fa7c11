"""All options, for the ``oslo.config.opts`` entry point (sample generator)."""

from keystone_like.conf import application_credential
from keystone_like.conf import assignment
from keystone_like.conf import catalog
from keystone_like.conf import credential
from keystone_like.conf import database
from keystone_like.conf import default
from keystone_like.conf import endpoint_filter
from keystone_like.conf import eventlet_server
from keystone_like.conf import fernet_tokens
from keystone_like.conf import identity
from keystone_like.conf import listener
from keystone_like.conf import paste_deploy
from keystone_like.conf import process
from keystone_like.conf import resource
from keystone_like.conf import role
from keystone_like.conf import ssl
from keystone_like.conf import token
from keystone_like.conf import trust
from keystone_like.conf import unified_limit

# Order is the order of the groups in the generated sample.
MODULES = (default, eventlet_server, ssl, listener, paste_deploy, process,
           database, identity, resource, assignment, role, catalog, token,
           fernet_tokens, credential, application_credential, trust,
           unified_limit, endpoint_filter)


def register_all(conf):
    """Register every option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


def list_opts():
    """Return ``[(group, [opts])]`` for oslo-config-generator."""
    result = []
    for module in MODULES:
        result.extend(module.list_opts().items())
    return result
