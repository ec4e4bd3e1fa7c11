"""service-all start --daemon: detach, report, then status/stop/restart."""

import os
import re
import signal
import subprocess
import sys

import pytest

from keystone_like.server.control import verbs as control
from keystone_like.server import errors
from tests.support import service

CLI_TIMEOUT = 90
STARTED = re.compile(r'started in the background as pid (\d+)')


class Daemons:
    """Runs control commands for one config; ends the daemons it started."""

    def __init__(self, tmp_path, **sections):
        self.svc = service.ServiceProcess(tmp_path, name='daemon')
        self.svc.sections['DEFAULT']['log_file'] = tmp_path / 'daemon.log'
        for section, options in sections.items():
            self.svc.sections.setdefault(section, {}).update(options)
        self.svc.write_config()
        self.pid_file = str(self.svc.sections['DEFAULT']['pid_file'])
        self.log_file = str(tmp_path / 'daemon.log')
        self.started = []

    def run(self, *args):
        """Run ``service-all ARGS``; note the pid of a daemon it started."""
        result = subprocess.run(
            [sys.executable, '-m', 'keystone_like.cmd.all', *args,
             '--config-file', str(self.svc.config_path)],
            capture_output=True, text=True, timeout=CLI_TIMEOUT,
            cwd=str(self.svc.directory), stdin=subprocess.DEVNULL)
        found = STARTED.search(result.stdout)
        if found:
            self.started.append(int(found.group(1)))
        return result

    def log(self):
        """The daemons' log so far."""
        try:
            with open(self.log_file, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def end(self):
        """SIGTERM, then SIGKILL, every daemon started here still alive."""
        for pid in self.started:
            if control.alive(pid):
                os.kill(pid, signal.SIGTERM)
                if not control.wait_until(lambda: not control.alive(pid), 15):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def daemons(tmp_path):
    """Control commands for one daemon config; its daemons end with it."""
    item = Daemons(tmp_path)
    yield item
    item.end()


def test_start_daemon_then_status_and_stop(daemons):
    result = daemons.run('start', '--daemon')
    assert result.returncode == 0, (result, daemons.log())
    pid = daemons.started[0]
    for port in daemons.svc.ports:
        assert 'http://127.0.0.1:%d' % port in result.stdout
    assert control.pid_in(daemons.pid_file) == pid
    # Its own session (no terminal), and not its leader (cannot get one).
    assert os.getsid(pid) not in (pid, os.getsid(0))
    assert daemons.svc.get('public', '/v3')[0] == 200
    result = daemons.run('status')
    assert result.returncode == 0, result
    assert 'service-all is ready: pid %d' % pid in result.stdout
    result = daemons.run('stop')
    assert result.returncode == 0, result
    assert not control.alive(pid)
    assert not os.path.exists(daemons.pid_file)
    assert 'Finished server process [%d]' % pid in daemons.log()
    assert service.port_is_free('127.0.0.1', daemons.svc.public_port)


def test_restart_daemon_replaces_the_process(daemons):
    assert daemons.run('start', '--daemon').returncode == 0, daemons.log()
    result = daemons.run('restart', '--daemon')
    assert result.returncode == 0, (result, daemons.log())
    first, second = daemons.started
    assert first != second and not control.alive(first)
    assert 'stopped (pid %d)' % first in result.stdout
    assert control.pid_in(daemons.pid_file) == second
    assert daemons.svc.get('admin', '/v3')[0] == 200
    assert daemons.run('stop').returncode == 0


def test_second_daemon_start_is_refused(daemons):
    assert daemons.run('start', '--daemon').returncode == 0, daemons.log()
    result = daemons.run('start', '--daemon')
    assert result.returncode == control.EXIT_ALREADY_RUNNING, result
    assert result.stderr == (
        'service-all: already running as pid %d (pid file %s); stop it with '
        '"service-all stop" or use another pid_file.\n'
        % (daemons.started[0], daemons.pid_file))
    assert len(daemons.started) == 1


def test_daemon_start_failure_comes_back_with_its_exit_code(tmp_path):
    missing = str(tmp_path / 'missing-paste.ini')
    daemons = Daemons(tmp_path, paste_deploy={'config_file': missing})
    try:
        result = daemons.run('start', '--daemon')
    finally:
        daemons.end()
    assert result.returncode == errors.EXIT_NOINPUT, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        'service-all: [paste_deploy] config_file = %s was not found' % missing)
    assert daemons.started == []
    assert not os.path.exists(daemons.pid_file)
    assert 'was not found' in daemons.log()     # the daemon's own stderr


def test_daemon_with_relative_config_path(daemons):
    result = subprocess.run(
        [sys.executable, '-m', 'keystone_like.cmd.all', '--daemon',
         '--config-file', daemons.svc.config_path.name, 'start'],
        capture_output=True, text=True, timeout=CLI_TIMEOUT,
        cwd=str(daemons.svc.directory), stdin=subprocess.DEVNULL)
    found = STARTED.search(result.stdout)
    if found:
        daemons.started.append(int(found.group(1)))
    assert result.returncode == 0, (result, daemons.log())
    assert daemons.run('stop').returncode == 0
