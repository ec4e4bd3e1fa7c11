"""Options of the ``[database]`` group: where identity data is stored."""

from oslo_config import cfg

GROUP_NAME = 'database'

ALL_OPTS = [
    cfg.StrOpt(
        'connection', secret=True,
        help='The SQLAlchemy URL of the identity database. Unset means a '
             'SQLite file, keystone_like.db, in [DEFAULT] state_dir: right '
             'for one machine. Use PostgreSQL when more than one node '
             'serves, e.g. postgresql+psycopg2://keystone:PASSWORD@db/'
             'keystone. The value is never logged.'),
    cfg.IntOpt(
        'pool_size', default=10, min=1,
        help='Database connections each process keeps open (not used by '
             'SQLite).'),
    cfg.IntOpt(
        'max_overflow', default=20, min=0,
        help='Connections a process may open beyond pool_size under load '
             '(not used by SQLite).'),
    cfg.IntOpt(
        'pool_timeout', default=10, min=1,
        help='Seconds a request waits for a free database connection before '
             'it gets 503.'),
    cfg.IntOpt(
        'connect_timeout', default=5, min=1,
        help='Seconds to wait for the database server to accept a '
             'connection and log it in before the request gets 503. Holds '
             'for a server that is hung (stopped processes), not only for '
             'one that refuses connections.'),
    cfg.IntOpt(
        'statement_timeout', default=5, min=1,
        help='Seconds one SQL statement may take before the request gets '
             '503: PostgreSQL cancels it (statement_timeout), and the '
             'service gives up on a server that does not answer at all '
             'half a second later. Also bounds the liveness check of a '
             'pooled connection. With the database hung, a request that '
             'needs it gets 503 within pool_timeout plus connect_timeout '
             'or statement_timeout; requests that do not are not slowed.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
