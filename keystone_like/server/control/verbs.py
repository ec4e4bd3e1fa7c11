"""The control verbs: stop, reload, status (pid files in :mod:`.pidfile`).

Stdlib only (no eventlet): ``stop``, ``reload`` and ``status`` run in a
short-lived process that acts on the running instance through its pid file
and reads the status document it keeps (:mod:`.status`).

Exit codes, per verb (LSB init-script conventions where they exist):

- ``status``: 0 running and ready (also while a reload runs: the old
  generation serves); 1 running but not ready (starting, degraded,
  stopping) or dead with its pid file left behind; 3 not running; 4
  running but no status document for its pid (state unknown).
- ``stop``: 0 stopped, or was not running (a stale pid file is removed);
  1 still running after graceful_shutdown_timeout + 10 s; 4 not allowed
  to signal it.
- ``reload``: 0 reloaded; 1 refused, rolled back or no result in time; 3
  single-process mode (no zero-loss reload: use restart); 7 not running.
- ``start``: 71 when the pid file names a live process (another
  instance); ``--daemon`` is in ``keystone_like.server.control.daemon``.
"""

import json
import os
import signal
import sys
import time

from keystone_like.server import errors
# Pid file ownership, also used from here by the verbs' callers.
from keystone_like.server.control.pidfile import alive
from keystone_like.server.control.pidfile import check_not_running  # noqa
from keystone_like.server.control.pidfile import claim_pid_file  # noqa
from keystone_like.server.control.pidfile import other_instance
from keystone_like.server.control.pidfile import pid_in
from keystone_like.server.control.pidfile import release_pid_file  # noqa
from keystone_like.server.control.pidfile import remove
from keystone_like.server.control import status as status_file


# The codes are in the one table, keystone_like.server.errors.
EXIT_NOT_READY = errors.EXIT_NOT_READY
EXIT_STATUS_NOT_RUNNING = errors.EXIT_STATUS_NOT_RUNNING
EXIT_UNIMPLEMENTED = errors.EXIT_UNIMPLEMENTED
EXIT_UNKNOWN = errors.EXIT_UNKNOWN
EXIT_NOT_PERMITTED = errors.EXIT_NOT_PERMITTED
EXIT_NOT_RUNNING = errors.EXIT_NOT_RUNNING
EXIT_ALREADY_RUNNING = errors.EXIT_ALREADY_RUNNING
STOP_MARGIN = 10.0
RELOAD_MARGIN = 10.0
POLL = 0.05
SERVING_STATES = ('ready', 'reloading')


def document_of(pid_file, pid):
    """Return the status document written by ``pid``, or None."""
    doc = status_file.read_status(status_file.status_path(pid_file))
    if doc is None or doc.get('pid') != pid:
        return None
    return doc


