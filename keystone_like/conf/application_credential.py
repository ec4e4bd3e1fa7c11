"""Options of the ``[application_credential]`` group (Keystone's)."""

from oslo_config import cfg

GROUP_NAME = 'application_credential'

ALL_OPTS = [
    cfg.IntOpt(
        'user_limit', default=-1, min=-1,
        help='The most application credentials one user may have; creating '
             'another is refused with 403. -1 means no limit (Keystone\'s '
             'default); a limit keeps one user from filling the database.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
