"""A generation: one leader process and the workers it supervises.

The master forks one leader per generation. Generation 1's leader
inherits what the master prepared; a reload's leader re-reads the config
files itself, validates them, loads both paste applications and the TLS
material (so new certificates are picked up) and reuses the master's
listening sockets when a listener's address is unchanged (binding, and
handing the master, new ones otherwise). Everything it loads lives in
its own process, so a reload that fails leaves nothing behind: the
master just lets the leader go. A load failure becomes one ``error``
message to the master, which refuses the reload with it.

Then the leader drops privileges, freezes the GC (so workers share the
loaded memory) and forks ``admin_workers`` + ``public_workers`` workers.
(A reload's loading is :func:`.loading.reload`.) It is a plain select
loop: it collects the workers' ready/heartbeat/error
messages, reaps and respawns dead workers with backoff (see
:class:`worker.WorkerState`), reports a crash loop (and, with
``crash_loop_policy = exit``, asks the master to stop the service),
replaces a hung worker after logging its stacks, and sends the master a
``state`` message on every change; ``ready`` in it is true once every
worker of both listeners has acknowledged.

SIGTERM: TERM to every worker (they drain), wait for them within
``graceful_shutdown_timeout`` plus a margin, then SIGKILL what is left.
SIGINT: the same with SIGINT (workers close everything) and a short
bound. While loading, both keep their default action: nothing to clean
up yet. The master's death sends the leader SIGTERM (parent-death
signal), and the leader's the workers.
"""

import gc
import logging
import os
import signal
import time

from keystone_like.server.config import listener as listener_conf
from keystone_like.server.config import validation
from keystone_like.server import hooks
from keystone_like.server import errors
from keystone_like.server import metrics
from keystone_like.server.process import ipc
from keystone_like.server.process import signals
from keystone_like.server.process import privileges
from keystone_like.server.process import threads
from keystone_like.server.http import sockets
from keystone_like.server.process import loading as startup
from keystone_like.server.process import worker

LOG = logging.getLogger(__name__)
TICK = 0.2
STOP_MARGIN = 5.0       # beyond graceful_shutdown_timeout
FAST_STOP_TIME = 5.0    # SIGINT: workers get this long to go
HUNG_KILL_DELAY = 1.0   # between SIGUSR1 (stacks) and SIGKILL


def main(conf, number, prepared, bound, master_pid, channel):
    """Run a generation leader in the forked child; never returns."""
    code = errors.EXIT_FAILURE
    try:
        code = Leader(conf, number, channel, master_pid).run(prepared, bound)
    except errors.StartupError as exc:
        channel.send_surely('error', pid=os.getpid(), message=str(exc),
                            code=exc.exit_code)
        code = exc.exit_code
    except BaseException as exc:    # noqa: B902 - report, then exit
        LOG.exception('Generation %d leader failed', number)
        channel.send_surely(
            'error', pid=os.getpid(), code=errors.EXIT_SOFTWARE,
            message='generation %d leader failed: %s: %s' % (
                number, type(exc).__name__, exc))
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(code)


