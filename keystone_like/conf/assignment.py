"""Options of the ``[assignment]`` group: role inference limits."""

from oslo_config import cfg

GROUP_NAME = 'assignment'

ALL_OPTS = [
    cfg.ListOpt(
        'prohibited_implied_role', default=['admin'],
        help='Names of roles that no role may imply (PUT '
             '/v3/roles/{prior}/implies/{implied} answers 403). Keeps the '
             'admin role from being handed out indirectly.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
