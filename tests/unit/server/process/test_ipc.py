"""keystone_like.server.process.ipc: real socket pairs, signals, forks."""

import os
import signal
import threading
import time

import pytest

from keystone_like.server.process import ipc
from keystone_like.server.process import signals

pytestmark = pytest.mark.filterwarnings('ignore:Using fork')


@pytest.fixture
def pair():
    """A (reader, writer) channel pair, closed afterwards."""
    reader, writer = ipc.Channel.pair()
    yield reader, writer
    for end in (reader, writer):
        end.close()


def test_each_send_is_one_message(pair):
    reader, writer = pair
    assert writer.send('beat', pid=1)
    assert writer.send('error', pid=2, text='x' * 1000)
    assert reader.receive() == [({'type': 'beat', 'pid': 1}, []),
                                ({'type': 'error', 'pid': 2,
                                  'text': 'x' * 1000}, [])]
    assert reader.receive() == []
    assert not reader.closed


def test_messages_from_forked_writers_do_not_interleave(pair):
    reader, writer = pair
    pids = []
    for n in range(3):
        pid = os.fork()
        if pid == 0:
            for i in range(50):
                while not writer.send('beat', pid=n, i=i, pad='y' * 3000):
                    time.sleep(0.001)       # full: the reader catches up
            os._exit(0)
        pids.append(pid)
    messages = []
    deadline = time.monotonic() + 10
    while len(messages) < 150 and time.monotonic() < deadline:
        ipc.wait([reader], 0.1)
        messages.extend(m for m, _fds in reader.receive())
    for pid in pids:
        os.waitpid(pid, 0)
    assert len(messages) == 150
    for n in range(3):
        assert [m['i'] for m in messages if m['pid'] == n] == list(range(50))


def test_descriptors_travel_with_a_message(pair):
    reader, writer = pair
    read_end, write_end = os.pipe()
    assert writer.send('sockets', fds=[write_end], names=['admin'])
    os.close(write_end)
    [(message, fds)] = reader.receive()
    assert message == {'type': 'sockets', 'names': ['admin']}
    os.write(fds[0], b'through the passed fd')
    os.close(fds[0])
    assert os.read(read_end, 100) == b'through the passed fd'
    os.close(read_end)


def test_a_full_channel_drops_instead_of_blocking(pair):
    reader, writer = pair
    started = time.monotonic()
    sent = 0
    while writer.send('beat', pad='z' * 4000):
        sent += 1
        assert sent < 100000
    assert time.monotonic() - started < 5
    assert len(reader.receive()) == sent


def test_a_message_over_the_limit_is_refused(pair):
    _reader, writer = pair
    with pytest.raises(ValueError):
        writer.send('error', text='x' * ipc.MAX_MESSAGE)


def test_closed_when_every_writer_has_gone(pair):
    reader, writer = pair
    writer.send('ready', pid=3)
    writer.close()
    assert reader.receive() == [({'type': 'ready', 'pid': 3}, [])]
    assert reader.closed
    assert not writer.send('beat')


def test_signal_recorder_records_and_wakes_the_select():
    queue = signals.SignalRecorder((signal.SIGUSR2,), wakeup=True)
    queue.install()
    try:
        assert ipc.wait([queue], 0) == []
        os.kill(os.getpid(), signal.SIGUSR2)
        assert ipc.wait([queue], 5) == [queue]
        assert queue.take() == [signal.SIGUSR2]
        assert queue.take() == []
    finally:
        queue.restore()
        queue.close()
    assert signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL


def test_describe_status():
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    status = os.waitpid(pid, 0)[1]
    assert ipc.describe_status(status) == 'exited with status 3'
    assert ipc.exit_code(status) == 3
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    os.kill(pid, signal.SIGKILL)
    status = os.waitpid(pid, 0)[1]
    assert ipc.describe_status(status) == 'killed by SIGKILL'
    assert ipc.exit_code(status) == 128 + signal.SIGKILL


def test_a_child_dies_with_its_parent():
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:
        grandchild = os.fork()
        if grandchild == 0:
            ok = ipc.die_with_parent(os.getppid())
            os.write(write_end, b'%d %d\n' % (os.getpid(), ok))
            time.sleep(30)
            os._exit(0)
        time.sleep(0.5)
        os._exit(0)         # the grandchild should now get SIGTERM
    os.close(write_end)
    grandchild, ok = os.read(read_end, 100).split()
    os.close(read_end)
    os.waitpid(middle, 0)
    assert ok == b'1'
    deadline = time.monotonic() + 5
    while _running(int(grandchild)):
        assert time.monotonic() < deadline, 'the grandchild outlived it'
        time.sleep(0.02)


def test_die_with_parent_says_when_the_parent_is_already_gone():
    pid = os.fork()
    if pid == 0:
        os._exit(0 if not ipc.die_with_parent(os.getppid() + 1) else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _running(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rpartition(')')[2].split()[0] != 'Z'
    except OSError:
        return False


def test_send_surely_waits_for_room_but_not_for_a_dead_reader(pair):
    reader, writer = pair
    while writer.send('beat', pad='z' * 4000):
        pass
    drained = threading.Timer(0.2, reader.receive)
    drained.start()
    assert writer.send_surely('ready', pid=4, timeout=5)
    drained.join()
    assert reader.receive()[-1] == ({'type': 'ready', 'pid': 4}, [])
    reader.close()
    started = time.monotonic()
    assert not writer.send_surely('ready', timeout=5)
    assert time.monotonic() - started < 1
