"""Native threads for CPU-bound work, bounded per machine and fair per key.

bcrypt releases the GIL, so eventlet's 20-thread pool would run 20 hashes
at once: on a 2-core machine the hub then waits for CPU and version
discovery's p99 went from 4 ms to 80 ms under a login flood. So hashes run
in a bounded number of slots:

* single process: ``cores - 1`` slots, the hub keeps a core;
* worker mode: ``cores // workers`` slots per worker of a listener (at
  least 1), so the workers of one listener together use every core but
  not more (see :func:`worker_limit`).

Waiting jobs are not served first come, first served: each job is charged
to keys (the application names them with ``hooks.offload_keys``, e.g. the
user name and the client address) and the slots are handed out in turn
to the first key of each waiting job (round robin), so one key flooding
the queue delays another key's job by at most one job per other busy key.
A key may have at most its cap of jobs queued or running; one more raises
``hooks.OffloadRefused`` at once (the application answers 429).
"""

import collections
import os
import time

import eventlet.event
import eventlet.tpool

from keystone_like.server import hooks
from keystone_like.server import metrics

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


class FairExecutor:
    """An offload executor: ``limit`` jobs at once, keys served in turn."""

    def __init__(self, limit=None):
        self.limit = single_process_limit() if limit is None else limit
        self.running = 0
        self.waiting = collections.OrderedDict()   # key -> deque of events
        self.charged = collections.Counter()       # key -> queued + running

    def __call__(self, function, *args, **kwargs):
        limits = hooks.current_offload_keys() or (ANONYMOUS,)
        self._charge(limits)
        recorder = metrics.get()
        try:
            self._wait_for_slot(limits[0][0], recorder)
            try:
                return eventlet.tpool.execute(function, *args, **kwargs)
            finally:
                self._release()
        finally:
            for key, _cap in limits:
                self.charged[key] -= 1
                if not self.charged[key]:
                    del self.charged[key]

    def _wait_for_slot(self, key, recorder):
        if recorder is None:
            self._acquire(key)
            return
        queued = time.monotonic()
        recorder.offload_queue.inc()
        try:
            self._acquire(key)
        finally:
            recorder.offload_queue.dec()
        recorder.offload_wait.observe(time.monotonic() - queued)

    def _charge(self, limits):
        for key, cap in limits:
            if cap is not None and self.charged[key] >= cap:
                raise hooks.OffloadRefused(key, self._retry_after(key))
        for key, _cap in limits:
            self.charged[key] += 1

    def _retry_after(self, key):
        """Seconds hint: the key's backlog in rounds of the slots."""
        return max(1, -(-self.charged[key] // self.limit))

    def _acquire(self, key):
        if self.running < self.limit and not self.waiting:
            self.running += 1
            return
        turn = eventlet.event.Event()
        self.waiting.setdefault(key, collections.deque()).append(turn)
        try:
            turn.wait()
        except BaseException:
            if turn.ready():        # handed a slot just as we gave up
                self._release()
            else:
                self._forget(key, turn)
            raise

    def _forget(self, key, turn):
        queue = self.waiting.get(key)
        if queue is not None and turn in queue:
            queue.remove(turn)
            if not queue:
                del self.waiting[key]

    def _release(self):
        """Hand our slot to the next key in turn, or free it."""
        if not self.waiting:
            self.running -= 1
            return
        key, queue = next(iter(self.waiting.items()))
        turn = queue.popleft()
        if queue:
            self.waiting.move_to_end(key)   # its next job waits its turn
        else:
            del self.waiting[key]
        turn.send(True)


def bounded_executor(limit=None):
    """Return an offload executor running at most ``limit`` jobs at once."""
    return FairExecutor(limit)
