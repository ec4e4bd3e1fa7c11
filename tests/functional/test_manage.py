"""The real ``service-manage`` console script, in a child process.

``setup`` on a fresh machine prints a generated password exactly once,
on stdout, never on stderr or in the log; running it again prints none;
``check`` then passes. No run imports eventlet (``-X importtime`` lists
every module a process imports, on stderr).
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.support import service

pytestmark = pytest.mark.timeout(120)

CONSOLE_SCRIPT = pathlib.Path(sys.executable).with_name('service-manage')
GENERATED = re.compile(r'^    export OS_PASSWORD=(\S+)$', re.MULTILINE)


def _command():
    if CONSOLE_SCRIPT.is_file():
        return [str(CONSOLE_SCRIPT)]
    return [sys.executable, '-m', 'keystone_like.cmd.manage']


class Result:
    """A finished run: exit code, stdout, stderr without import lines."""

    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        lines = completed.stderr.splitlines(keepends=True)
        self.imported = [line.rsplit('|', 1)[-1].strip() for line in lines
                         if line.startswith('import time:')]
        self.err = ''.join(line for line in lines
                           if not line.startswith('import time:'))
        self.raw_err = completed.stderr

    def imported_eventlet(self):
        """The eventlet modules the process imported."""
        return [name for name in self.imported
                if name == 'eventlet' or name.startswith('eventlet.')]


def run(command, *argv, env=None, cwd=None):
    """Run service-manage with import tracing; return a Result."""
    full_env = dict(os.environ, PYTHONPROFILEIMPORTTIME='1')
    full_env.pop('OS_BOOTSTRAP_PASSWORD', None)
    full_env.update(env or {})
    completed = subprocess.run(command + list(argv), capture_output=True,
                               text=True, env=full_env, cwd=cwd,
                               timeout=60)
    return Result(completed)


@pytest.fixture
def config(tmp_path, database_url):
    """A config file: state in tmp_path, fast bcrypt, a log file."""
    path = tmp_path / 'keystone_like.conf'
    sections = {
        'DEFAULT': {'state_dir': tmp_path / 'state',
                    'log_file': tmp_path / 'manage.log',
                    'public_bind_host': '127.0.0.1',
                    'admin_bind_host': '127.0.0.1',
                    'public_port': service.free_port(),
                    'admin_port': service.free_port()},
        'database': {'connection': database_url},
        'identity': {'password_hash_rounds': 4},
    }
    path.write_text(service.render_config(sections))
    return path


def test_setup_then_check(config, tmp_path, database_url):
    command = _command() + ['--config-file', str(config)]
    first = run(command, 'setup', cwd=tmp_path)
    assert first.code == 0, first.raw_err
    assert first.err == ''
    [password] = GENERATED.findall(first.out)
    assert first.out.count(password) == 1
    assert password not in first.raw_err
    log = (tmp_path / 'manage.log').read_text()
    assert 'Created Fernet key repository' in log
    assert password not in log
    if database_url.startswith('sqlite'):
        database_file = database_url[len('sqlite:///'):]
        assert password.encode() not in pathlib.Path(
            database_file).read_bytes()
    assert first.imported and first.imported_eventlet() == []

    second = run(command, 'setup', cwd=tmp_path)
    assert second.code == 0, second.raw_err
    assert GENERATED.findall(second.out) == []
    assert password not in second.out + second.raw_err
    assert 'Bootstrap complete: 0 created' in second.out

    checked = run(command, 'check', cwd=tmp_path)
    assert checked.code == 0, checked.raw_err
    assert checked.out.splitlines()[-1] == 'All checks passed.'
    assert checked.imported_eventlet() == []
    assert password not in (tmp_path / 'manage.log').read_text()


def test_check_on_a_fresh_machine_says_what_to_run(tmp_path):
    config = tmp_path / 'keystone_like.conf'
    config.write_text('[DEFAULT]\nstate_dir = %s\n' % (tmp_path / 'state'))
    result = run(_command() + ['--config-file', str(config), 'check',
                               '--skip-ports'], cwd=tmp_path)
    assert result.code == 78, result.raw_err
    assert result.err.splitlines() == [
        'service-manage check: the database at sqlite:///%s has no schema; '
        'run: service-manage db_sync' % (tmp_path / 'state' /
                                         'keystone_like.db')]
    assert result.imported_eventlet() == []


@pytest.mark.parametrize('argv', [['--help'], ['bootstrap', '--help'],
                                  ['--version']])
def test_checkout_script_runs(argv, tmp_path):
    script = service.ROOT / 'bin' / 'service-manage'
    result = run([sys.executable, str(script)] + argv, cwd=tmp_path)
    assert result.code == 0, result.raw_err
    assert result.out.strip()
    assert result.imported_eventlet() == []


def test_unknown_command_exits_2(tmp_path):
    result = run(_command() + ['nope'], cwd=tmp_path)
    assert result.code == 2
    assert "invalid choice: 'nope'" in result.err
