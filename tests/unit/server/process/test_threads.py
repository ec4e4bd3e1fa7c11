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


def test_a_flooding_key_does_not_delay_another_beyond_the_running_job():
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
    # The running attacker job, then the victim: a key arriving with one
    # job joins the current round, ahead of the flood's backlog.
    assert done.index('victim') == 1


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


def test_backlogged_keys_alternate():
    executor = threads.FairExecutor(limit=1)
    gate, done = threading.Event(), []
    spawned = [eventlet.spawn(submit, executor, key, None, gate, done,
                              '%s%d' % (key, n))
               for key in ('a', 'b') for n in range(3)]
    eventlet.sleep(0)
    gate.set()
    for thread in spawned:
        thread.wait()
    assert done == ['a0', 'b0', 'a1', 'b1', 'a2', 'b2']


def test_a_job_raises_in_its_caller():
    executor = threads.FairExecutor(limit=1)

    def fail():
        raise ValueError('boom')

    with pytest.raises(ValueError, match='boom'):
        executor(fail)
    assert executor.charged == {} and executor.running == 0


def test_an_installed_executor_refuses_on_entering_the_keys():
    """offload_keys admits on entry: the body of a refused block never runs,
    and jobs offloaded within an admitted block are not charged again."""
    executor = threads.FairExecutor(limit=1)
    previous = hooks.set_executor(executor)
    try:
        gate, done, entered = threading.Event(), [], []

        def login(name):
            with hooks.offload_keys(('user', 1)):
                entered.append(name)
                return hooks.offload(job, gate, done, name)

        first = eventlet.spawn(login, 'first')
        eventlet.sleep(0)
        assert executor.charged == {'user': 1}
        with pytest.raises(hooks.OffloadRefused):
            login('second')
        assert entered == ['first']
        gate.set()
        assert first.wait() == 'first'
        assert executor.charged == {}
    finally:
        hooks.set_executor(previous)


def test_a_cancelled_waiting_job_is_skipped():
    executor = threads.FairExecutor(limit=1)
    gate, done = threading.Event(), []
    running = eventlet.spawn(submit, executor, 'a', None, gate, done, 'a0')
    eventlet.sleep(0)
    cancelled = eventlet.spawn(submit, executor, 'b', None, gate, done, 'b0')
    eventlet.sleep(0)
    cancelled.kill()
    later = eventlet.spawn(submit, executor, 'c', None, gate, done, 'c0')
    eventlet.sleep(0)
    gate.set()
    assert running.wait() == 'a0' and later.wait() == 'c0'
    assert done == ['a0', 'c0']


def hold_jobs(executor, count, gate, started):
    def hold(name):
        started.append(name)
        gate.wait(10)
        return name
    return [eventlet.spawn(executor, hold, n) for n in range(count)]


def poll(condition):
    for _ in range(300):
        if condition():
            return True
        eventlet.sleep(0.01)
    return False


def test_a_worker_borrows_idle_cores_beyond_its_share():
    board = threads.MachineSlots(workers=2, cores=2)
    executor = threads.FairExecutor(1, machine=board, row=0)
    gate, started = threading.Event(), []
    jobs = hold_jobs(executor, 3, gate, started)
    # The other worker is idle: two run (every core), not three.
    assert poll(lambda: len(started) == 2)
    eventlet.sleep(0.1)
    assert len(started) == 2 and executor.running == 2
    gate.set()
    assert sorted(job.wait() for job in jobs) == [0, 1, 2]


def test_a_worker_does_not_borrow_while_another_has_work_waiting():
    board = threads.MachineSlots(workers=2, cores=2)
    board.post(1, 1, 3)                 # the other worker: a backlog
    executor = threads.FairExecutor(1, machine=board, row=0)
    gate, started = threading.Event(), []
    jobs = hold_jobs(executor, 2, gate, started)
    assert poll(lambda: len(started) == 1)
    eventlet.sleep(0.1)
    assert len(started) == 1            # its own share only
    board.post(1, 0, 0)                 # idle now: borrow
    assert poll(lambda: len(started) == 2)
    gate.set()
    for job in jobs:
        job.wait()
