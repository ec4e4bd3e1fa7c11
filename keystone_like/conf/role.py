"""Options of the ``[role]`` group: the page size of role lists."""

from oslo_config import cfg

GROUP_NAME = 'role'

ALL_OPTS = [
    cfg.IntOpt(
        'list_limit', min=1,
        help='The most roles GET /v3/roles returns in one response when the '
             'request gives no ?limit=; overrides [DEFAULT] list_limit. '
             'Unset uses [DEFAULT] list_limit.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
