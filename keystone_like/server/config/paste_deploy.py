"""Options of the ``[paste_deploy]`` group: where the pipelines are defined."""

from oslo_config import cfg

GROUP_NAME = 'paste_deploy'

ALL_OPTS = [
    cfg.StrOpt(
        'config_file', default='keystone_like-paste.ini',
        help='The paste.deploy ini that defines the "admin" and "main" '
             'applications. A relative name is looked for next to each '
             'config file, in the config directory, in the source '
             'checkout\'s etc/, in <prefix>/etc/keystone_like/, '
             '~/.keystone_like/ and /etc/keystone_like/.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
