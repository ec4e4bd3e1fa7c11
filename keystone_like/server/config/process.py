"""Options of the ``[process]`` group: supervising the worker processes."""

from oslo_config import cfg

GROUP_NAME = 'process'

ALL_OPTS = [
    cfg.IntOpt(
        'respawn_backoff_max', default=30, min=1,
        help='Upper bound, in seconds, of the exponential delay before a '
             'worker that died is started again (1 s, 2 s, 4 s, ...).'),
    cfg.IntOpt(
        'crash_loop_threshold', default=5, min=2,
        help='A worker that dies this many times within crash_loop_window '
             'seconds of its start is in a crash loop: the service reports '
             '"degraded" and logs the last error.'),
    cfg.IntOpt(
        'crash_loop_window', default=60, min=1,
        help='Seconds after its start within which a worker\'s death counts '
             'as a quick failure.'),
    cfg.StrOpt(
        'crash_loop_policy', default='retry',
        choices=[('retry', 'keep respawning with backoff, status degraded'),
                 ('exit', 'stop the service with a non-zero exit code so '
                          'systemd (Restart=on-failure) takes over')],
        help='What a crash loop does to the service.'),
    cfg.IntOpt(
        'worker_heartbeat_timeout', default=30, min=2,
        help='A worker whose event loop has not turned for this many '
             'seconds is hung: its green thread stacks are logged and it is '
             'replaced.'),
    cfg.IntOpt(
        'reload_timeout', default=60, min=1,
        help='On SIGHUP, seconds the new generation of workers has to '
             'become ready; otherwise it is stopped and the old generation '
             'keeps serving (rollback).'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
