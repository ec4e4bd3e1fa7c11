"""The single-process life cycle: prepare, serve, onready, stop.

Signal handlers only record what arrived; the main loop decides (the
uvicorn/gunicorn pattern). SIGTERM and the first SIGINT stop gracefully:
stop accepting, let in-flight requests finish within
``graceful_shutdown_timeout``, close idle keep-alive connections, answer
last responses with ``Connection: close``. A second SIGINT exits at once.
SIGHUP is logged and ignored: a single process has no zero-loss reload.

In single-process mode the launcher owns the pid file (claimed before the
apps load, removed at exit) and the status document ``service-all status``
reads: state ``starting``, ``ready`` once both pipelines answer (or
``degraded`` if they never do), ``stopping``.
"""

import logging
import os
import signal
import time

import eventlet

from keystone_like.server.config import validation
from keystone_like.server import config as server_config
from keystone_like.server import hooks
from keystone_like.server.control import verbs as control
from keystone_like.server import errors
from keystone_like.server.http import listener as server_listener
from keystone_like.server.process import onready
from keystone_like.server.http import readiness
from keystone_like.server.process import loading as startup
from keystone_like.server.control import status
from keystone_like.server import systemd
from keystone_like.server.process import threads
from keystone_like import version

LOG = logging.getLogger(__name__)
READY_TIMEOUT = 30.0


class Signals:
    """Records stop signals; a second SIGINT exits the process at once."""

    HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self):
        self.stop = None
        self._previous = {}

    def install(self):
        """Install the handlers, remembering the previous ones."""
        for signum in self.HANDLED:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self):
        """Put the previous handlers back."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum, _frame):
        if signum == signal.SIGHUP:
            LOG.warning('SIGHUP received: single-process mode has no '
                        'zero-loss reload (it needs admin_workers/'
                        'public_workers; "service-all restart" restarts); '
                        'ignoring')
            return
        if signum == signal.SIGINT and self.stop is not None:
            LOG.warning('Second interrupt: exiting without draining')
            os._exit(errors.EXIT_INTERRUPTED)
        if self.stop is None:
            self.stop = signal.Signals(signum).name


class StatusReport:
    """The status document of a single process, rewritten on each change."""

    def __init__(self, pid_file):
        self.path = status.status_path(pid_file)
        self.doc = {
            'pid': os.getpid(), 'version': version.version_string(),
            'started_at': time.time(), 'state': 'starting', 'generation': 1,
            'mode': 'single', 'listeners': {}, 'last_restart_reason': None,
            'last_reload': None}

    def update(self, state, urls=None, ready=None):
        """Record ``state`` (and the listener URLs, readiness); write it."""
        self.doc['state'] = state
        for name, url in (urls or {}).items():
            self.doc['listeners'][name] = {'url': url, 'workers': [{
                'pid': os.getpid(), 'ready': False, 'restarts': 0,
                'started_at': self.doc['started_at']}]}
        if ready is not None:
            for item in self.doc['listeners'].values():
                item['workers'][0]['ready'] = ready
        self.doc['updated_at'] = time.time()
        try:
            status.write_status(self.path, self.doc)
        except OSError as exc:
            LOG.warning('Cannot write the status file %s (%s); "service-all '
                        'status" will not see this state', self.path, exc)

    def remove(self):
        """Remove the status file (at exit), if it is still ours."""
        if (status.read_status(self.path) or {}).get('pid') == os.getpid():
            control.remove(self.path)


class Service:
    """Both listeners of one process, from prepared sockets to stop."""

    def __init__(self, conf, prepared, report):
        self.conf = conf
        self.listeners = [
            server_listener.Listener(p.settings, p.app, p.sock,
                                     p.ssl_context)
            for p in prepared]
        self.signals = Signals()
        self.ready = eventlet.event.Event()
        self.report = report

    def start(self):
        """Start accepting on every listener and log the banner."""
        for item in self.listeners:
            item.start()
        urls = {item.settings.name: item.url for item in self.listeners}
        self.report.update('starting', urls=urls)
        LOG.info('keystone_like %s (pid %d): admin on %s, public on %s',
                 version.version_string(), os.getpid(), urls['admin'],
                 urls['public'])
        LOG.info('Quit with CONTROL-C (graceful; twice to force) or SIGTERM')
        eventlet.spawn_n(self._become_ready)

    def _become_ready(self):
        if readiness.wait_ready(self.listeners, READY_TIMEOUT):
            LOG.info('Application startup complete: both listeners answer')
            if self.signals.stop is None:
                self.report.update('ready', ready=True)
            self.ready.send(True)
            onready.run(self.conf.onready)
        else:
            self.report.update('degraded')
            self.ready.send(False)

    def wait(self):
        """Block until a stop signal arrives; return its name."""
        while self.signals.stop is None:
            eventlet.sleep(0.1)
        return self.signals.stop

    def stop(self, reason):
        """Stop accepting, drain every listener, close what is left."""
        self.report.update('stopping', ready=False)
        timeout = self.conf.eventlet_server.graceful_shutdown_timeout
        open_now = sum(len(item.connections) for item in self.listeners)
        LOG.info('Shutting down (%s): finishing %d open connection(s), %s',
                 reason, open_now,
                 'up to %ss' % timeout if timeout else 'without a time limit')
        systemd.notify_stopping()
        for item in self.listeners:
            item.stop_accepting()
        threads = [eventlet.spawn(item.drain, timeout)
                   for item in self.listeners]
        cut = sum(thread.wait() for thread in threads)
        if cut:
            LOG.warning('Closed %d connection(s) still busy after %ss', cut,
                        timeout)
        LOG.info('Finished server process [%d]', os.getpid())


def run(conf):
    """Serve until stopped; return the exit code. Raises StartupError."""
    # CPU-bound work the API hands to offload (password hashing) runs on
    # native threads, so a flood of logins does not stall the hub.
    hooks.set_executor(threads.bounded_executor())
    # The applications may read the same files (keystone_like's does).
    hooks.set_config_args(server_config.config_args(conf))
    if any(validation.worker_counts(conf)):
        prepared = startup.prepare(conf)
        from keystone_like.server.process import master
        return master.run(conf, prepared)
    return run_single(conf)


def run_single(conf):
    """Serve both listeners from this process; own the pid file meanwhile."""
    pid_file = status.pid_path(conf)
    # Claimed before the apps load, so a second start is refused at once
    # and "status" says "starting" while slow factories run.
    control.claim_pid_file(pid_file)
    report = StatusReport(pid_file)
    try:
        report.update('starting')
        service = Service(conf, startup.prepare(conf), report)
        service.signals.install()
        try:
            service.start()
            reason = service.wait()
            service.stop(reason)
        finally:
            service.signals.restore()
    finally:
        report.remove()
        control.release_pid_file(pid_file)
    return errors.EXIT_OK
