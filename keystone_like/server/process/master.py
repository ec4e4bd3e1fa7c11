"""The master: owns the sockets, the pid and status files, the generations.

Process tree::

    master               as started (root if so); never serves
      leader N           drops privileges, supervises (.leader)
        admin worker     x admin_workers   (.worker)
        public worker    x public_workers

``launcher.run`` has loaded both applications, built the TLS contexts and
bound both sockets (``loading.prepare``) when it calls :func:`run`;
generation 1's leader inherits all of it. The master claims the pid file
(``control.claim_pid_file``), keeps the status file current and is a
plain select loop; signal handlers only queue the signal and the loop
dispatches.

SIGTERM  graceful stop: STOPPING=1, the master closes its copies of the
         listening sockets, every leader drains its workers (bounded by
         ``graceful_shutdown_timeout``); exit 0.
SIGINT   fast stop: every worker closes all its connections at once;
         exit 130 (``EXIT_INTERRUPTED``, stopped without draining). A
         Ctrl-C reaches the whole process group; each process does the
         same by itself. A second SIGINT kills what is left.
SIGHUP   validated reload: RELOADING=1 and a new leader (generation
         N+1) re-reads and checks the config files, the paste ini and the
         TLS material (a listener whose address changed gets a new
         socket, bound by the leader and handed to the master, which keeps
         it for later generations). If it fails, its one-line error is
         logged as "reload refused: ..." and generation N keeps serving.
         Otherwise both generations accept on the same listening sockets
         until every new worker is ready; only then is generation N told
         to drain, so no connection goes unanswered. A generation not
         ready within ``[process] reload_timeout`` is stopped ("reload
         rolled back") and generation N keeps serving. READY=1 follows
         every outcome.

Exit codes: 0 and 130 as above; 1 (``EXIT_FAILURE``) when a crash loop
stops the service (``crash_loop_policy = exit``) or no generation is left
to serve (its leader died and a new one could not start) -- 1 rather than
70 so that systemd's ``Restart=on-failure`` restarts it despite the
unit's ``RestartPreventExitStatus=66 70 71 78``; a failure of generation
1 before it is ready (privileges, state files) raises StartupError with
its own code.

systemd: the master alone writes to NOTIFY_SOCKET (units use
``NotifyAccess=main``): READY=1 with a STATUS= line once every worker of
generation 1 answers and after every reload, RELOADING=1, STOPPING=1.
The onready hook runs once, after generation 1 is ready; a hook naming
``keystone_like.server.systemd`` is skipped (READY=1 is already sent).
The master's own ``[process]`` and ``graceful_shutdown_timeout`` values
(from start-up) bound reloads and stops.
"""

import gc
import logging
import os
import signal
import time

import eventlet.hubs

from keystone_like.server.config import validation
from keystone_like.server import errors
from keystone_like.server import metrics
from keystone_like.server.process import leader
from keystone_like.server.process import ipc
from keystone_like.server.process import signals
from keystone_like.server.process import master_status
from keystone_like.server.process import onready
from keystone_like.server.process import privileges
from keystone_like.server import systemd

LOG = logging.getLogger(__name__)
TICK = 0.5
STOP_MARGIN = 10.0      # beyond graceful_shutdown_timeout, then SIGKILL
FAST_STOP_TIME = 8.0
SYSTEMD_HOOK = 'keystone_like.server.systemd'


def run(conf, prepared):
    """Supervise generations until stopped; return the exit code."""
    privileges.resolve(conf)     # an unknown user fails before any fork
    return Master(conf, prepared).run()


class Generation:
    """The master's view of one generation (its leader process)."""

    def __init__(self, number, pid):
        self.number = number
        self.pid = pid
        self.state = None           # the leader's last 'state' message
        self.ready = False
        self.error = None           # (message, exit code) from the leader
        self.sockets = {}           # listeners it bound itself
        self.deadline = None        # reload_timeout (pending generation)
        self.kill_at = None         # stop bound, then SIGKILL

    def workers(self):
        """The pids of its workers, as last reported."""
        if not self.state:
            return []
        return [w['pid'] for item in self.state['listeners'].values()
                for w in item['workers'] if w['pid']]