def wait_until(condition, timeout):
    """Poll ``condition()`` until true (return True) or ``timeout`` passes."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not condition():
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


def say(message, out=None):
    """Print one ``service-all:`` line to ``out`` (stdout by default)."""
    print('service-all: %s' % message, file=out or sys.stdout)


def stop(pid_file, graceful_timeout, fast=False):
    """Stop the instance named by ``pid_file``; return the exit code."""
    pid = pid_in(pid_file)
    if pid is None:
        say('not running (no pid file at %s).' % pid_file)
        return errors.EXIT_OK
    if not alive(pid):
        remove(pid_file)
        say('not running (removed the stale pid file %s naming pid %d).'
            % (pid_file, pid))
        return errors.EXIT_OK
    doc = document_of(pid_file, pid)
    started = time.monotonic()
    try:
        os.kill(pid, signal.SIGINT if fast else signal.SIGTERM)
        if fast and (doc or {}).get('mode') == 'single':
            # One SIGINT drains in single-process mode, like Ctrl-C; the
            # second, once it is stopping, exits at once.
            wait_until(lambda: not alive(pid) or (document_of(
                pid_file, pid) or {}).get('state') == 'stopping', 5.0)
            if alive(pid):
                os.kill(pid, signal.SIGINT)
    except PermissionError:
        say('not allowed to signal pid %d (pid file %s); run as its user '
            'or root.' % (pid, pid_file), sys.stderr)
        return EXIT_NOT_PERMITTED
    except ProcessLookupError:
        pass
    timeout = graceful_timeout + STOP_MARGIN if graceful_timeout else None
    if not wait_until(lambda: not alive(pid), timeout):
        say('pid %d is still running %.0fs after %s; try "service-all stop '
            '--fast".' % (pid, timeout, 'SIGINT' if fast else 'SIGTERM'),
            sys.stderr)
        return EXIT_NOT_READY
    if pid_in(pid_file) == pid:
        remove(pid_file)        # a fast exit does not clean up after itself
        if document_of(pid_file, pid) is not None:
            remove(status_file.status_path(pid_file))
    say('stopped (pid %d) in %.1fs.' % (pid, time.monotonic() - started))
    return errors.EXIT_OK


def reload(pid_file, workers_configured, reload_timeout):
    """Send SIGHUP to the running instance and report the reload result."""
    pid = other_instance(pid_file)
    if pid is None:
        say('not running (no live pid in %s); nothing to reload.' % pid_file,
            sys.stderr)
        return EXIT_NOT_RUNNING
    doc = document_of(pid_file, pid) or {}
    mode = doc.get('mode') or ('workers' if workers_configured else 'single')
    if mode == 'single':
        say('pid %d runs in single-process mode (admin_workers = '
            'public_workers = 0), which has no zero-loss reload; use '
            '"service-all restart" or configure workers.' % pid, sys.stderr)
        return EXIT_UNIMPLEMENTED
    before = doc.get('last_reload')
    try:
        os.kill(pid, signal.SIGHUP)
    except PermissionError:
        say('not allowed to signal pid %d; run as its user or root.' % pid,
            sys.stderr)
        return EXIT_NOT_PERMITTED

    def finished():
        current = document_of(pid_file, pid) or {}
        return (current.get('last_reload') not in (None, before)
                and current.get('state') != 'reloading') or not alive(pid)
    if not wait_until(finished, reload_timeout + RELOAD_MARGIN):
        say('SIGHUP sent to pid %d but no reload result after %ds; see '
            '"service-all status" and the log.' % (
                pid, reload_timeout + RELOAD_MARGIN), sys.stderr)
        return EXIT_NOT_READY
    result = ((document_of(pid_file, pid) or {}).get('last_reload')
              or {}).get('result', 'the service exited')
    say('reload of pid %d: %s' % (pid, result))
    return errors.EXIT_OK if result == 'ok' else EXIT_NOT_READY


def status(pid_file, as_json=False):
    """Print the state of the instance named by ``pid_file``; exit code."""
    pid = pid_in(pid_file)
    running = pid is not None and alive(pid)
    doc = document_of(pid_file, pid) if running else None
    if running and doc is not None:
        code = (errors.EXIT_OK if doc.get('state') in SERVING_STATES
                else EXIT_NOT_READY)
    elif running:
        code = EXIT_UNKNOWN
    else:
        code = EXIT_NOT_READY if pid is not None else EXIT_STATUS_NOT_RUNNING
    if as_json:
        extra = {'running': running, 'pid_file': pid_file, 'exit_code': code}
        print(json.dumps(dict(doc or {'pid': pid, 'state': (
            'unknown' if running else 'stopped')}, **extra), indent=1,
            sort_keys=True))
    elif pid is None:
        print('service-all is not running (no pid file at %s).' % pid_file)
    elif not running:
        print('service-all is not running: pid %d in %s is gone (stale pid '
              'file; it did not exit cleanly).' % (pid, pid_file))
    elif doc is None:
        print('service-all is running as pid %d, state unknown (no status '
              'document for it beside %s).' % (pid, pid_file))
    else:
        print(describe(doc, pid_file))
    return code


def describe(doc, pid_file, now=None):
    """Return the human-readable report of a status document."""
    now = time.time() if now is None else now
    lines = ['service-all is %s: pid %d, up %s, %s mode, generation %s' % (
        doc.get('state', '?'), doc['pid'],
        duration(now - doc.get('started_at', now)), doc.get('mode', '?'),
        doc.get('generation', 1))]
    for name, item in sorted((doc.get('listeners') or {}).items()):
        workers = ', '.join(
            '%d (%s)' % (w['pid'], 'ready' if w.get('ready') else 'not ready')
            for w in item.get('workers', []))
        lines.append('  %-7s %-28s workers: %s' % (
            name, item.get('url'), workers or 'none'))
    reload_ = doc.get('last_reload')
    lines.append('  last restart reason: %s' % (
        doc.get('last_restart_reason') or 'none'))
    lines.append('  last reload: %s' % (
        '%s (%s ago)' % (reload_.get('result'), duration(
            now - reload_.get('at', now))) if reload_ else 'none'))
    lines.append('  pid file: %s' % pid_file)
    return '\n'.join(lines)


def duration(seconds):
    """Return ``seconds`` as ``2d 3h``, ``1h 02m``, ``5m 03s`` or ``12s``."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return '%dd %dh' % (days, hours)
    if hours:
        return '%dh %02dm' % (hours, minutes)
    if minutes:
        return '%dm %02ds' % (minutes, seconds)
    return '%ds' % seconds
