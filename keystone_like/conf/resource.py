"""Options of the ``[resource]`` group: the page size of projects and domains.

As in Keystone, ``[assignment] list_limit`` is a deprecated name of
``[resource] list_limit``.
"""

from oslo_config import cfg

GROUP_NAME = 'resource'

ALL_OPTS = [
    cfg.IntOpt(
        'list_limit', min=1,
        deprecated_opts=[cfg.DeprecatedOpt('list_limit', group='assignment')],
        help='The most projects or domains GET /v3/projects and GET '
             '/v3/domains return in one response when the request gives no '
             '?limit=; overrides [DEFAULT] list_limit. Unset uses [DEFAULT] '
             'list_limit. Also read from [assignment] list_limit, its '
             'deprecated name.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
