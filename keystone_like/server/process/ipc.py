"""Plumbing between the master, the generation leaders and the workers.

Messages are small JSON objects over ``AF_UNIX``/``SOCK_SEQPACKET`` socket
pairs rather than pipes: every ``send`` is one record, so several writers
can share one end (all the workers of a generation, all the leaders), a
writer that dies mid-way cannot leave half a message, and a leader can
attach the listening sockets it bound itself (``SCM_RIGHTS``). Readers
poll non-blocking from a select loop. Writers never block either: a
message that does not fit in the socket buffer is dropped (only
heartbeats are ever numerous), so a stuck reader cannot stall a worker's
event loop.

Also here, because the master and the leaders share them: the select
wait and the parent-death signal every child asks for (the signal
recorder is in :mod:`.signals`).
"""

import ctypes
import json
import logging
import os
import signal
import time

from eventlet import patcher

# Native modules: these loops are plain select loops, not green threads.
_socket = patcher.original('socket')
_select = patcher.original('select')

LOG = logging.getLogger(__name__)
MAX_MESSAGE = 65536
MAX_FDS = 8
PR_SET_PDEATHSIG = 1


class Channel:
    """One end of a ``SOCK_SEQPACKET`` pair carrying JSON messages."""

    def __init__(self, sock):
        self.sock = sock
        self.closed = False

    @classmethod
    def pair(cls):
        """Return a connected (reader, writer) pair, both non-blocking."""
        one, two = _socket.socketpair(_socket.AF_UNIX,
                                      _socket.SOCK_SEQPACKET)
        for sock in (one, two):
            sock.setblocking(False)
        return cls(one), cls(two)

    def fileno(self):
        """The descriptor, for select()."""
        return self.sock.fileno()

    def send(self, kind, fds=(), **fields):
        """Send one message (and ``fds``); False if it could not go now."""
        try:
            self._send(kind, fds, fields)
        except OSError:             # full (dropped), or the reader is gone
            return False
        return True

    def send_surely(self, kind, fds=(), timeout=5.0, **fields):
        """Like send(), but wait up to ``timeout`` while the buffer is full."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._send(kind, fds, fields)
                return True
            except (BlockingIOError, InterruptedError):
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.01)    # green in a worker: the hub goes on
            except OSError:
                return False

    def _send(self, kind, fds, fields):
        fields['type'] = kind
        data = json.dumps(fields).encode('utf-8')
        if len(data) > MAX_MESSAGE:
            raise ValueError('message of %d bytes is too large' % len(data))
        if fds:
            _socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.send(data)

    def receive(self):
        """Return the waiting messages as (dict, fds) pairs, without blocking.

        Sets ``closed`` when every writer has gone.
        """
        messages = []
        while not self.closed:
            try:
                data, fds, _flags, _addr = _socket.recv_fds(
                    self.sock, MAX_MESSAGE, MAX_FDS)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.closed = True
                break
            if not data:
                self.closed = True
                break
            try:
                message = json.loads(data)
            except ValueError:
                LOG.warning('Dropped a malformed internal message (%d bytes)',
                            len(data))
                for fd in fds:
                    os.close(fd)
                continue
            messages.append((message, fds))
        return messages

    def close(self):
        """Close this end."""
        self.sock.close()
        self.closed = True


def wait(readers, timeout):
    """select() on ``readers`` for up to ``timeout`` seconds; readable ones."""
    try:
        return _select.select(readers, [], [], max(timeout, 0))[0]
    except InterruptedError:
        return []


def die_with_parent(parent_pid, signum=signal.SIGTERM):
    """Have the kernel send ``signum`` when the parent dies.

    Returns False when the parent is already gone (the signal would never
    come). Call it again after changing credentials: setuid() clears it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        LOG.warning('prctl(PR_SET_PDEATHSIG) failed: %s',
                    os.strerror(ctypes.get_errno()))
    return os.getppid() == parent_pid


def describe_status(status):
    """Return 'exited with status N' or 'killed by SIGX' for a wait status."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = 'signal %d' % signum
        return 'killed by %s' % name
    return 'exited with status %d' % os.waitstatus_to_exitcode(status)


def exit_code(status):
    """Return the exit code of a wait status (128+N for a signal)."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def collect_exits():
    """Return [(pid, wait status)] of the children that exited."""
    dead = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return dead
        if pid == 0:
            return dead
        dead.append((pid, status))
