"""Options of the ``[endpoint_filter]`` group: per-project catalogs."""

from oslo_config import cfg

GROUP_NAME = 'endpoint_filter'

ALL_OPTS = [
    cfg.BoolOpt(
        'return_all_endpoints_if_no_filter', default=True,
        help='What a token\'s catalog holds when no endpoint is associated '
             'with its project (directly or through an endpoint group) and '
             'for tokens not scoped to a project: the whole catalog (true, '
             'Keystone\'s default) or none (false).'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
