"""The identity application's configuration: oslo.config's global ``CONF``.

keystone_like's applications read their options (``[database]``,
``[identity]``, ``[token]``, ``[fernet_tokens]``, ``[oslo_policy]`` and a
few of ``[DEFAULT]``, one module per group, gathered by ``opts``) from the
process-global ``cfg.CONF``, as OpenStack services do; importing this
package registers them. The launcher's options are not here: ``service-all``
keeps them in a private ``ConfigOpts`` (``keystone_like.server.config``)
so it can serve applications that register options of the same names.

Under ``service-all`` nobody parses this ``CONF`` for the application, so
the first import of this package (when paste.deploy loads a factory)
parses the files the launcher read, validates every value eagerly and, on
a reload, re-reads them (``keystone_like.server.hooks``). Elsewhere
(``service-manage``, tests) the caller parses it with :func:`configure`.
"""

import logging

from oslo_config import cfg

from keystone_like.conf import opts
from keystone_like.server import config as server_config
from keystone_like.server.config import validation
from keystone_like.server import hooks

# Discovery is the launcher's, shared: both read the same files.
from keystone_like.server.config import checkout_etc_dir  # noqa: F401
from keystone_like.server.config import CONFIG_FILE_NAME  # noqa: F401
from keystone_like.server.config import find_config_files  # noqa: F401
from keystone_like.server.config import find_paste_config  # noqa: F401
from keystone_like.server.config import named_config_paths  # noqa: F401
from keystone_like.server.config import paste_search_dirs  # noqa: F401
from keystone_like.server.config import PROJECT
from keystone_like.server.config import search_dirs  # noqa: F401

LOG = logging.getLogger(__name__)

CONF = cfg.CONF
opts.register_application(CONF)


def configure(argv=None, conf=CONF, prog='service-manage', description=None):
    """Parse the command line and config files into ``conf`` (a CLI's)."""
    return server_config.configure(argv, conf=conf, prog=prog,
                                   description=description)


def validate(conf):
    """Check every option ``service-all`` would read, both kinds."""
    validation.validate(conf)
    validation.check_values(conf, opts.list_application_opts())


def _when_served():
    """Under service-all: parse what the launcher parsed; re-read on reload."""
    args = hooks.config_args()
    if args is None:
        return
    CONF(args=args, project=PROJECT, default_config_files=[],
         default_config_dirs=[])
    _check()
    hooks.before_reload(_reread)


def _check():
    try:
        validation.check_values(CONF, opts.list_application_opts())
    except validation.ConfigError as exc:
        raise hooks.StartupRefused(str(exc)) from None
    if LOG.isEnabledFor(logging.DEBUG):
        # Secret options (the database URL) are masked by oslo.config.
        CONF.log_opt_values(LOG, logging.DEBUG)


def _reread():
    """The launcher checked the files parse; take their new values."""
    CONF.reload_config_files()
    _check()


_when_served()
