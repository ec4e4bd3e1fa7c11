"""Options of the ``[token]`` group: token lifetime, rescoping, caching."""

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
        'allow_expired_window', default=48 * 3600, min=0,
        help='Seconds after its expiry during which a token still validates '
             'when the validating service asks with ?allow_expired=1 (as '
             'keystonemiddleware does for a user token accompanied by a '
             'valid service token). 0 never allows it.'),
    cfg.BoolOpt(
        'caching', default=True,
        help='Keep what validation reads (users, scopes, role assignments, '
             'catalogs, revocation events) in each process between writes. '
             'Every write to the database moves a revision counter that '
             'each validation reads first, so a change made anywhere is '
             'seen by the next validation everywhere, cached or not; false '
             'reads everything from the database each time (slower, for '
             'comparison).'),
    cfg.IntOpt(
        'cache_size', default=10000, min=1,
        help='Most scopes (user and project, domain or system) and '
             'catalogs each process keeps between two writes; beyond it '
             'the oldest go.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
