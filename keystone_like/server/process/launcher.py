"""``service-all start``: worker mode (the master) or one serving process.

:func:`run` installs what the applications may ask of the launcher
(``keystone_like.server.hooks``: the offload executor, the config files)
and hands over to :mod:`.master` in worker mode. In single-process mode
it runs one :class:`.server.Server` with both listeners: SIGTERM and
the first SIGINT stop gracefully (stop accepting, let in-flight requests
finish within ``graceful_shutdown_timeout``, close idle keep-alive
connections, answer last responses with ``Connection: close``); a
second SIGINT exits at once.
SIGHUP is logged and ignored: a single process has no zero-loss reload.

In single-process mode the launcher owns the pid file (claimed before the
apps load, removed at exit) and the status document ``service-all status``
reads: state ``starting``, ``ready`` once both pipelines answer (or
``degraded`` if they never do), ``stopping``.
"""

import logging
import os
import sys
import time

import eventlet

from keystone_like.server.config import validation
from keystone_like.server import config as server_config
from keystone_like.server import hooks
from keystone_like.server import metrics
from keystone_like.server.control import pidfile
from keystone_like.server import errors
from keystone_like.server.process import onready
from keystone_like.server.process import privileges
from keystone_like.server.process import loading as startup
from keystone_like.server.control import status
from keystone_like.server import systemd
from keystone_like.server.process import server as process_server
from keystone_like.server.process import threads
from keystone_like import version

LOG = logging.getLogger(__name__)
READY_TIMEOUT = 30.0


class SingleStatus:
    """The status document of a single process, rewritten on each change."""

    def __init__(self, pid_file):
        self.file = status.StatusFile(status.status_path(pid_file))
        self.started_at = time.time()
        self.listeners = {}

    def update(self, state, urls=None, ready=False):
        """Record ``state`` (and the listener URLs, readiness); write it."""
        for name, url in (urls or {}).items():
            self.listeners[name] = url
        listeners = {name: status.listener_entry(url, [status.worker_entry(
            os.getpid(), ready, self.started_at)])
            for name, url in self.listeners.items()}
        self.file.write(status.document(
            os.getpid(), version.version_string(), self.started_at, state,
            'single', 1, listeners))


def run(conf):
    """Serve until stopped; return the exit code. Raises StartupError."""
    # CPU-bound work the API hands to offload (password hashing) runs on
    # native threads, so a flood of logins does not stall the hub.
    hooks.set_executor(threads.bounded_executor())
    # The applications may read the same files (keystone_like's does).
    hooks.set_config_args(server_config.config_args(conf))
    # The command line is the launcher's. An application that parses
    # sys.argv, as oslo.config does by default (Keystone), must not take
    # service-all's --config-file for its own: it gets none, as under
    # uwsgi or mod_wsgi.
    del sys.argv[1:]
    _enable_metrics(conf)
    if any(validation.worker_counts(conf)):
        prepared = startup.prepare(conf)
        from keystone_like.server.process import master
        return master.run(conf, prepared)
    return run_single(conf)


def _enable_metrics(conf):
    """Pick the shared metrics directory before the apps load and fork."""
    if not conf.metrics.enabled:
        return
    creds = privileges.resolve(conf)
    directory = metrics.enable(
        conf.state_dir, None if creds is None else (creds.uid, creds.gid))
    LOG.debug('Metrics: prometheus_client multiprocess files in %s',
              directory)


def run_single(conf):
    """Serve both listeners from this process; own the pid file meanwhile."""
    pid_file = status.pid_path(conf)
    # Claimed before the apps load, so a second start is refused at once
    # and "status" says "starting" while slow factories run.
    pidfile.claim_pid_file(pid_file)
    report = SingleStatus(pid_file)
    try:
        report.update('starting')
        server = process_server.Server(
            startup.prepare(conf),
            conf.eventlet_server.graceful_shutdown_timeout)
        try:
            serve(conf, server, report)
        finally:
            server.restore_signals()
    finally:
        report.file.remove()
        pidfile.release_pid_file(pid_file)
    return errors.EXIT_OK


def serve(conf, server, report):
    """Start, become ready (then onready), wait for a stop, drain."""
    server.start()
    if server.metrics is not None:
        server.metrics.generation.set(1)
    urls = server.urls()
    report.update('starting', urls=urls)
    LOG.info('keystone_like %s (pid %d): admin on %s, public on %s',
             version.version_string(), os.getpid(), urls['admin'],
             urls['public'])
    LOG.info('Quit with CONTROL-C (graceful; twice to force) or SIGTERM')
    eventlet.spawn_n(_become_ready, conf, server, report)
    reason = server.wait_for_stop()
    report.update('stopping')
    timeout = server.graceful_timeout
    LOG.info('Shutting down (%s): finishing %d open connection(s), %s',
             reason, sum(len(item.connections) for item in server.listeners),
             'up to %ss' % timeout if timeout else 'without a time limit')
    systemd.notify_stopping()
    cut = server.stop()
    if cut:
        LOG.warning('Closed %d connection(s) still busy after %ss', cut,
                    timeout)
    LOG.info('Finished server process [%d]', os.getpid())


def _become_ready(conf, server, report):
    if not server.wait_ready(READY_TIMEOUT):
        report.update('degraded')
        return
    if server.stop_reason is None:
        # Before the log line: whoever waits for it may read the file.
        report.update('ready', ready=True)
    LOG.info('Application startup complete: both listeners answer')
    onready.run(conf.onready)
