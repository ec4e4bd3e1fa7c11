"""All options, for the ``oslo.config.opts`` entry point (sample generator).

keystone_like's application options (registered on the global ``CONF``)
and the launcher's (``keystone_like.server.config``, a private
``ConfigOpts`` under ``service-all``) go in one sample file, as operators
write them in one config file. ``service-manage`` registers both on its
``CONF``: it checks what either would read.
"""

from keystone_like.conf import application_credential
from keystone_like.conf import assignment
from keystone_like.conf import catalog
from keystone_like.conf import credential
from keystone_like.conf import database
from keystone_like.conf import default
from keystone_like.conf import endpoint_filter
from keystone_like.conf import fernet_tokens
from keystone_like.conf import healthcheck
from keystone_like.conf import identity
from keystone_like.conf import resource
from keystone_like.conf import role
from keystone_like.conf import token
from keystone_like.conf import trust
from keystone_like.conf import unified_limit
from keystone_like.server import config as server_config

# The application's groups, after the launcher's in the sample.
MODULES = (default, database, identity, resource, assignment, role, catalog,
           token, fernet_tokens, credential, application_credential, trust,
           unified_limit, endpoint_filter, healthcheck)


def register_application(conf):
    """Register the identity application's option groups on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


def register_all(conf):
    """Register the launcher's and the application's options on ``conf``."""
    server_config.register_all(conf)
    register_application(conf)


def list_application_opts():
    """Return ``[(group, [opts])]`` of the identity application."""
    return server_config.list_opts(MODULES)


def list_opts():
    """Return ``[(group, [opts])]`` for oslo-config-generator."""
    merged = {}
    for group, group_opts in (server_config.list_opts()
                              + list_application_opts()):
        known = merged.setdefault(group, [])
        # state_dir is registered by both; list it once.
        known.extend(opt for opt in group_opts if opt not in known)
    return list(merged.items())
