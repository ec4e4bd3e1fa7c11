"""The one signal recorder of every process of the launcher.

Handlers only record what arrived; the process's loop takes the signals
and decides (gunicorn's arbiter, uvicorn's ``should_exit``): the master
and the generation leaders from a select loop, woken through the wakeup
pipe; a serving process (single-process mode, a worker) from its green
loop, which polls. The one exception is ``on_signal``, for a process
whose loop may be blocked when a second signal must act (the development
reloader waiting for its child).
"""

import collections
import os
import signal


class SignalRecorder:
    """Records ``signums`` for a loop to take; optionally wakes a select."""

    def __init__(self, signums, wakeup=False, on_signal=None):
        self.signums = tuple(signums)
        self.pending = collections.deque()
        self.received = []              # every signal, in order
        self.on_signal = on_signal
        self._read = self._write = None
        if wakeup:
            self._read, self._write = os.pipe()
            os.set_blocking(self._read, False)
            os.set_blocking(self._write, False)
        self._previous = {}

    def install(self):
        """Install the handlers (and the wakeup fd), keeping the old ones."""
        for signum in self.signums:
            self._previous[signum] = signal.signal(signum, self._record)
        if self._write is not None:
            signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        return self

    def restore(self):
        """Put the previous handlers back and stop waking the loop."""
        if self._write is not None:
            signal.set_wakeup_fd(-1)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _record(self, signum, _frame):
        self.pending.append(signum)
        self.received.append(signum)
        if self.on_signal is not None:
            self.on_signal(signum, len(self.received))

    def fileno(self):
        """The wakeup descriptor, for select()."""
        return self._read

    def take(self):
        """Return (and forget) the signals recorded since the last call."""
        if self._read is not None:
            try:
                while os.read(self._read, 4096):
                    pass
            except BlockingIOError:
                pass
        taken = []
        while self.pending:
            taken.append(self.pending.popleft())
        return taken

    def close(self):
        """Close the wakeup pipe (in a forked child that does not use it)."""
        for fd in (self._read, self._write):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._read = self._write = None


def reset_child_signals(ignore=(signal.SIGHUP,)):
    """In a forked child: default handlers, ``ignore`` ignored, no wakeup."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD,
                   signal.SIGUSR1):
        signal.signal(signum, signal.SIG_DFL)
    for signum in ignore:
        signal.signal(signum, signal.SIG_IGN)
