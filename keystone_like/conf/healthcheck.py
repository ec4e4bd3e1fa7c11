"""Options of the ``[healthcheck]`` group: what ``GET /healthcheck`` checks.

``disable_by_file_path`` is oslo.middleware's own option (its
``disable_by_file`` backend reads it from this group); it is declared
here too so the sample config shows it, with a default in ``state_dir``.
"""

from oslo_config import cfg
from oslo_middleware.healthcheck import opts as oslo_healthcheck_opts

GROUP_NAME = 'healthcheck'
DISABLE_FILE_NAME = 'healthcheck_disable'

# oslo.middleware's option object itself (registering the same object
# twice is allowed), given a default: "touch state_dir/healthcheck_disable"
# takes a node out of the balancer's rotation.
cfg.set_defaults(oslo_healthcheck_opts.DISABLE_BY_FILE_OPTS,
                 disable_by_file_path='$state_dir/' + DISABLE_FILE_NAME)

ALL_OPTS = oslo_healthcheck_opts.DISABLE_BY_FILE_OPTS + [
    cfg.IntOpt(
        'database_timeout', default=2, min=1, max=60,
        help='Seconds the health check\'s "SELECT 1" may take (waiting for '
             'a connection, connecting and running it) before /healthcheck '
             'answers 503 "DATABASE UNREACHABLE". It uses a connection pool '
             'of its own, so a database that is slow for requests does not '
             'hold the balancer\'s probes longer than this.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
