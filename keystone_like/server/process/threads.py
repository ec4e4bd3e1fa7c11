"""Native threads for CPU-bound work, bounded so the hub keeps a core.

bcrypt releases the GIL, so eventlet's 20-thread pool would run 20 hashes
at once: on a 2-core machine the hub then waits for CPU and version
discovery's p99 went from 4 ms to 80 ms under a login flood. At most
``cores - 1`` hashes run at once; more logins queue (green) for a slot.
"""

import os
import time

import eventlet.semaphore
import eventlet.tpool

from keystone_like.server import metrics


def bounded_executor(limit=None):
    """Return an offload executor running at most ``limit`` jobs at once."""
    if limit is None:
        limit = max(1, (os.cpu_count() or 1) - 1)
    permits = eventlet.semaphore.Semaphore(limit)

    def execute(function, *args, **kwargs):
        recorder = metrics.get()
        if recorder is None:
            with permits:
                return eventlet.tpool.execute(function, *args, **kwargs)
        queued = time.monotonic()
        recorder.offload_queue.inc()
        try:
            permits.acquire()
        finally:
            recorder.offload_queue.dec()
        try:
            recorder.offload_wait.observe(time.monotonic() - queued)
            return eventlet.tpool.execute(function, *args, **kwargs)
        finally:
            permits.release()
    return execute
