"""``service-all start --daemon``: detach, and report how the start went.

The process forks; the child starts a new session (``setsid``) and forks
again, so the daemon is no session leader and can never regain a
terminal. The daemon then runs from ``/`` (the command line's config paths
and relative pid_file, log_file and state_dir were made absolute first),
reads stdin from /dev/null and writes stdout and stderr to the log file.
The parent stays until the daemon's status document says ``ready`` (exit
0), or a start-up failure comes back through a pipe (its one line and exit
code), or ``READY_TIMEOUT`` passes (exit 1; the daemon goes on starting).
Once detached, the daemon is the same process as a foreground start: same
signals, same pid file and status document.
"""

import os
import select
import sys
import time

from keystone_like.server.control import verbs as control
from keystone_like.server import errors

READY_TIMEOUT = 60.0


class Daemon:
    """Detach with a double fork; the parent waits for ready or failure.

    The daemon writes ``pid N`` and, if start-up fails, ``fail CODE
    message`` lines to a pipe; readiness is read from the status file, so
    single-process and worker modes look the same to the waiting parent.
    """

    _pipe = None        # the daemon's write end, for report_failure()

    def __init__(self, pid_file, log_path):
        self.pid_file = pid_file
        self.log_path = log_path
        self.pid = None
        self.failure = None

    def detach(self):
        """Fork; return an exit code in the parent, None in the daemon."""
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT |
                         os.O_APPEND, 0o640)
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        first = os.fork()
        if first:
            os.close(write_end)
            os.close(log_fd)
            os.waitpid(first, 0)
            return self.wait(read_end)
        try:
            os.close(read_end)
            os.setsid()         # a new session: no controlling terminal
            if os.fork():
                os._exit(0)     # not a session leader: can never get one
            os.chdir('/')
            null = os.open(os.devnull, os.O_RDONLY)
            for fd, target in ((0, null), (1, log_fd), (2, log_fd)):
                os.dup2(target, fd)
            os.close(null)
            os.close(log_fd)
            os.write(write_end, b'pid %d\n' % os.getpid())
        except BaseException:
            os._exit(errors.EXIT_OSERR)     # never run main() twice
        Daemon._pipe = write_end
        return None

    @classmethod
    def report_failure(cls, message, code):
        """In the daemon: pass a start-up failure to the waiting parent."""
        if cls._pipe is None:
            return
        try:
            os.write(cls._pipe, ('fail %d %s\n' % (code, message)).encode())
        except OSError:
            pass                # the parent stopped waiting

    def wait(self, read_end, timeout=READY_TIMEOUT):
        """In the parent: return 0 when the daemon is ready, else its code."""
        buffer, closed = b'', False
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if closed:
                    time.sleep(control.POLL)
                elif select.select([read_end], [], [], control.POLL)[0]:
                    chunk = os.read(read_end, 4096)
                    closed = not chunk
                    buffer = self.parse(buffer + chunk)
                code = self.outcome(closed)
                if code is not None:
                    return code
        except KeyboardInterrupt:
            control.say('stopped waiting; pid %s goes on starting in the '
                        'background.' % self.pid, sys.stderr)
            return errors.EXIT_INTERRUPTED
        finally:
            os.close(read_end)
        control.say('pid %s is not ready after %ds; see %s and "service-all '
                    'status".' % (self.pid, timeout, self.log_path),
                    sys.stderr)
        return control.EXIT_NOT_READY

    def parse(self, buffer):
        """Take the complete lines out of ``buffer``; return the rest."""
        *lines, rest = buffer.split(b'\n')
        for line in lines:
            kind, _, value = line.decode(errors='replace').partition(' ')
            if kind == 'pid':
                self.pid = int(value)
            elif kind == 'fail' and self.failure is None:
                code, _, message = value.partition(' ')
                self.failure = int(code), message
        return rest

    def outcome(self, pipe_closed):
        """Return the parent's exit code once the start has an outcome."""
        if self.failure is not None:
            control.say(self.failure[1], sys.stderr)
            return self.failure[0]
        if self.pid is None:
            if not pipe_closed:
                return None
            control.say('the daemon could not detach (fork, setsid or '
                        'chdir failed); see %s.' % self.log_path, sys.stderr)
            return errors.EXIT_OSERR
        doc = control.document_of(self.pid_file, self.pid) or {}
        if doc.get('state') == 'ready':
            urls = ', '.join('%s on %s' % (name, item.get('url')) for
                             name, item in sorted(doc['listeners'].items()))
            control.say('started in the background as pid %d: %s; log: %s.'
                        % (self.pid, urls, self.log_path))
            return errors.EXIT_OK
        if doc.get('state') == 'degraded':
            control.say('pid %d started but is degraded; see %s and '
                        '"service-all status".' % (self.pid, self.log_path),
                        sys.stderr)
            return control.EXIT_NOT_READY
        if pipe_closed and not control.alive(self.pid):
            control.say('pid %d exited during start-up; see %s.' % (
                self.pid, self.log_path), sys.stderr)
            return errors.EXIT_FAILURE
        return None
