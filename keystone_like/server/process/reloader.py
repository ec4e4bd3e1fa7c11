"""``service-all --reload``: restart the service when code or config change.

Development only, in the style of django's runserver. This parent process
never imports eventlet: it runs the real service as a child (``python -m
keystone_like.cmd.all`` with the same arguments, single-process mode forced
through oslo.config's environment source) and polls the mtimes of the
watched files once a second: every ``keystone_like/**/*.py``, the config
files (named or found by default), the ``*.conf`` files of each config
directory and the paste ini. On a change it logs which file changed, stops
the child with SIGTERM (SIGKILL after graceful_shutdown_timeout + 10 s) and
starts a new one.

A child that exits on its own with an error (a crash, a start-up failure
such as a broken paste factory) is not restarted until the next change, so
a mistake is not retried in a loop. A child that exits with 0 was stopped
on purpose (``service-all stop``): the reloader ends too. Ctrl-C or SIGTERM
stops both; a second one makes the child exit at once.
"""

import argparse
import ctypes
import glob
import logging
import os
import pathlib
import signal
import subprocess
import sys
import time

from keystone_like.server import config as server_config
from keystone_like.server.process import logs
from keystone_like.server.process import signals
from keystone_like.server.control import verbs as control
from keystone_like.server import errors
from keystone_like.server.control import status

LOG = logging.getLogger(__name__)
INTERVAL = 1.0
STOP_MARGIN = 10.0
# The source tree whose Python files are watched: keystone_like's.
PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[2]
# Command line > environment > config files in oslo.config: the child
# serves in one process whatever the files say.
SINGLE_PROCESS_ENV = {'OS_DEFAULT__ADMIN_WORKERS': '0',
                      'OS_DEFAULT__PUBLIC_WORKERS': '0'}
PR_SET_PDEATHSIG = 1


def snapshot(paths):
    """Return ``{path: (mtime_ns, size)}`` of the ``paths`` that exist."""
    result = {}
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        result[path] = (info.st_mtime_ns, info.st_size)
    return result


class Watcher:
    """Polls a (changing) set of files; ``changes()`` yields what changed."""

    def __init__(self, find_paths):
        self.find_paths = find_paths

    def changes(self, interval=INTERVAL, sleep=time.sleep):
        """Return an iterator of sets of changed paths, one per poll.

        The baseline is taken now; each ``next()`` sleeps ``interval``
        then yields the paths created, deleted or modified since the
        previous poll (an empty set when nothing changed).
        """
        previous = snapshot(self.find_paths())

        def poll():
            nonlocal previous
            while True:
                sleep(interval)
                current = snapshot(self.find_paths())
                yield {path for path in previous.keys() | current.keys()
                       if previous.get(path) != current.get(path)}
                previous = current
        return poll()


class ServiceFiles:
    """The files a service started with ``args`` depends on."""

    def __init__(self, args, conf):
        self.args = args
        self.conf = conf
        named = argparse.ArgumentParser(add_help=False)
        named.add_argument('--config-file', action='append', default=[])
        named.add_argument('--config-dir', action='append', default=[])
        found, _ = named.parse_known_args(args)
        self.config_files = [os.path.abspath(f) for f in found.config_file]
        self.config_dirs = [os.path.abspath(d) for d in found.config_dir]
        self.paste = None
        self._seen = None

    def config_paths(self):
        """Return the config files and the files in the config directories."""
        paths = list(self.config_files)
        for directory in self.config_dirs:
            paths.extend(sorted(glob.glob(os.path.join(directory, '*.conf'))))
        return paths

    def refresh(self):
        """Re-read the config for the default config files and paste ini."""
        self._seen = snapshot(self.config_paths())
        try:
            server_config.configure(self.args, conf=self.conf,
                                    prog='service-all')
            paste = server_config.find_paste_config(self.conf)
            found = [os.path.abspath(f) for f in self.conf.config_file]
        except Exception as exc:  # noqa: BLE001 - the child reports it
            LOG.debug('Cannot read the configuration (%s); watching the '
                      'files named so far', exc)
            return False
        self.config_files = list(dict.fromkeys(self.config_files + found))
        self.paste = paste or self.paste
        return True

    def __call__(self):
        """Return every path to watch now (re-reading a changed config)."""
        if snapshot(self.config_paths()) != self._seen:
            self.refresh()      # it may name another paste ini
        paths = {str(p) for p in PACKAGE_DIR.rglob('*.py')}
        paths.update(self.config_paths())
        if self.paste:
            paths.add(self.paste)
        return paths


