"""The single-process life cycle: prepare, serve, onready, stop.

Signal handlers only record what arrived; the main loop decides (the
uvicorn/gunicorn pattern). SIGTERM and the first SIGINT stop gracefully:
stop accepting, let in-flight requests finish within
``graceful_shutdown_timeout``, close idle keep-alive connections, answer
last responses with ``Connection: close``. A second SIGINT exits at once.
"""

import logging
import os
import signal

import eventlet
import eventlet.tpool

from keystone_like.common import offload
from keystone_like.conf import validation
from keystone_like.server import errors
from keystone_like.server import listener as server_listener
from keystone_like.server import onready
from keystone_like.server import readiness
from keystone_like.server import startup
from keystone_like.server import systemd
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
            LOG.warning('SIGHUP received: reload needs workers '
                        '(admin_workers/public_workers); ignoring')
            return
        if signum == signal.SIGINT and self.stop is not None:
            LOG.warning('Second interrupt: exiting without draining')
            os._exit(errors.EXIT_INTERRUPTED)
        if self.stop is None:
            self.stop = signal.Signals(signum).name


class Service:
    """Both listeners of one process, from prepared sockets to stop."""

    def __init__(self, conf, prepared):
        self.conf = conf
        self.listeners = [
            server_listener.Listener(p.settings, p.app, p.sock,
                                     p.ssl_context)
            for p in prepared]
        self.signals = Signals()
        self.ready = eventlet.event.Event()

    def start(self):
        """Start accepting on every listener and log the banner."""
        for item in self.listeners:
            item.start()
        urls = {item.settings.name: item.url for item in self.listeners}
        LOG.info('keystone_like %s (pid %d): admin on %s, public on %s',
                 version.version_string(), os.getpid(), urls['admin'],
                 urls['public'])
        LOG.info('Quit with CONTROL-C (graceful; twice to force) or SIGTERM')
        eventlet.spawn_n(self._become_ready)

    def _become_ready(self):
        if readiness.wait_ready(self.listeners, READY_TIMEOUT):
            LOG.info('Application startup complete: both listeners answer')
            self.ready.send(True)
            onready.run(self.conf.onready)
        else:
            self.ready.send(False)

    def wait(self):
        """Block until a stop signal arrives; return its name."""
        while self.signals.stop is None:
            eventlet.sleep(0.1)
        return self.signals.stop

    def stop(self, reason):
        """Stop accepting, drain every listener, close what is left."""
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
    offload.install(eventlet.tpool.execute)
    prepared = startup.prepare(conf)
    if any(validation.worker_counts(conf)):
        from keystone_like.server import master
        return master.run(conf, prepared)
    service = Service(conf, prepared)
    service.signals.install()
    try:
        service.start()
        reason = service.wait()
        service.stop(reason)
    finally:
        service.signals.restore()
    return errors.EXIT_OK
