"""The pid file: who is running, claiming it at start, releasing it at exit.

Stdlib only. A pid file naming a live process other than this one means
another instance runs (start refuses with exit 71); one naming a dead
process is stale and replaced.
"""

import logging
import os

from keystone_like.server import errors

LOG = logging.getLogger(__name__)


def alive(pid):
    """True if ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass                    # alive, owned by another user
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rpartition(')')[2].split()[0] != 'Z'
    except (OSError, IndexError):
        return True             # no /proc: trust kill()


def pid_in(path):
    """Return the pid written in ``path``, or None (missing or garbage)."""
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def other_instance(path):
    """Return the live pid in ``path`` if it is not this process."""
    pid = pid_in(path)
    if pid is None or pid == os.getpid() or not alive(pid):
        return None
    return pid


def already_running(path, pid):
    """Return the StartupError refusing a second instance."""
    return errors.StartupError(
        'already running as pid %d (pid file %s); stop it with "service-all '
        'stop" or use another pid_file.' % (pid, path),
        errors.EXIT_ALREADY_RUNNING)


def check_not_running(path):
    """Raise StartupError if another live instance holds ``path``."""
    pid = other_instance(path)
    if pid is not None:
        raise already_running(path, pid)


def claim_pid_file(path):
    """Write our pid to ``path`` exclusively; replace a stale one."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        for _attempt in range(3):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o644)
            except FileExistsError:
                check_not_running(path)
                LOG.warning('Replacing stale pid file %s (pid %s is not '
                            'running)', path, pid_in(path))
                remove(path)
                continue
            with os.fdopen(fd, 'w') as f:
                f.write('%d\n' % os.getpid())
            return path
    except OSError as exc:
        raise errors.StartupError(
            'pid file %s cannot be written (%s); set [DEFAULT] pid_file to a '
            'path this user can write.' % (path, exc.strerror),
            errors.EXIT_CONFIG) from exc
    raise errors.StartupError(
        'pid file %s keeps reappearing; is another service-all starting '
        'with the same pid_file?' % path, errors.EXIT_ALREADY_RUNNING)


def release_pid_file(path):
    """Remove ``path`` if it still holds this process's pid."""
    if pid_in(path) == os.getpid():
        try:
            remove(path)
        except OSError as exc:
            LOG.warning('Cannot remove the pid file %s (%s)', path,
                        exc.strerror)


def remove(path):
    """Unlink ``path``; a file already gone is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
