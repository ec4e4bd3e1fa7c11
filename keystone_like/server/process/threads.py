"""Native threads for CPU-bound work, bounded per machine and fair per key.

bcrypt releases the GIL, so eventlet's 20-thread pool would run 20 hashes
at once: on a 2-core machine the hub then waits for CPU and version
discovery's p99 went from 4 ms to 80 ms under a login flood. So hashes run
on a fixed number of native threads of their own ("slots"):

* single process: ``cores - 1`` slots, the hub keeps a core;
* worker mode: each worker of a listener has ``cores // workers`` slots
  of its own (at least 1), so the workers of a listener together use
  every core but not more (:func:`worker_limit`); and a worker with a
  backlog borrows more, up to every core, while every other worker is
  idle (:class:`MachineSlots`: a shared board where each worker posts
  how many jobs it runs and has waiting). Load spread unevenly over the
  workers (two clients whose connections one worker accepted) thus still
  uses every core, and a busy worker never delays another's own share:
  borrowing stops as soon as another worker has a job waiting (a borrowed
  slot finishes its job: one hash).

Waiting jobs are not served first come, first served: each job is charged
to keys (the application names them with ``hooks.offload_keys``, e.g. the
user name and the client address) and queued on its first key by
start-time fair queuing: a job's tag is the round its key reaches with it
(``max(current round, the key's previous tag + 1)``), the slots take the
lowest tag first. A key with a backlog thus gets one job per round, and a
key arriving with one job joins the current round, ahead of every backlog:
a flood on one user name delays another name's login by what is already
running, not by the flood's queue. A key may have at most its cap of jobs
admitted (queued, running, or about to be offloaded: ``offload_keys``
admits when it is entered, so a refusal costs the application nothing);
one more raises ``hooks.OffloadRefused`` at once (the application answers
429).

The slot threads pick their next job themselves, under a native lock: a
slot never waits for the hub to hand it work. An earlier version handed
slots over on the hub (a finished job woke its green thread, which woke the
next one, which then queued it for a thread); with the hub saturated by a
flood of requests each hand-over waited behind every request being served,
and the slots stood idle five sixths of the time. Only the results travel
through the hub, one socket-pair wake-up per batch, as in eventlet's tpool.
"""

import collections
import ctypes
import heapq
import itertools
import mmap
import os
import time
import traceback

import eventlet
import eventlet.event
import eventlet.greenio
import eventlet.patcher

from keystone_like.server import hooks
from keystone_like.server import metrics

_threading = eventlet.patcher.original('threading')
_socket = eventlet.patcher.original('socket')

# Seconds between looks at the board while over our share with a backlog.
BORROW_POLL = 0.01

# Jobs charged to no key share this one.
ANONYMOUS = ('', None)


def single_process_limit():
    """Slots of a single-process server: every core but the hub's."""
    return max(1, (os.cpu_count() or 1) - 1)


def worker_limit(listener_workers):
    """Slots of one worker among ``listener_workers`` of its listener.

    The hub of each worker runs between hashes, so a worker takes its
    share of the cores, not one less: ``workers x share`` hashes at most
    run at once, every core when the count divides them.
    """
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, listener_workers))


class MachineSlots:
    """A board shared by the workers forked after it: per worker, the jobs
    it runs and the jobs it has waiting (each worker writes only its own
    row; a stale row of a dead worker only stops others borrowing until
    its replacement, which takes the same row, starts).

    Make it in the parent, before forking the workers.
    """

    def __init__(self, workers, cores=None):
        self.workers = workers
        self.cores = cores or (os.cpu_count() or 1)
        self._memory = mmap.mmap(-1, 16 * max(1, workers))    # MAP_SHARED
        self._board = (ctypes.c_int64 * (2 * max(1, workers))).from_buffer(
            self._memory)

    def post(self, row, running, waiting):
        """Worker ``row`` runs ``running`` jobs and has ``waiting`` more."""
        self._board[2 * row] = running
        self._board[2 * row + 1] = waiting

    def may_borrow(self, row):
        """Whether worker ``row`` may run one more job than its share:
        no other worker has a job waiting and fewer than ``cores`` run."""
        board = self._board
        running = 0
        for other in range(self.workers):
            if other != row and board[2 * other + 1] > 0:
                return False
            running += board[2 * other]
        return running < self.cores


def machine_executor(listener_workers, slots=None, row=None):
    """The executor of a worker: its share of the cores, borrowing idle
    cores through ``slots`` (worker ``row`` on the board) when given."""
    return FairExecutor(worker_limit(listener_workers), machine=slots,
                        row=row)


class _Job:
    __slots__ = ('function', 'args', 'kwargs', 'done', 'outcome',
                 'cancelled', 'queued', 'started')

    def __init__(self, function, args, kwargs):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.done = eventlet.event.Event()
        self.outcome = None
        self.cancelled = False
        self.queued = time.monotonic()
        self.started = None     # set by the slot thread


