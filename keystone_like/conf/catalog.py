"""Options of the ``[catalog]`` group: the page size of catalog lists."""

from oslo_config import cfg

GROUP_NAME = 'catalog'

ALL_OPTS = [
    cfg.IntOpt(
        'list_limit', min=1,
        help='The most regions, services or endpoints GET /v3/regions, '
             '/v3/services and /v3/endpoints return in one response when the '
             'request gives no ?limit=; overrides [DEFAULT] list_limit. '
             'Unset uses [DEFAULT] list_limit. Catalogs are rarely large '
             'enough to need it.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
