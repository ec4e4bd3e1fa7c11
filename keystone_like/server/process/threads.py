"""Native threads for CPU-bound work, bounded per machine and fair per key.

bcrypt releases the GIL, so eventlet's 20-thread pool would run 20 hashes
at once: on a 2-core machine the hub then waits for CPU and version
discovery's p99 went from 4 ms to 80 ms under a login flood. So hashes run
on a fixed number of native threads of their own ("slots"):

* single process: ``cores - 1`` slots, the hub keeps a core;
* worker mode: ``cores`` slots for the whole machine (:class:`MachineSlots`:
  one lock per slot, taken by a worker's slot thread for each job), shared
  by every worker of both listeners; each worker has that many slot
  threads, so one busy worker may use every core while the others idle,
  and all of them together never run more hashes than there are cores.
  A worker that dies holding a slot releases it (the kernel drops its
  locks). Where the locks are unavailable (no ``memfd_create``), each
  worker gets ``cores // workers`` slots of its own (:func:`worker_limit`).

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
import fcntl
import heapq
import itertools
import logging
import os
import traceback

import eventlet
import eventlet.event
import eventlet.greenio
import eventlet.patcher

from keystone_like.server import hooks

_threading = eventlet.patcher.original('threading')
_socket = eventlet.patcher.original('socket')

LOG = logging.getLogger(__name__)

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
    """``count`` hashing slots shared by the processes forked after it.

    Slot ``i`` is an anonymous file (memfd); a thread holds the slot while
    it holds an exclusive ``flock`` on its own open of that file (a fresh
    open of ``/proc/self/fd/N``, so threads and processes exclude each
    other), and the kernel releases it when the holder exits, however it
    dies. Make it in the parent, before forking the workers.
    """

    def __init__(self, count=None):
        self.count = count or (os.cpu_count() or 1)
        self.fds = [os.memfd_create('keystone_like-hash-slot-%d' % n,
                                    os.MFD_CLOEXEC)
                    for n in range(self.count)]

    @classmethod
    def create(cls, count=None):
        """MachineSlots, or None where this platform cannot make them."""
        try:
            return cls(count)
        except (AttributeError, OSError) as exc:
            LOG.warning('Machine-wide hashing slots are unavailable (%s); '
                        'each worker gets its share of the cores', exc)
            return None

    def open(self, index):
        """A new open file description of slot ``index`` (to flock)."""
        return os.open('/proc/self/fd/%d' % self.fds[index],
                       os.O_RDWR | os.O_CLOEXEC)

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []


def machine_executor(slots, listener_workers):
    """The executor of a worker: machine-wide ``slots`` when there are
    some, else its share of the cores."""
    if slots is None:
        return FairExecutor(worker_limit(listener_workers))
    return FairExecutor(slots.count, machine=slots)


class _Job:
    __slots__ = ('function', 'args', 'kwargs', 'done', 'outcome',
                 'cancelled')

    def __init__(self, function, args, kwargs):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.done = eventlet.event.Event()
        self.outcome = None
        self.cancelled = False


class FairExecutor:
    """An offload executor: ``limit`` jobs at once, keys served in turn."""

    def __init__(self, limit=None, machine=None):
        self.limit = single_process_limit() if limit is None else limit
        self.machine = machine
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
        with self._lock:
            tag = max(self._round, self._tags.get(key, 0))
            self._tags[key] = tag + 1
            heapq.heappush(self.waiting, (tag, next(self._arrivals), job))
            if self.machine is None:
                self._lock.notify()
            else:
                # Each idle thread tries its machine slot; the first to
                # get one runs the job.
                self._lock.notify_all()
        try:
            failed, value = job.done.wait()
        except BaseException:
            job.cancelled = True        # a slot will skip it if not begun
            raise
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
        for number in range(self.limit):
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

    def _slot(self, wake, number):
        """A slot thread: run jobs in turn, forever."""
        lock = None
        if self.machine is not None:
            lock = self.machine.open(number % self.machine.count)
        while True:
            with self._lock:
                while True:
                    while not self.waiting:
                        self._lock.wait()
                    if lock is not None:
                        break
                    job = self._next()      # None: all were cancelled
                    if job is not None:
                        self.running += 1
                        break
            if lock is not None:
                # The machine-wide slot first (other workers may hold it),
                # then whatever is next here by then, if anything.
                fcntl.flock(lock, fcntl.LOCK_EX)
                with self._lock:
                    job = self._next()
                    if job is not None:
                        self.running += 1
                if job is None:
                    fcntl.flock(lock, fcntl.LOCK_UN)
                    continue
            try:
                job.outcome = (False, job.function(*job.args, **job.kwargs))
            except BaseException as exc:    # delivered to the caller
                traceback.clear_frames(exc.__traceback__)
                job.outcome = (True, exc)
            if lock is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)
            with self._lock:
                self.running -= 1
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