class FairExecutor:
    """An offload executor: ``limit`` jobs at once, keys served in turn."""

    def __init__(self, limit=None, machine=None, row=None):
        self.limit = single_process_limit() if limit is None else limit
        self.machine, self.row = machine, row
        self.running = 0
        self.charged = collections.Counter()       # key -> admitted jobs
        # Shared with the slot threads (under the lock): the queue, a heap
        # of (tag, arrival, job); each key's next tag; the current round.
        self.waiting = []
        self._tags = {}
        self._round = 0
        self._arrivals = itertools.count()
        self._lock = _threading.Condition(_threading.Lock())
        self._finished = collections.deque()       # filled by the threads
        self._pid = None
        self._wake = None

    # -- admission (hub side) ------------------------------------------

    def admit(self, limits):
        """Charge one job to each ``(key, cap)``; OffloadRefused if over."""
        for key, cap in limits:
            if cap is not None and self.charged[key] >= cap:
                raise hooks.OffloadRefused(key, self._retry_after(key))
        for key, _cap in limits:
            self.charged[key] += 1

    def discharge(self, limits):
        """Undo :meth:`admit`."""
        for key, _cap in limits:
            self.charged[key] -= 1
            if self.charged[key] <= 0:
                del self.charged[key]

    def _retry_after(self, key):
        """Seconds hint: the key's backlog in rounds of the slots."""
        return max(1, -(-self.charged[key] // self.limit))

    # -- running -------------------------------------------------------

    def __call__(self, function, *args, **kwargs):
        admitted = hooks.current_offload_admission()
        if admitted is not None:
            # offload_keys charged the keys already (admit); queue on them.
            return self._run(admitted[0][0], function, args, kwargs)
        limits = hooks.current_offload_keys() or (ANONYMOUS,)
        self.admit(limits)
        try:
            return self._run(limits[0][0], function, args, kwargs)
        finally:
            self.discharge(limits)

    def _run(self, key, function, args, kwargs):
        self._start()
        job = _Job(function, args, kwargs)
        recorder = metrics.get()
        if recorder is not None:
            recorder.offload_queue.inc()
        with self._lock:
            tag = max(self._round, self._tags.get(key, 0))
            self._tags[key] = tag + 1
            heapq.heappush(self.waiting, (tag, next(self._arrivals), job))
            self._post()
            self._lock.notify()
        try:
            failed, value = job.done.wait()
        except BaseException:
            job.cancelled = True        # a slot will skip it if not begun
            raise
        finally:
            if recorder is not None:
                recorder.offload_queue.dec()
                if job.started is not None:
                    recorder.offload_wait.observe(job.started - job.queued)
        if failed:
            raise value
        return value

    def _start(self):
        """Start the slot threads (again in a forked child)."""
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        with self._lock:
            self.waiting.clear()
            self._tags.clear()
            self.running = 0
        self._finished.clear()
        ours, theirs = _socket.socketpair()
        theirs.setblocking(True)
        self._wake = theirs
        reader = eventlet.greenio.GreenSocket(ours)
        eventlet.spawn_n(self._deliver, reader, theirs)
        if self.machine is not None:
            self._post()
        threads = self.limit if self.machine is None else max(
            self.limit, self.machine.cores)
        for number in range(threads):
            thread = _threading.Thread(target=self._slot,
                                       args=(theirs, number),
                                       name='hash-slot-%d' % number,
                                       daemon=True)
            thread.start()

    def _next(self):
        """The job with the lowest tag (call with the lock held)."""
        while self.waiting:
            tag, _arrival, job = heapq.heappop(self.waiting)
            if job.cancelled:
                continue
            self._round = tag
            if len(self._tags) > 2 * len(self.waiting) + 64:
                # Keys whose next tag is behind the round no longer count.
                self._tags = {key: next_tag for key, next_tag
                              in self._tags.items() if next_tag > tag}
            return job
        return None

    def _post(self):
        """Post our running and waiting jobs (lock held)."""
        if self.machine is not None:
            self.machine.post(self.row, self.running, len(self.waiting))

    def _may_start(self):
        """Whether a slot thread may start a job now (lock held)."""
        if self.running < self.limit:
            return True
        return (self.machine is not None
                and self.machine.may_borrow(self.row))

    def _slot(self, wake, number):
        """A slot thread: run jobs in turn, forever."""
        while True:
            with self._lock:
                while True:
                    if self.waiting and self._may_start():
                        job = self._next()  # None: all were cancelled
                        if job is not None:
                            self.running += 1
                            self._post()
                            break
                    elif self.waiting and self.running >= self.limit:
                        # Over our share: look at the board again soon.
                        self._lock.wait(BORROW_POLL)
                    else:
                        self._lock.wait()
            job.started = time.monotonic()
            try:
                job.outcome = (False, job.function(*job.args, **job.kwargs))
            except BaseException as exc:    # delivered to the caller
                traceback.clear_frames(exc.__traceback__)
                job.outcome = (True, exc)
            with self._lock:
                self.running -= 1
                self._post()
                if self.waiting:
                    self._lock.notify()
            self._finished.append(job)
            job = None
            try:
                wake.send(b'.')
            except OSError:                 # pragma: no cover - shutdown
                return

    def _deliver(self, reader, wake):
        """Green thread: hand finished jobs' outcomes to their callers."""
        while True:
            try:
                if not reader.recv(4096):
                    return
            except OSError:                 # pragma: no cover - shutdown
                return
            while self._finished:
                job = self._finished.popleft()
                if not job.done.ready():
                    job.done.send(job.outcome)


def bounded_executor(limit=None):
    """Return an offload executor running at most ``limit`` jobs at once."""
    return FairExecutor(limit)
