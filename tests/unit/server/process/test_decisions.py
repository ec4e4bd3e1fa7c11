"""The master's and the leader's decisions, stepped without forking.

The master and the leader are loops over decisions (reload or not, roll
back, respawn when, crash loop or not) and effects (fork, signal). Here
the effects are recorded instead of done, and the decisions are driven
message by message with an explicit clock.
"""

import signal
import socket

import pytest

from keystone_like.server import config as server_config
from keystone_like.server import errors
from keystone_like.server.process import leader as leader_module
from keystone_like.server.process import loading
from keystone_like.server.process import master as master_module
from keystone_like.server.process import worker

RELOAD_TIMEOUT = 60


@pytest.fixture
def conf(tmp_path):
    """The launcher's options, with state in tmp_path."""
    conf = server_config.new()
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('state_dir', str(tmp_path))
    conf.set_override('reload_timeout', RELOAD_TIMEOUT, group='process')
    conf.set_override('crash_loop_threshold', 3, group='process')
    conf.set_override('crash_loop_window', 10, group='process')
    conf.set_override('respawn_backoff_max', 4, group='process')
    return conf


@pytest.fixture
def prepared(conf):
    """Both listeners bound on loopback (no app needed to decide)."""
    items = []
    for name in ('admin', 'public'):
        sock = socket.create_server(('127.0.0.1', 0))
        settings = server_config.listener.listener_settings(conf, name)
        items.append(loading.Prepared(settings, None, None, sock))
    yield items
    for item in items:
        item.sock.close()


class SteppedMaster(master_module.Master):
    """A Master whose forks and signals are recorded, not done."""

    def __init__(self, conf, prepared):
        super().__init__(conf, prepared)
        self.sent = []

    def fork(self, prepared):
        self.number += 1
        gen = master_module.Generation(self.number, 1000 + self.number)
        self.generations[gen.pid] = gen
        return gen

    def send_signal(self, pid, signum):
        self.sent.append((pid, signal.Signals(signum).name))

    def state(self, gen, ready=True, degraded=False, reason=None):
        """The leader of ``gen`` reports its workers."""
        listeners = {name: {'url': 'http://x', 'workers': [
            {'pid': gen.pid * 10 + i, 'ready': ready, 'started_at': 0,
             'restarts': 0}]} for i, name in enumerate(('admin', 'public'))}
        self.on_message({'type': 'state', 'pid': gen.pid,
                         'generation': gen.number, 'listeners': listeners,
                         'ready': ready, 'degraded': degraded,
                         'last_restart_reason': reason}, [])

    def hup(self):
        """SIGHUP, as the loop dispatches it."""
        self.handle_hup()


@pytest.fixture
def master(conf, prepared):
    """A master whose generation 1 is ready."""
    stepped = SteppedMaster(conf, prepared)
    stepped.current = stepped.fork(prepared)
    stepped.state(stepped.current)
    assert stepped.state_name() == 'ready'
    return stepped


def test_a_reload_forks_then_drains_the_old_generation_once_ready(master):
    old = master.current
    master.hup()
    new = master.pending
    assert (new.number, master.state_name()) == (2, 'reloading')
    master.hup()                            # ignored while one is starting
    assert master.number == 2
    master.state(new, ready=False)
    assert master.current is old and master.sent == []
    master.state(new)
    assert master.current is new and master.pending is None
    assert master.sent == [(old.pid, 'SIGTERM')]
    assert master.last_reload['result'] == 'ok'
    assert master.state_name() == 'ready'


def test_a_reload_whose_leader_fails_is_refused(master):
    old = master.current
    master.hup()
    new = master.pending
    master.on_message({'type': 'error', 'pid': new.pid, 'code': 78,
                       'message': '[ssl] enable = maybe is not valid.'}, [])
    master.generations.pop(new.pid)
    master.leader_exited(new, 'exited with status 78', 78)
    assert master.current is old and master.pending is None
    assert master.last_reload['result'] == (
        'refused: [ssl] enable = maybe is not valid')
    assert master.sent == []


def test_a_reload_not_ready_in_time_is_rolled_back(master):
    master.hup()
    new = master.pending
    master.check_deadlines(new.deadline - 1)
    assert master.pending is new
    master.check_deadlines(new.deadline)
    assert master.pending is None
    assert master.sent == [(new.pid, 'SIGTERM')]
    assert master.last_reload['result'].startswith(
        'rolled back: generation 2 was not ready within 60s')


