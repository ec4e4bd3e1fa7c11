"""Options of the ``[token]`` group: token lifetime and rescoping."""

from oslo_config import cfg

GROUP_NAME = 'token'

ALL_OPTS = [
    cfg.IntOpt(
        'expiration', default=3600, min=60, max=7 * 24 * 3600,
        help='Seconds a new token stays valid. A token obtained from another '
             'token (rescoping) never outlives the token it came from.'),
    cfg.BoolOpt(
        'allow_rescope_scoped_token', default=True,
        help='Let a project- or domain-scoped token be exchanged for a token '
             'of another scope. When false only unscoped tokens can be '
             'rescoped.'),
    cfg.IntOpt(
        'revocation_cache_time', default=1, min=0, max=60,
        help='Seconds a process may reuse its view of the revocation list '
             'before reading it again from the database. 0 reads it for '
             'every validation; larger values trade a revocation delay for '
             'fewer queries.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
