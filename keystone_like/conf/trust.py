"""Options of the ``[trust]`` group (OS-TRUST delegation)."""

from oslo_config import cfg

GROUP_NAME = 'trust'

ALL_OPTS = [
    cfg.IntOpt(
        'max_redelegation_count', default=3, min=0,
        help='How many times a trust can be redelegated, from one trustee '
             'to the next, at most. A trust created with '
             '"allow_redelegation" and no "redelegation_count" gets this '
             'many; asking for more is refused (403). Lowering it also '
             'stops existing chains deeper than the new value.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
