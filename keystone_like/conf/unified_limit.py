"""Options of the ``[unified_limit]`` group: how limits are checked."""

from oslo_config import cfg

GROUP_NAME = 'unified_limit'
FLAT = 'flat'
STRICT_TWO_LEVEL = 'strict_two_level'

ALL_OPTS = [
    cfg.StrOpt(
        'enforcement_model', default=FLAT, choices=[FLAT, STRICT_TWO_LEVEL],
        help='How limits relate across the project tree, as in Keystone. '
             'flat: each project\'s limit stands alone. strict_two_level: '
             'projects nest at most two levels below their domain, and a '
             'project\'s limit may not exceed its domain\'s (or, without '
             'one, the registered default), nor a domain\'s limit fall '
             'below one of its projects\'. GET /v3/limits/model tells '
             'services (oslo.limit) which one is in force.'),
    cfg.IntOpt(
        'list_limit', min=1,
        help='The most limits or registered limits one list returns when '
             'the request gives no ?limit=; overrides [DEFAULT] list_limit.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