class Leader:
    """Forks and supervises the workers of one generation."""

    def __init__(self, conf, number, channel, master_pid):
        self.conf = conf
        self.number = number
        self.channel = channel
        self.master_pid = master_pid
        self.items = {}
        self.positions = []
        self.by_pid = {}
        self.stopping = None
        self.deadline = None
        self.degraded = False
        self.last_restart_reason = None
        self.fatal_sent = False
        self._reported = None
        self.hash_slots = None

    def run(self, prepared, bound):
        """Load (on reload), drop privileges, fork and supervise workers."""
        if prepared is None:
            prepared = startup.reload(self.conf, bound, self.channel)
        for item in bound.values():     # a socket a listener moved from
            if all(item['sock'] is not p.sock for p in prepared):
                item['sock'].close()
        creds = privileges.resolve(self.conf)
        if creds is not None:
            privileges.drop(creds)
            if not ipc.die_with_parent(self.master_pid):   # setuid reset it
                return errors.EXIT_OK
            try:
                hooks.fire(hooks.AFTER_PRIVILEGE_DROP, creds)
            except hooks.StartupRefused as exc:
                raise errors.StartupError(str(exc), exc.exit_code) from None
        self.items = {item.settings.name: item for item in prepared}
        self.urls = {name: _url(item) for name, item in self.items.items()}
        counts = validation.worker_counts(self.conf)
        self.counts = dict(zip(listener_conf.LISTENERS, counts))
        self.positions = [worker.WorkerState(name, index)
                          for name, count in zip(listener_conf.LISTENERS,
                                                 counts)
                          for index in range(count)]
        # The hashing board every worker forked below shares (one row per
        # position): a worker borrows idle cores beyond its share.
        self.hash_slots = threads.MachineSlots(len(self.positions))
        self.signals = signals.SignalRecorder(
            (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD), wakeup=True)
        self.signals.install()
        self.workers, self.workers_end = ipc.Channel.pair()
        LOG.info('Generation %d leader [%d]: starting %d admin + %d public '
                 'workers as %s', self.number, os.getpid(), counts[0],
                 counts[1], creds.describe() if creds else 'uid %d'
                 % os.getuid())
        return self.loop()

    def tell(self, kind, **fields):
        """Send a message to the master."""
        return self.channel.send(kind, pid=os.getpid(), **fields)

    def loop(self):
        """Supervise until stopped and every worker is gone."""
        process = self.conf.process
        while True:
            now = time.monotonic()
            if self.stopping is None:
                for position in self.positions:
                    if position.pid is None and position.respawn_at <= now:
                        self.spawn(position)
            ipc.wait([self.signals, self.workers], TICK)
            for signum in self.signals.take():
                if signum in (signal.SIGTERM, signal.SIGINT):
                    self.stop(signal.Signals(signum))
            now = time.monotonic()
            # Exits first, messages next: what a worker sent before dying
            # (its last error) is then read before its death is handled.
            dead = ipc.collect_exits()
            for message, _fds in self.workers.receive():
                self.on_message(message, now)
            for pid, status in dead:
                self.worker_exited(pid, status, now)
            if self.stopping is None:
                self.check_hung(now, process.worker_heartbeat_timeout)
                self.settle(now, process.crash_loop_window,
                            process.crash_loop_threshold)
            elif not self.by_pid:
                LOG.info('Generation %d leader [%d]: finished', self.number,
                         os.getpid())
                return errors.EXIT_OK
            elif self.deadline is not None and now >= self.deadline:
                LOG.warning('Generation %d: killing %d worker(s) still '
                            'running', self.number, len(self.by_pid))
                for pid in self.by_pid:
                    self.send_signal(pid, signal.SIGKILL)
                self.deadline = None
            self.report()

    def spawn(self, position):
        """Fork the worker of ``position``."""
        item = self.items[position.listener]
        gc.freeze()     # what the leader loaded stays shared
        leader_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                signals.reset_child_signals()
                if ipc.die_with_parent(leader_pid):
                    self.signals.close()
                    self.channel.close()
                    self.workers.close()
                    for other in self.items.values():
                        if other is not item:
                            other.sock.close()
                    worker.reset_after_fork()
                    # Its share of the cores, and idle ones borrowed.
                    hooks.set_executor(threads.machine_executor(
                        self.counts[position.listener], self.hash_slots,
                        self.positions.index(position)))
                    worker.main(self.conf, item, self.number,
                                self.workers_end)
            finally:
                os._exit(errors.EXIT_SOFTWARE)
        position.started(pid, time.monotonic())
        self.by_pid[pid] = position
        recorder = metrics.get()
        if recorder is not None:
            recorder.worker_starts.labels(position.listener).inc()
            if position.restarts:
                recorder.worker_respawns.labels(position.listener).inc()

    def on_message(self, message, now):
        """Handle a worker's ready, heartbeat or error message."""
        position = self.by_pid.get(message.get('pid'))
        if position is None:
            return
        kind = message.get('type')
        if kind == 'beat':
            position.last_beat = now
        elif kind == 'ready':
            position.ready = True
            position.last_beat = now
        elif kind == 'error':
            position.last_error = message.get('text')

    def worker_exited(self, pid, status, now):
        """Record a dead worker; schedule its respawn."""
        position = self.by_pid.pop(pid, None)
        if position is None:
            return
        if self.hash_slots is not None and position in self.positions:
            # Its row on the hashing board no longer holds anything.
            self.hash_slots.post(self.positions.index(position), 0, 0)
        if self.stopping is not None:
            return
        how = ipc.describe_status(status)
        cause = 'killed' if os.WIFSIGNALED(status) else 'exited'
        if position.kill_at is not None:
            how, cause = 'hung, killed', 'hung'
        recorder = metrics.get()
        if recorder is not None:
            recorder.worker_deaths.labels(position.listener, cause).inc()
        reason = 'worker %d (%s) %s' % (pid, position.listener, how)
        delay = position.died(now, self.conf.process.crash_loop_window,
                              self.conf.process.respawn_backoff_max)
        self.last_restart_reason = reason
        LOG.warning('Generation %d: %s; respawning %s', self.number,
                    reason, 'in %ds' % delay if delay else 'now')
        if position.quick_deaths >= self.conf.process.crash_loop_threshold:
            self.crash_loop(position, reason)

    def crash_loop(self, position, reason):
        """Log the crash loop once per streak; apply crash_loop_policy."""
        policy = self.conf.process.crash_loop_policy
        if position.quick_deaths == self.conf.process.crash_loop_threshold:
            LOG.error(
                'Crash loop: the %s listener\'s worker died %d times within '
                '%ds of starting; last: %s; last error: %s; %s',
                position.listener, position.quick_deaths,
                self.conf.process.crash_loop_window, reason,
                position.last_error or 'none logged',
                'stopping the service (crash_loop_policy = exit)'
                if policy == 'exit' else 'respawning with backoff '
                '(crash_loop_policy = retry)')
        self.degraded = True
        if policy == 'exit' and not self.fatal_sent:
            self.fatal_sent = self.channel.send_surely(
                'fatal', pid=os.getpid(),
                message='crash loop of the %s listener\'s workers: %s; last '
                'error: %s' % (position.listener, reason,
                               position.last_error or 'none logged'))

    def settle(self, now, window, threshold):
        """Clear 'degraded' once every worker has lived ``window``."""
        for position in self.positions:
            position.settle(now, window)
        if self.degraded and all(s.quick_deaths < threshold
                                 for s in self.positions):
            LOG.info('Generation %d: every worker is up again', self.number)
            self.degraded = False

    def check_hung(self, now, timeout):
        """Log the stacks of, then kill, a worker whose hub stopped."""
        for pid, position in self.by_pid.items():
            if position.kill_at is None and now - position.last_beat > timeout:
                LOG.error('Generation %d: %s worker %d is hung: no heartbeat '
                          'for %ds; logging its stacks and replacing it',
                          self.number, position.listener, pid, timeout)
                self.send_signal(pid, signal.SIGUSR1)
                position.kill_at = now + HUNG_KILL_DELAY
            elif position.kill_at is not None and now >= position.kill_at:
                self.send_signal(pid, signal.SIGKILL)
                position.kill_at = float('inf')

    def stop(self, signum):
        """Pass a stop signal on to the workers and set the time limit."""
        if self.stopping is signal.SIGINT or signum == self.stopping:
            return
        self.stopping = signum
        if signum == signal.SIGINT:
            self.deadline = time.monotonic() + FAST_STOP_TIME
        else:
            timeout = self.conf.eventlet_server.graceful_shutdown_timeout
            self.deadline = (time.monotonic() + timeout + STOP_MARGIN
                             if timeout else None)
        for item in self.items.values():    # no more workers to fork
            item.sock.close()
        for pid in self.by_pid:
            self.send_signal(pid, signum)

    def send_signal(self, pid, signum):
        """Send ``signum`` to ``pid``, gone or not (tests record it)."""
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    def report(self):
        """Send the master a 'state' message when something changed."""
        listeners = {}
        for name in self.items:
            listeners[name] = {'url': self.urls[name], 'workers': [
                position.status() for position in self.positions
                if position.listener == name]}
        state = {'generation': self.number, 'listeners': listeners,
                 'ready': all(position.ready for position in self.positions),
                 'degraded': self.degraded,
                 'last_restart_reason': self.last_restart_reason}
        if state != self._reported and self.tell('state', **state):
            self._reported = state


def _url(item):
    host, port = item.sock.getsockname()[:2]
    return '%s://%s' % ('https' if item.ssl_context else 'http',
                        sockets.format_address(host, port))
