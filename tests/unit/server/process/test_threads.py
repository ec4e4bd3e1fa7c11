"""The hashing executor: bounded, fair per key, capped per key.

Real native threads (eventlet's tpool) and green threads; each job waits
on a gate the test opens, so nothing depends on timing.
"""

import threading

import eventlet
import pytest

from keystone_like.server import hooks
from keystone_like.server.process import threads

pytestmark = pytest.mark.timeout(30)


def job(gate, done, name):
    """A blocking job: waits (natively) for the gate, records its name."""
    gate.wait(10)
    done.append(name)
    return name


def submit(executor, key, cap, gate, done, name):
    with hooks.offload_keys((key, cap)):
        return executor(job, gate, done, name)


def test_a_flooding_key_delays_another_by_one_job_at_most():
    executor = threads.FairExecutor(limit=1)
    gate, done = threading.Event(), []
    flood = [eventlet.spawn(submit, executor, 'attacker', None, gate, done,
                            'a%d' % n) for n in range(8)]
    eventlet.sleep(0)               # all eight queued (one running)
    victim = eventlet.spawn(submit, executor, 'victim', None, gate, done,
                            'victim')
    eventlet.sleep(0)
    gate.set()
    assert victim.wait() == 'victim'
    for thread in flood:
        thread.wait()
    # The running attacker job, then the victim: keys take turns.
    assert done.index('victim') <= 2


def test_a_key_over_its_cap_is_refused_at_once():
    executor = threads.FairExecutor(limit=1)
    gate, done = threading.Event(), []
    held = [eventlet.spawn(submit, executor, 'user', 2, gate, done, n)
            for n in range(2)]
    eventlet.sleep(0)
    with pytest.raises(hooks.OffloadRefused) as refused:
        submit(executor, 'user', 2, gate, done, 'third')
    assert refused.value.retry_after >= 1
    gate.set()
    for thread in held:
        thread.wait()
    # Once the backlog drained the key may queue again.
    assert submit(executor, 'user', 2, gate, done, 'later') == 'later'
    assert executor.charged == {} and executor.running == 0


def test_at_most_limit_jobs_run_at_once():
    executor = threads.FairExecutor(limit=2)
    gate = threading.Event()
    running = []

    def count(name):
        running.append(name)
        gate.wait(10)
        return len(running)

    spawned = [eventlet.spawn(executor, count, n) for n in range(4)]
    eventlet.sleep(0)
    for _ in range(100):             # poll until two entered
        if len(running) == 2:
            break
        eventlet.sleep(0.01)
    assert len(running) == 2 and executor.running == 2
    gate.set()
    assert sorted(thread.wait() for thread in spawned)[-1] == 4


def test_worker_limit_shares_the_cores(monkeypatch):
    monkeypatch.setattr(threads.os, 'cpu_count', lambda: 8)
    assert threads.worker_limit(4) == 2
    assert threads.worker_limit(16) == 1
    assert threads.single_process_limit() == 7
