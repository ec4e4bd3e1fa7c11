"""service-all start/stop/restart/status/reload against a real foreground
service (single-process mode), through its pid file."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from keystone_like.server.control import verbs as control
from keystone_like.server import errors
from keystone_like.server.control import status
from tests.support import service

CLI_TIMEOUT = 60

SLOW_APP = '''\
"""A paste app whose /slow sleeps; the marker says the request began."""

import time


def app_factory(global_conf, marker, **local_conf):
    def app(environ, start_response):
        if environ['PATH_INFO'] == '/slow':
            with open(marker, 'a') as f:
                f.write('started\\n')
            time.sleep(30)      # green: the process is monkey-patched
        start_response('200 OK', [('Content-Length', '2')])
        return [b'ok']
    return app
'''

SLOW_PASTE = '''\
[app:main]
paste.app_factory = slow_app:app_factory
marker = {marker}

[app:admin]
paste.app_factory = slow_app:app_factory
marker = {marker}
'''


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def command(svc, *args):
    """Return the argv of ``service-all ARGS --config-file <svc's>``."""
    return [sys.executable, '-m', 'keystone_like.cmd.all', *args,
            '--config-file', str(svc.config_path)]


def cli(svc, *args):
    """Run a control command for ``svc``; return the CompletedProcess."""
    return subprocess.run(command(svc, *args), capture_output=True,
                          text=True, timeout=CLI_TIMEOUT,
                          cwd=str(svc.directory), stdin=subprocess.DEVNULL)


def pid_file(svc):
    """The pid file ``svc`` is configured with."""
    return str(svc.sections['DEFAULT']['pid_file'])


def test_status_then_stop_a_foreground_service(services):
    svc = services().start()
    result = cli(svc, 'status')
    assert result.returncode == 0, result
    for port in svc.ports:
        assert 'http://127.0.0.1:%d' % port in result.stdout
    assert 'service-all is ready: pid %d' % svc.pid in result.stdout
    assert '%d (ready)' % svc.pid in result.stdout
    result = cli(svc, 'stop')
    assert result.returncode == 0, result
    assert 'stopped (pid %d)' % svc.pid in result.stdout
    assert svc.wait_exit() == errors.EXIT_OK
    assert not os.path.exists(pid_file(svc))
    assert not os.path.exists(status.status_path(pid_file(svc)))
    result = cli(svc, 'status')
    assert result.returncode == control.EXIT_STATUS_NOT_RUNNING == 3
    assert 'not running' in result.stdout


def test_status_json_is_the_status_document(services):
    svc = services().start()
    result = cli(svc, 'status', '--json')
    assert result.returncode == 0, result
    doc = json.loads(result.stdout)
    assert (doc['pid'], doc['mode'], doc['state']) == (svc.pid, 'single',
                                                       'ready')
    assert doc['listeners']['public']['url'] == \
        'http://127.0.0.1:%d' % svc.public_port
    assert doc['listeners']['admin']['workers'][0] == dict(
        doc['listeners']['admin']['workers'][0], pid=svc.pid, ready=True)


def test_a_second_start_is_refused_while_running(services):
    svc = services().start()
    second = services(sections={'DEFAULT': {'pid_file': pid_file(svc)}})
    assert second.run_to_exit() == control.EXIT_ALREADY_RUNNING == 71
    assert second.stderr_lines() == [
        'service-all: already running as pid %d (pid file %s); stop it with '
        '"service-all stop" or use another pid_file.'
        % (svc.pid, pid_file(svc))]
    assert service.port_is_free('127.0.0.1', second.public_port)
    assert svc.get('public')[0] == 300
    assert control.pid_in(pid_file(svc)) == svc.pid


