"""The launcher's ``[metrics]`` options: Prometheus metrics of the service."""

from oslo_config import cfg

GROUP_NAME = 'metrics'

ALL_OPTS = [
    cfg.BoolOpt(
        'enabled', default=True,
        help='Record Prometheus metrics in every process (requests by '
             'listener, route, method and status, latency, connections, '
             'workers, reloads, token and database figures) and serve them, '
             'summed over all workers, at GET /metrics on the admin listener '
             '(never on the public one). The processes share files in '
             'state_dir/metrics/<pid of the master>. false records nothing '
             'and /metrics answers 404.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
