"""A worker process: serves one listener with eventlet, reports to its leader.

Forked by its generation leader with the application, TLS context and
listening socket already in memory and privileges already dropped. After
the fork it takes a fresh hub, thread pool and database pool (none of
the parent's may be shared: the applications' ``after_fork`` hooks drop
their database pools), starts its :class:`.server.Server` (one
listener), proves that
its own pipeline answers (the in-process readiness probe: over the
network a sibling or the previous generation could answer for it) and
only then tells the leader "ready". A green thread sends a heartbeat
every second: a leader that stops hearing it knows the hub is stuck.

Signals: SIGTERM drains (stop accepting; in-flight requests finish within
``graceful_shutdown_timeout`` and their responses say ``Connection:
close``; idle keep-alive connections are closed). SIGINT closes
everything at once: a terminal's Ctrl-C reaches every process of the
group, so a worker acts on it by itself, as its leader would ask. A
second signal during a drain also closes everything. SIGHUP is ignored
(the master reloads). SIGUSR1 logs the stack of every green thread; the
leader sends it to a hung worker before killing it. ERROR records this
process logs are also sent to the leader: the last one is the "last
error" a crash-loop report names.
"""

import gc
import logging
import os
import signal
import sys
import time
import traceback

import eventlet
import eventlet.hubs
import eventlet.tpool
import greenlet

from keystone_like.server import hooks
from keystone_like.server import errors
from keystone_like.server.control import status
from keystone_like.server.process import server as process_server

LOG = logging.getLogger(__name__)
HEARTBEAT = 1.0
READY_TIMEOUT = 30.0
MAX_ERROR_TEXT = 2000


def main(conf, item, generation, channel):
    """Run a worker in the forked child; never returns."""
    code = errors.EXIT_SOFTWARE
    try:
        code = Worker(conf, item, generation, channel).serve()
    except BaseException:       # noqa: B902 - the process ends here anyway
        LOG.exception('Worker process [%d] (%s listener) failed',
                      os.getpid(), item.settings.name)
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stdout.flush()
        os._exit(code)


def reset_after_fork():
    """Give this child its own hub, thread pool and database pool."""
    eventlet.hubs.use_hub()
    tpool = eventlet.tpool
    if tpool._setup_already:
        # The parent's pool threads do not exist here and its socket pair
        # is shared with the parent: start over (tpool has no API for it).
        tpool._setup_already = False
        tpool._threads = []
        tpool._rsock = tpool._wsock = tpool._coro = None
        tpool._reqq = tpool._rspq = None
    # Keep the executor the launcher chose (it runs on tpool, fresh now).
    hooks.set_executor(hooks.set_executor(None) or eventlet.tpool.execute)
    hooks.fire(hooks.AFTER_FORK)


class ErrorForwarder(logging.Handler):
    """Sends this process's ERROR records to the leader ("last error")."""

    def __init__(self, channel):
        super().__init__(logging.ERROR)
        self.channel = channel

    def emit(self, record):
        """Send the record's message (and exception) in one line."""
        try:
            text = (record.getMessage().splitlines() or [''])[0]
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                text += ': %s: %s' % (type(exc).__name__,
                                      ' '.join(str(exc).split()))
            self.channel.send('error', pid=os.getpid(),
                              text=text[:MAX_ERROR_TEXT])
        except Exception:       # noqa: BLE001 - logging must never raise
            pass


class Worker:
    """One worker's life: start, prove ready, heartbeat, stop."""

    def __init__(self, conf, item, generation, channel):
        self.conf = conf
        self.item = item
        self.generation = generation
        self.channel = channel
        self.server = None

    def serve(self):
        """Serve until a stop signal; return the exit code."""
        signal.signal(signal.SIGUSR1, log_stacks)
        logging.getLogger().addHandler(ErrorForwarder(self.channel))
        name = self.item.settings.name
        self.server = process_server.Server(
            [self.item], self.conf.eventlet_server.graceful_shutdown_timeout,
            interrupt='abort')
        self.server.start()
        eventlet.spawn_n(self._heartbeat)
        # In process: over the network a sibling or the previous
        # generation could answer for this worker's pipeline.
        if not self.server.wait_ready(READY_TIMEOUT, in_process=True):
            LOG.error('Worker process [%d]: the %s pipeline did not answer '
                      'within %ss', os.getpid(), name, READY_TIMEOUT)
            return errors.EXIT_SOFTWARE
        self.channel.send_surely('ready', pid=os.getpid())
        LOG.info('Started worker process [%d]: %s listener, generation %d',
                 os.getpid(), name, self.generation)
        self.server.wait_for_stop()
        cut = self.server.stop()
        if cut and self.server.stop_reason != 'SIGINT':
            LOG.warning('Worker process [%d]: closed %d connection(s) still '
                        'busy after %ss', os.getpid(), cut,
                        self.server.graceful_timeout)
        LOG.info('Finished worker process [%d]', os.getpid())
        return errors.EXIT_OK

    def _heartbeat(self):
        pid = os.getpid()
        while True:
            self.channel.send('beat', pid=pid)
            eventlet.sleep(HEARTBEAT)


def log_stacks(_signum, frame):
    """SIGUSR1: log the stack of the running code and of each green thread."""
    current = greenlet.getcurrent()
    stacks = ['running:\n' + ''.join(traceback.format_stack(frame))]
    for obj in gc.get_objects():
        if (isinstance(obj, greenlet.greenlet) and obj is not current
                and obj.gr_frame is not None):
            stacks.append(''.join(traceback.format_stack(obj.gr_frame)))
    LOG.error('Worker process [%d] is hung; stacks of %d green thread(s):\n%s',
              os.getpid(), len(stacks), '\n'.join(stacks))


class WorkerState:
    """The leader's record of one worker position: process and history.

    The position outlives its processes: a respawned worker takes the
    same one, with its restart count and crash-loop streak.
    """

    def __init__(self, listener, index):
        self.listener = listener
        self.index = index
        self.pid = None
        self.started_at = None      # wall clock, for the status file
        self.spawned = None         # monotonic
        self.ready = False
        self.last_beat = None
        self.restarts = 0
        self.quick_deaths = 0
        self.respawn_at = 0.0       # monotonic; 0 means at once
        self.kill_at = None         # a hung worker is SIGKILLed then
        self.last_error = None

    def started(self, pid, now):
        """Record a freshly forked worker."""
        self.pid = pid
        self.started_at = time.time()
        self.spawned = self.last_beat = now
        self.ready = False
        self.kill_at = None
        self.respawn_at = None

    def died(self, now, window, backoff_max):
        """Record the death of the worker; schedule the respawn.

        The first death after a long life respawns at once (an OOM kill
        should not cost a second of capacity); each further death within
        ``window`` seconds of its start doubles the delay: 1, 2, 4 ... up
        to ``backoff_max`` seconds.
        """
        lived = now - self.spawned
        self.quick_deaths = self.quick_deaths + 1 if lived < window else 1
        self.pid = None
        self.ready = False
        self.restarts += 1
        delay = 0 if self.quick_deaths <= 1 else min(
            2 ** (self.quick_deaths - 2), backoff_max)
        self.respawn_at = now + delay
        return delay

    def settle(self, now, window):
        """Forget past quick deaths once the worker has lived ``window``."""
        if (self.pid is not None and self.quick_deaths
                and now - self.spawned >= window):
            self.quick_deaths = 0
            return True
        return False

    def status(self):
        """The worker's entry in the status document."""
        return status.worker_entry(self.pid, self.ready, self.started_at,
                                   self.restarts)
