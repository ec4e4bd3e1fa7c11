"""Options of the ``[revoke]`` group: how long revocation events stay."""

from oslo_config import cfg

GROUP_NAME = 'revoke'

ALL_OPTS = [
    cfg.IntOpt(
        'expiration_buffer', default=1800, min=0,
        help='Seconds added to [token] expiration and allow_expired_window '
             'before a revocation event is deleted: an event goes once no '
             'token it revokes could validate any more, with this margin '
             'for clocks of different nodes that disagree. Every node must '
             'use the same [token] expiration.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