class Master(master_status.Reporting):
    """Forks, reloads and stops generations; keeps the status file."""

    def __init__(self, conf, prepared):
        super().__init__(conf, prepared)
        self.prepared = prepared
        self.bound = {p.settings.name: {
            'sock': p.sock, 'host': p.settings.host, 'port': p.settings.port,
            'activated': p.activated} for p in prepared}
        self.reader, self.writer = ipc.Channel.pair()
        self.signals = signals.SignalRecorder(
            (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD),
            wakeup=True)
        self.generations = {}       # leader pid -> Generation, until reaped
        self.current = self.pending = None
        self.number = 0
        self.stopping = None
        self.exit_code = errors.EXIT_OK
        self.startup_error = None
        self.reload_started = None

    def run(self):
        """Claim the pid file, fork generation 1, loop; return exit code."""
        self.claim_pid_file()
        self.signals.install()
        try:
            self.log_banner(validation.worker_counts(self.conf))
            self.current = self.fork(self.prepared)
            self.write_status()
            self.loop()
        finally:
            self.signals.restore()
            self.release_files()
            for item in self.bound.values():
                item['sock'].close()
        if self.startup_error is not None:
            raise errors.StartupError(*self.startup_error)
        LOG.info('Finished server process [%d]', os.getpid())
        return self.exit_code

    def fork(self, prepared):
        """Fork the leader of the next generation (reload: prepared None)."""
        self.number += 1
        master_pid = os.getpid()
        gc.freeze()     # the loaded apps stay shared with the leaders
        pid = os.fork()
        if pid == 0:
            try:
                signals.reset_child_signals()
                if ipc.die_with_parent(master_pid):
                    self.signals.close()
                    self.reader.close()
                    eventlet.hubs.use_hub()
                    leader.main(self.conf, self.number, prepared,
                                self.bound, master_pid, self.writer)
            finally:
                os._exit(errors.EXIT_FAILURE)
        gen = Generation(self.number, pid)
        self.generations[pid] = gen
        LOG.info('Generation %d: leader process [%d] started%s', gen.number,
                 pid, '' if prepared else ', re-reading the configuration')
        return gen

    def loop(self):
        """Dispatch signals, messages and child exits until all is done."""
        handlers = {signal.SIGTERM: self.handle_term,
                    signal.SIGINT: self.handle_int,
                    signal.SIGHUP: self.handle_hup}
        while self.generations or self.stopping is None:
            ipc.wait([self.signals, self.reader], TICK)
            for signum in self.signals.take():
                handlers.get(signum, lambda: None)()
            # Exits first, messages next: a leader's last words (its
            # error) are read before its exit is handled.
            dead = ipc.collect_exits()
            for message, fds in self.reader.receive():
                self.on_message(message, fds)
            for pid, status in dead:
                gen = self.generations.pop(pid, None)
                if gen is not None:
                    self.leader_exited(gen, ipc.describe_status(status),
                                       ipc.exit_code(status))
            self.check_deadlines(time.monotonic())

    # -- signals -----------------------------------------------------------

    def handle_term(self):
        """Graceful stop."""
        self.stop(signal.SIGTERM, 'SIGTERM')

    def handle_int(self):
        """Fast stop; a second one kills what is left."""
        if self.stopping is signal.SIGINT:
            LOG.warning('Second interrupt: killing every process now')
            for gen in self.generations.values():
                self.kill(gen)
            return
        self.exit_code = errors.EXIT_INTERRUPTED
        self.stop(signal.SIGINT, 'SIGINT')

    def handle_hup(self):
        """Start a validated reload."""
        if self.stopping is not None:
            return
        if self.current is None or not self.current.ready:
            LOG.warning('SIGHUP before the service is ready: ignored')
            return
        if self.pending is not None:
            LOG.warning('SIGHUP: generation %d is still starting; ignored',
                        self.pending.number)
            return
        LOG.info('Reloading (SIGHUP): starting generation %d',
                 self.number + 1)
        systemd.notify_reloading()
        self.reload_started = time.monotonic()
        self.pending = self.fork(None)
        self.pending.deadline = (self.reload_started
                                 + self.conf.process.reload_timeout)
        self.write_status()

    def stop(self, signum, reason):
        """Stop every generation with ``signum``."""
        if self.stopping is signal.SIGINT or self.stopping == signum:
            return
        self.stopping = signum
        timeout = self.conf.eventlet_server.graceful_shutdown_timeout
        LOG.info('Shutting down (%s): %s', reason,
                 'closing every connection now' if signum == signal.SIGINT
                 else 'draining, up to %ss' % timeout if timeout
                 else 'draining without a time limit')
        systemd.notify_stopping()
        for item in self.bound.values():    # refuse new connections
            item['sock'].close()
        for gen in self.generations.values():
            self.signal(gen, signum)
        self.write_status()

    def signal(self, gen, signum):
        """Send ``signum`` to a leader and bound how long it may take."""
        self.send_signal(gen.pid, signum)
        timeout = self.conf.eventlet_server.graceful_shutdown_timeout
        if signum == signal.SIGINT:
            gen.kill_at = time.monotonic() + FAST_STOP_TIME
        elif timeout:
            gen.kill_at = time.monotonic() + timeout + STOP_MARGIN

    def kill(self, gen):
        """SIGKILL a leader and the workers it last reported."""
        for pid in [gen.pid] + gen.workers():
            self.send_signal(pid, signal.SIGKILL)
        gen.kill_at = None

    def send_signal(self, pid, signum):
        """Send ``signum`` to ``pid``, gone or not (tests record it)."""
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    # -- messages and exits -----------------------------------------------

    def on_message(self, message, fds):
        """Handle a leader's state, error, fatal or sockets message."""
        gen = self.generations.get(message.get('pid'))
        kind = message.get('type')
        if gen is None or (fds and kind != 'sockets'):
            for fd in fds:
                os.close(fd)
            if gen is None:
                return
        if kind == 'state':
            # A worker came or went: fold the files of the dead ones.
            metrics.sweep()
            gen.state = message
            if message.get('last_restart_reason') and gen is self.current:
                self.last_restart_reason = message['last_restart_reason']
            if message['ready'] and not gen.ready:
                gen.ready = True
                self.generation_ready(gen)
            self.write_status()
        elif kind == 'error':
            gen.error = (message['message'], message['code'])
        elif kind == 'sockets':
            gen.sockets = master_status.adopt_sockets(message, fds)
        elif kind == 'fatal' and gen is self.current:
            LOG.error('Stopping the service: %s', message['message'])
            self.exit_code = errors.EXIT_FAILURE
            self.stop(signal.SIGTERM, 'crash loop')
        elif kind == 'fatal' and gen is self.pending:
            self.signal(gen, signal.SIGTERM)
            self.reload_failed(gen, 'rolled back', message['message'])

    def generation_ready(self, gen):
        """Generation 1 is up, or a reload succeeded."""
        if self.stopping is not None:
            return
        if gen is self.current:
            self.record_generation(gen, None)
            LOG.info('Application startup complete: %s',
                     self.workers_text(gen))
            self.notify_ready()
            if self.conf.onready and self.conf.onready != SYSTEMD_HOOK:
                onready.run(self.conf.onready)
            return
        if gen is not self.pending:
            return
        old, self.current, self.pending = self.current, gen, None
        for name, item in gen.sockets.items():
            self.bound[name]['sock'].close()
            self.bound[name] = item
        took = time.monotonic() - self.reload_started
        self.last_reload = {'at': time.time(), 'result': 'ok',
                            'seconds': round(took, 3)}
        LOG.info('Reload complete in %.2fs: generation %d serving (%s)%s',
                 took, gen.number, self.workers_text(gen),
                 '; draining generation %d' % old.number if old else '')
        if old is not None:
            self.signal(old, signal.SIGTERM)
        self.record_generation(gen, 'ok')
        self.notify_ready()

    def record_generation(self, gen, outcome):
        """Metrics: the serving generation and a reload's outcome."""
        recorder = metrics.get()
        if recorder is None:
            return
        recorder.generation.set(gen.number)
        if outcome is not None:
            recorder.reloads.labels(outcome).inc()

    def reload_failed(self, gen, verb, reason):
        """Keep the serving generation after a refused or stuck reload."""
        self.pending = None
        reason = reason.rstrip('.')
        for item in gen.sockets.values():
            item['sock'].close()
        self.last_reload = {'at': time.time(),
                            'result': '%s: %s' % (verb, reason)}
        recorder = metrics.get()
        if recorder is not None:
            recorder.reloads.labels(verb.replace(' ', '_')).inc()
        if self.current is None:
            LOG.error('reload %s: %s; no generation is left to serve, '
                      'stopping', verb, reason)
            self.exit_code = errors.EXIT_FAILURE
            self.stop(signal.SIGTERM, 'no generation left')
            return
        LOG.error('reload %s: %s; generation %d keeps serving', verb, reason,
                  self.current.number)
        self.notify_ready()

    def leader_exited(self, gen, how, code):
        """A leader is gone: a failed start, reload, or an unexpected end."""
        metrics.sweep()
        error = gen.error or ('generation %d leader %s before it was ready'
                              % (gen.number, how), code or 1)
        if self.stopping is not None:
            LOG.info('Generation %d: leader process [%d] %s', gen.number,
                     gen.pid, how)
            if gen is self.current:
                self.current = None
            if gen is self.pending:
                self.pending = None
        elif gen is self.pending:
            self.reload_failed(gen, 'refused', error[0])
        elif gen is self.current:
            self.current = None
            if not gen.ready:
                # Nothing else runs: no drain to announce, just stop.
                self.startup_error = error
                self.stopping = signal.SIGTERM
                return
            self.last_restart_reason = 'generation %d leader %s' % (
                gen.number, how)
            LOG.error('Generation %d leader [%d] %s; starting a new '
                      'generation', gen.number, gen.pid, how)
            if self.pending is None:
                self.reload_started = time.monotonic()
                self.pending = self.fork(None)
                self.pending.deadline = (self.reload_started
                                         + self.conf.process.reload_timeout)
        else:
            LOG.info('Generation %d: leader process [%d] %s', gen.number,
                     gen.pid, how)
        self.write_status()

    def check_deadlines(self, now):
        """Roll back a reload that took too long; kill what overstays."""
        gen = self.pending
        if gen is not None and gen.deadline and now >= gen.deadline:
            self.signal(gen, signal.SIGTERM)
            self.reload_failed(gen, 'rolled back', 'generation %d was not '
                               'ready within %ss (%s)' % (
                                   gen.number,
                                   self.conf.process.reload_timeout,
                                   master_status.readiness_text(gen.state)))
            self.write_status()
        for gen in self.generations.values():
            if gen.kill_at is not None and now >= gen.kill_at:
                LOG.warning('Generation %d did not finish in time; killing '
                            'its leader [%d] and workers', gen.number,
                            gen.pid)
                self.kill(gen)