def test_hup_before_ready_is_ignored(conf, prepared):
    stepped = SteppedMaster(conf, prepared)
    stepped.current = stepped.fork(prepared)
    stepped.hup()
    assert stepped.pending is None and stepped.number == 1


def test_the_serving_leader_dying_starts_a_new_generation(master):
    old = master.generations.pop(master.current.pid)
    master.leader_exited(old, 'killed by SIGKILL', 137)
    assert master.current is None
    assert master.pending.number == 2
    assert master.last_restart_reason == 'generation 1 leader killed by ' \
                                         'SIGKILL'
    master.state(master.pending)
    assert master.current.number == 2 and master.state_name() == 'ready'


def test_a_crash_loop_with_policy_exit_stops_the_service(master):
    master.on_message({'type': 'fatal', 'pid': master.current.pid,
                       'message': 'crash loop'}, [])
    assert master.exit_code == errors.EXIT_FAILURE
    assert master.stopping == signal.SIGTERM
    assert master.sent == [(master.current.pid, 'SIGTERM')]
    assert master.state_name() == 'stopping'


def test_degraded_is_reported(master):
    master.state(master.current, degraded=True, reason='worker 5 died')
    assert master.state_name() == 'degraded'
    assert master.last_restart_reason == 'worker 5 died'


class SteppedLeader(leader_module.Leader):
    """A Leader whose forks, signals and messages are recorded."""

    def __init__(self, conf):
        super().__init__(conf, 1, channel=Recorder(), master_pid=1)
        self.sent = []
        self.positions = [worker.WorkerState('public', 0)]
        self.next_pid = 100

    def spawn(self, position, now=0.0):
        self.next_pid += 1
        position.started(self.next_pid, now)
        self.by_pid[self.next_pid] = position
        return self.next_pid

    def send_signal(self, pid, signum):
        self.sent.append((pid, signal.Signals(signum).name))


class Recorder:
    """A channel that keeps what is sent."""

    def __init__(self):
        self.messages = []

    def send(self, kind, **fields):
        self.messages.append(dict(fields, type=kind))
        return True

    send_surely = send


def exit_status(code):
    """A wait status for "exited with status ``code``"."""
    return code << 8


def test_respawn_backoff_doubles_within_the_window_then_resets(conf):
    leader = SteppedLeader(conf)
    position = leader.positions[0]
    now = 0.0
    delays = []
    for _ in range(4):
        pid = leader.spawn(position, now)
        now += 1                                # dies 1 s after its start
        leader.worker_exited(pid, exit_status(3), now)
        delays.append(position.respawn_at - now)
        now = position.respawn_at
    # The first quick death respawns at once; then 1, 2, 4 (capped at 4).
    assert delays == [0, 1, 2, 4]
    # A worker that lives past the window forgets its streak.
    pid = leader.spawn(position, now)
    leader.settle(now + 11, 10, 3)
    assert position.quick_deaths == 0
    leader.worker_exited(pid, exit_status(3), now + 12)
    assert position.respawn_at == now + 12      # at once again
    assert position.restarts == 5


@pytest.mark.parametrize('policy', ['retry', 'exit'])
def test_a_crash_loop_is_degraded_and_fatal_only_with_exit(conf, policy):
    conf.set_override('crash_loop_policy', policy, group='process')
    leader = SteppedLeader(conf)
    position = leader.positions[0]
    for death in range(5):
        pid = leader.spawn(position, death * 2.0)
        leader.worker_exited(pid, exit_status(3), death * 2.0 + 1)
    assert leader.degraded
    fatal = [m for m in leader.channel.messages if m['type'] == 'fatal']
    assert len(fatal) == (1 if policy == 'exit' else 0)
    if fatal:
        assert 'exited with status 3' in fatal[0]['message']


def test_a_hung_worker_gets_sigusr1_then_sigkill(conf):
    leader = SteppedLeader(conf)
    pid = leader.spawn(leader.positions[0], 0.0)
    leader.check_hung(20.0, 30)
    assert leader.sent == []
    leader.check_hung(31.0, 30)
    assert leader.sent == [(pid, 'SIGUSR1')]
    leader.check_hung(31.0 + leader_module.HUNG_KILL_DELAY, 30)
    assert leader.sent == [(pid, 'SIGUSR1'), (pid, 'SIGKILL')]
    leader.check_hung(100.0, 30)                # once
    assert len(leader.sent) == 2
