"""The control verbs without a server: command line, pid files, status."""

import json
import os
import subprocess
import sys
import time

import pytest
from oslo_config import cfg

from keystone_like.server import cli as service_all
from keystone_like.conf import opts
from keystone_like.server.control import verbs as control
from keystone_like.server.control import daemon
from keystone_like.server import errors
from keystone_like.server.control import status


def dead_pid():
    """Return the pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    child.wait()
    return child.pid


def document(pid, state='ready', **extra):
    """Return a status document for ``pid``."""
    doc = {'pid': pid, 'state': state, 'mode': 'single', 'generation': 1,
           'started_at': time.time() - 3725, 'last_restart_reason': None,
           'last_reload': None, 'listeners': {
               'admin': {'url': 'http://127.0.0.1:35357', 'workers': [
                   {'pid': pid, 'ready': state == 'ready'}]},
               'public': {'url': 'http://127.0.0.1:5000', 'workers': [
                   {'pid': pid, 'ready': state == 'ready'}]}}}
    doc.update(extra)
    return doc


@pytest.fixture
def pid_file(tmp_path):
    """A pid file path (not written) in a temporary directory."""
    return str(tmp_path / 'run' / 'service-all.pid')


def write_instance(pid_file, pid, doc=None):
    """Write ``pid`` to the pid file and ``doc`` beside it."""
    os.makedirs(os.path.dirname(pid_file), exist_ok=True)
    with open(pid_file, 'w') as f:
        f.write('%d\n' % pid)
    if doc is not None:
        status.write_status(status.status_path(pid_file), doc)


@pytest.mark.parametrize('argv, verb, flags, rest', [
    ([], 'start', set(), []),
    (['--config-file', 'a.conf'], 'start', set(), ['--config-file', 'a.conf']),
    (['status', '--config-file', 'a.conf'], 'status', set(),
     ['--config-file', 'a.conf']),
    (['--config-file', 'a.conf', 'stop', '--fast'], 'stop', {'--fast'},
     ['--config-file', 'a.conf']),
    (['--config-file', 'stop'], 'start', set(), ['--config-file', 'stop']),
    (['start', '--daemon', '-d'], 'start', {'--daemon'}, ['-d']),
    (['status', '--json'], 'status', {'--json'}, []),
    (['--reload'], 'start', {'--reload'}, []),
])
def test_split_command(argv, verb, flags, rest):
    assert service_all.split_command(argv) == (verb, flags, rest)


@pytest.mark.parametrize('argv, fragment', [
    (['stop', 'status'], 'one command at a time'),
    (['status', '--daemon'], '--daemon goes with start or restart'),
    (['stop', '--json'], '--json goes with status'),
    (['--reload', '--daemon'], '--reload runs in the foreground'),
])
def test_split_command_refuses(argv, fragment):
    with pytest.raises(service_all.UsageError, match=fragment):
        service_all.split_command(argv)


def test_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert service_all.absolute_paths(
        ['--config-file', 'a.conf', '--config-dir=d', '-d']) == [
        '--config-file', str(tmp_path / 'a.conf'),
        '--config-dir=%s' % (tmp_path / 'd'), '-d']


def test_usage_error_exits_2(capsys):
    assert service_all.main(['stop', 'status']) == errors.EXIT_USAGE
    assert 'one command at a time' in capsys.readouterr().err


def test_help_lists_commands_and_exit_codes(capsys):
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    assert service_all.main(['--help'], conf=conf) == 0
    out = capsys.readouterr().out
    for word in ('--config-file', 'start [--daemon]', 'start --reload',
                 'stop [--fast]', 'restart', 'reload', 'status [--json]',
                 '78', 'another instance', 'status   0 running and ready'):
        assert word in out


def test_alive():
    assert control.alive(os.getpid())
    assert not control.alive(dead_pid())


def test_a_zombie_is_not_alive():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    try:
        deadline = time.monotonic() + 10
        while control.alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not control.alive(child.pid)     # exited, not yet reaped
    finally:
        child.wait()


def test_claim_writes_our_pid_and_release_removes_it(pid_file):
    control.claim_pid_file(pid_file)
    assert control.pid_in(pid_file) == os.getpid()
    control.release_pid_file(pid_file)
    assert not os.path.exists(pid_file)


def test_claim_replaces_a_stale_pid_file(pid_file, caplog):
    write_instance(pid_file, dead_pid())
    control.claim_pid_file(pid_file)
    assert control.pid_in(pid_file) == os.getpid()
    assert 'Replacing stale pid file' in caplog.text


def test_claim_refuses_a_live_instance(pid_file):
    parent = os.getppid()
    write_instance(pid_file, parent)
    with pytest.raises(errors.StartupError) as info:
        control.claim_pid_file(pid_file)
    assert info.value.exit_code == control.EXIT_ALREADY_RUNNING == 71
    assert 'already running as pid %d' % parent in str(info.value)
    assert control.pid_in(pid_file) == parent


def test_release_leaves_another_pid_alone(pid_file):
    write_instance(pid_file, os.getppid())
    control.release_pid_file(pid_file)
    assert control.pid_in(pid_file) == os.getppid()


def test_status_not_running(pid_file, capsys):
    assert control.status(pid_file) == 3
    assert 'not running (no pid file' in capsys.readouterr().out


def test_status_stale_pid_file(pid_file, capsys):
    pid = dead_pid()
    write_instance(pid_file, pid)
    assert control.status(pid_file) == 1
    assert 'pid %d' % pid in capsys.readouterr().out


def test_status_ready(pid_file, capsys):
    write_instance(pid_file, os.getpid(), document(os.getpid()))
    assert control.status(pid_file) == 0
    out = capsys.readouterr().out
    assert 'service-all is ready: pid %d, up 1h 02m' % os.getpid() in out
    assert 'http://127.0.0.1:35357' in out and 'http://127.0.0.1:5000' in out
    assert '%d (ready)' % os.getpid() in out


@pytest.mark.parametrize('state, code', [
    ('starting', 1), ('degraded', 1), ('stopping', 1), ('reloading', 0)])
def test_status_states(pid_file, state, code):
    write_instance(pid_file, os.getpid(), document(os.getpid(), state))
    assert control.status(pid_file) == code


def test_status_without_document_is_unknown(pid_file):
    write_instance(pid_file, os.getpid(), document(dead_pid()))
    assert control.status(pid_file) == 4


def test_status_json(pid_file, capsys):
    write_instance(pid_file, os.getpid(), document(
        os.getpid(), last_reload={'at': time.time(), 'result': 'ok'}))
    assert control.status(pid_file, as_json=True) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc['running'] is True and doc['pid'] == os.getpid()
    assert doc['last_reload']['result'] == 'ok'


def test_describe_last_reload_and_restart_reason():
    doc = document(42, last_restart_reason='worker 43 killed by SIGKILL',
                   last_reload={'at': 100.0, 'result': 'refused: bad'})
    text = control.describe(doc, '/run/x.pid', now=doc['started_at'] + 5)
    assert 'worker 43 killed by SIGKILL' in text
    assert 'last reload: refused: bad' in text


@pytest.mark.parametrize('seconds, text', [
    (0, '0s'), (59, '59s'), (61, '1m 01s'), (3600, '1h 00m'),
    (90061, '1d 1h')])
def test_duration(seconds, text):
    assert control.duration(seconds) == text


def test_stop_when_not_running(pid_file, capsys):
    assert control.stop(pid_file, 60) == 0
    assert 'not running' in capsys.readouterr().out


def test_stop_removes_a_stale_pid_file(pid_file, capsys):
    write_instance(pid_file, dead_pid())
    assert control.stop(pid_file, 60) == 0
    assert not os.path.exists(pid_file)
    assert 'stale pid file' in capsys.readouterr().out


def test_reload_when_not_running(pid_file):
    assert control.reload(pid_file, True, 60) == control.EXIT_NOT_RUNNING


def test_daemon_parent_parses_pipe_lines(tmp_path):
    link = daemon.Daemon(str(tmp_path / 'x.pid'), str(tmp_path / 'x.log'))
    rest = link.parse(b'pid 123\nfail 78 [DEFAULT] bad = 1 is not valid\nfa')
    assert rest == b'fa'
    assert link.pid == 123
    assert link.failure == (78, '[DEFAULT] bad = 1 is not valid')
    assert link.outcome(pipe_closed=False) == 78


def test_claim_of_an_unwritable_pid_file_is_a_config_error(tmp_path):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('')
    path = str(blocker / 'service-all.pid')
    with pytest.raises(errors.StartupError) as info:
        control.claim_pid_file(path)
    assert info.value.exit_code == errors.EXIT_CONFIG
    assert str(info.value).startswith('pid file %s cannot be written (' % path)