def test_a_stale_pid_file_is_replaced_with_a_warning(services, tmp_path):
    gone = subprocess.Popen([sys.executable, '-c', 'pass'])
    gone.wait()
    svc = services()
    os.makedirs(os.path.dirname(pid_file(svc)), exist_ok=True)
    with open(pid_file(svc), 'w') as f:
        f.write('%d\n' % gone.pid)
    svc.start()
    assert 'Replacing stale pid file %s (pid %d is not running)' % (
        pid_file(svc), gone.pid) in svc.log
    assert control.pid_in(pid_file(svc)) == svc.pid
    assert svc.stop() == 0
    assert not os.path.exists(pid_file(svc))


def test_reload_in_single_process_mode_says_to_restart(services):
    svc = services().start()
    result = cli(svc, 'reload')
    assert result.returncode == control.EXIT_UNIMPLEMENTED == 3, result
    assert 'single-process mode' in result.stderr
    assert 'service-all restart' in result.stderr
    assert 'SIGHUP' not in svc.log          # nothing was sent
    assert svc.running() and svc.get('public', '/v3')[0] == 200


def test_commands_when_not_running(services):
    svc = services()
    svc.write_config()
    result = cli(svc, 'status')
    assert (result.returncode, result.stdout) == (3, (
        'service-all is not running (no pid file at %s).\n' % pid_file(svc)))
    result = cli(svc, 'stop')
    assert result.returncode == 0 and 'not running' in result.stdout
    result = cli(svc, 'reload')
    assert result.returncode == control.EXIT_NOT_RUNNING == 7
    assert 'not running' in result.stderr


def test_status_of_a_service_that_died_leaving_its_pid_file(services):
    svc = services().start()
    os.kill(svc.pid, signal.SIGKILL)
    svc.wait_exit()
    result = cli(svc, 'status')
    assert result.returncode == 1, result
    assert 'pid %d in %s is gone' % (svc.pid, pid_file(svc)) in result.stdout
    result = cli(svc, 'stop')
    assert result.returncode == 0 and 'stale pid file' in result.stdout
    assert not os.path.exists(pid_file(svc))


def test_restart_stops_then_starts_with_the_same_arguments(services):
    svc = services().start()
    restarted = subprocess.Popen(
        command(svc, 'restart'), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        cwd=str(svc.directory))
    try:
        assert svc.wait_exit() == 0
        service.wait_for(lambda: cli(svc, 'status').returncode == 0, 30,
                         'the restarted service to be ready')
        assert control.pid_in(pid_file(svc)) == restarted.pid
        assert svc.get('public')[0] == 300
        result = cli(svc, 'stop')
        assert result.returncode == 0, result
        assert restarted.wait(10) == 0
    finally:
        if restarted.poll() is None:
            restarted.kill()
        restarted.wait(10)
        restarted.stderr.close()


def test_stop_fast_does_not_wait_for_requests_in_flight(services, tmp_path):
    modules = tmp_path / 'modules'
    modules.mkdir()
    (modules / 'slow_app.py').write_text(SLOW_APP)
    marker = tmp_path / 'slow-started'
    paste = tmp_path / 'slow-paste.ini'
    paste.write_text(SLOW_PASTE.format(marker=marker))
    svc = services(env={'PYTHONPATH': service.pythonpath(modules)},
                   sections={'paste_deploy': {'config_file': str(paste)},
                             'eventlet_server': {
                                 'graceful_shutdown_timeout': 60}}).start()

    def slow_request():
        try:
            service.http_request('127.0.0.1', svc.public_port, '/slow',
                                 timeout=20)
        except (OSError, http.client.HTTPException):
            pass                # cut off by the fast stop: expected
    client = threading.Thread(target=slow_request, daemon=True)
    client.start()
    service.wait_for(marker.exists, 10, 'the slow request to begin')
    result = cli(svc, 'stop', '--fast')
    assert result.returncode == 0, result
    assert svc.wait_exit() == errors.EXIT_INTERRUPTED
    assert not os.path.exists(pid_file(svc))
    assert 'exiting without draining' in svc.log
    client.join(10)