def die_with_parent():
    """In the child: get SIGTERM if the reloader dies (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG,
                                                signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Reloader:
    """Runs the service as a child and restarts it on changes."""

    def __init__(self, args, stop_timeout):
        self.command = [sys.executable, '-m', 'keystone_like.cmd.all'] + args
        self.env = dict(os.environ, **SINGLE_PROCESS_ENV)
        self.env['PYTHONPATH'] = os.pathsep.join(
            [str(PACKAGE_DIR.parent)] +
            [p for p in [os.environ.get('PYTHONPATH')] if p])
        self.stop_timeout = stop_timeout
        self.child = None
        self.signals = signals.SignalRecorder(
            (signal.SIGINT, signal.SIGTERM), on_signal=self._on_signal)

    def _on_signal(self, _signum, count):
        # The loop may be waiting for the child to stop: a second signal
        # must reach it now (its second: exit at once).
        if count > 1 and self.child is not None:
            self.child.send_signal(signal.SIGINT)

    def run(self, changes):
        """Serve until a stop signal or a clean child exit; exit code."""
        self.signals.install()
        try:
            self.start()
            for changed in changes:
                if self.signals.received or self.child_exited_cleanly():
                    break
                if changed:
                    LOG.info('%s changed, restarting the service', ', '.join(
                        sorted(display(path) for path in changed)))
                    self.stop()
                    self.start()
        finally:
            self.stop()
            self.signals.restore()
        return (errors.EXIT_INTERRUPTED if len(self.signals.received) > 1
                else 0)

    def start(self):
        """Start a new child."""
        self.child = subprocess.Popen(self.command, env=self.env,
                                      preexec_fn=die_with_parent)
        LOG.info('Reloader [%d]: started the service process [%d]',
                 os.getpid(), self.child.pid)

    def child_exited_cleanly(self):
        """Notice a child that exited on its own; True if it exited 0."""
        if self.child is None or self.child.poll() is None:
            return False
        code, self.child = self.child.returncode, None
        if code == 0:
            LOG.info('The service exited cleanly (stopped from outside); '
                     'stopping the reloader')
            return True
        LOG.error('The service exited with code %d (%s); waiting for a file '
                  'change to start it again', code,
                  errors.EXIT_CODES.get(code, 'see above'))
        return False

    def stop(self):
        """Stop the child (SIGTERM, SIGKILL after the bound) if it runs."""
        child, self.child = self.child, None
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            LOG.warning('The service [%d] did not stop in %.0fs; killing it',
                        child.pid, self.stop_timeout)
            child.kill()
            child.wait()


def display(path):
    """Return ``path`` relative to the working directory when shorter."""
    relative = os.path.relpath(path)
    return relative if len(relative) < len(path) else path


def main(args, conf):
    """Run ``service-all --reload`` with the service's ``args``."""
    files = ServiceFiles(args, conf)
    timeout = 0
    if files.refresh():
        try:
            control.check_not_running(os.path.abspath(status.pid_path(conf)))
        except errors.StartupError as exc:
            print('service-all: %s' % exc, file=sys.stderr)
            return exc.exit_code
        timeout = conf.eventlet_server.graceful_shutdown_timeout
        try:
            logs.setup(conf)
        except OSError:
            pass                # the child says why; log to stderr here
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=logs.FORMAT)
    LOG.info('Watching %d files for changes (Python files of keystone_like, '
             'config files, paste ini); quit with CONTROL-C', len(files()))
    reloader = Reloader(args, (timeout or 60) + STOP_MARGIN)
    return reloader.run(Watcher(files).changes())
