"""One serving process: its listeners, from bound sockets to a drained stop.

The same :class:`Server` runs in single-process mode (both listeners,
in the launcher itself) and in every worker (one listener): start the
accept loops, prove the pipelines answer, wait for a stop signal, then
stop accepting and drain -- in-flight requests finish within
``graceful_shutdown_timeout`` with ``Connection: close``, idle keep-alive
connections are closed -- or, on SIGINT in a worker, close everything at
once. Signals are only recorded (:mod:`.signals`); the green loop here
decides, polling every ``TICK``.

What differs is passed in: ``interrupt`` says what SIGINT means
(``'drain'``: a first Ctrl-C drains and a second exits 130 at once, the
single-process behaviour; ``'abort'``: close everything, a worker's), and
a worker ignores SIGHUP (its master reloads) while a single process logs
why it cannot reload.
"""

import gc
import logging
import os
import signal

import eventlet

from keystone_like.server import errors
from keystone_like.server import hooks
from keystone_like.server import metrics
from keystone_like.server.http import listener as http_listener
from keystone_like.server.http import readiness
from keystone_like.server.process import signals

LOG = logging.getLogger(__name__)
TICK = 0.05
SAMPLE_INTERVAL = 1.0
SINGLE_PROCESS_HUP = ('SIGHUP received: single-process mode has no zero-loss '
                      'reload (it needs admin_workers/public_workers; '
                      '"service-all restart" restarts); ignoring')


class Server:
    """The listeners of one process and their life cycle."""

    def __init__(self, prepared, graceful_timeout, interrupt='drain'):
        self.metrics = metrics.get()
        observe = (None if self.metrics is None
                   else self.metrics.observe_request)
        self.listeners = [
            http_listener.Listener(p.settings, p.app, p.sock, p.ssl_context,
                                   observe=observe)
            for p in prepared]
        self.graceful_timeout = graceful_timeout
        self.interrupt = interrupt
        self.signals = signals.SignalRecorder(
            (signal.SIGTERM, signal.SIGINT, signal.SIGHUP))
        self.stop_reason = None

    def start(self):
        """Install the signal recorder and start every accept loop."""
        self.signals.install()
        for item in self.listeners:
            item.start()
        if self.metrics is not None:
            eventlet.spawn_n(self._sample_loop)

    def _sample_loop(self):
        # Gauges of connections are set once a second, not per request:
        # the request path pays for counters only.
        while True:
            self.metrics.flush()
            for item in self.listeners:
                self.metrics.sample_listener(item.settings.name, *item.load())
            eventlet.sleep(SAMPLE_INTERVAL)

    def urls(self):
        """``{listener name: base URL}``."""
        return {item.settings.name: item.url for item in self.listeners}

    def wait_ready(self, timeout, in_process=False):
        """Whether every pipeline answered within ``timeout`` seconds.

        Once they have, what start-up made (modules, the applications,
        their first requests' imports) moves to the collector's permanent
        generation: a full collection otherwise walks all of it, a pause
        of ~80 ms every few seconds under load that stalls every request
        in flight.
        """
        ready = readiness.wait_ready(self.listeners, timeout, in_process)
        if ready:
            gc.collect()
            gc.freeze()
        return ready

    def wait_for_stop(self):
        """Block (green) until a stop signal; return its name."""
        while self.stop_reason is None:
            self._take_signals()
            if self.stop_reason is None:
                eventlet.sleep(TICK)
        return self.stop_reason

    def _take_signals(self):
        """Act on what arrived; True when it is time to close everything."""
        now = False
        for signum in self.signals.take():
            if signum == signal.SIGHUP:
                if self.interrupt == 'drain':
                    LOG.warning(SINGLE_PROCESS_HUP)
                continue
            name = signal.Signals(signum).name
            if self.stop_reason is None:
                self.stop_reason = name
                now = signum == signal.SIGINT and self.interrupt == 'abort'
            elif signum == signal.SIGINT and self.interrupt == 'drain':
                LOG.warning('Second interrupt: exiting without draining')
                os._exit(errors.EXIT_INTERRUPTED)
            else:
                now = True      # a second stop signal means "now"
        return now

    def stop(self):
        """Stop accepting; drain (or abort); return connections cut."""
        try:
            return self._stop()
        finally:
            if self.metrics is not None:
                self.metrics.flush()    # the last requests' counts

    def _stop(self):
        # Health checks on connections still open answer 503 from now on.
        hooks.set_draining(True)
        for item in self.listeners:
            item.stop_accepting()
        if self.stop_reason == 'SIGINT' and self.interrupt == 'abort':
            return self._abort()
        drainers = [eventlet.spawn(item.drain, self.graceful_timeout)
                    for item in self.listeners]
        while not all(d.dead for d in drainers):
            if self._take_signals():
                return self._abort()
            eventlet.sleep(TICK)
        return sum(d.wait() for d in drainers)

    def _abort(self):
        cut = sum(len(item.connections) for item in self.listeners)
        for item in self.listeners:
            item.abort()
        return cut

    def restore_signals(self):
        """Put the previous signal handlers back."""
        self.signals.restore()
