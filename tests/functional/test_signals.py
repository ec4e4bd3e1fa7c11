"""Real signals to a real service-all: graceful drain, forced exit."""

import http.client
import signal
import socket
import threading

import pytest

from keystone_like.server import errors
from tests.support import service

SLOW_APP = '''\
"""A paste app whose /slow takes a while; the marker says it has begun."""

import time


def app_factory(global_conf, marker, delay='2', **local_conf):
    delay = float(delay)

    def app(environ, start_response):
        if environ['PATH_INFO'] == '/slow':
            with open(marker, 'a') as f:
                f.write('started\\n')
            time.sleep(delay)   # green: the process is monkey-patched
        body = b'finished'
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    return app
'''

SLOW_PASTE = '''\
[app:main]
paste.app_factory = slow_app:app_factory
marker = {marker}
delay = {delay}

[app:admin]
paste.app_factory = slow_app:app_factory
marker = {marker}
delay = {delay}
'''


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


class SlowService:
    """A service-all serving SLOW_APP, and a client of its /slow."""

    def __init__(self, services, tmp_path, delay):
        modules = tmp_path / 'modules'
        modules.mkdir()
        (modules / 'slow_app.py').write_text(SLOW_APP)
        self.marker = tmp_path / 'slow-started'
        paste = tmp_path / 'slow-paste.ini'
        paste.write_text(SLOW_PASTE.format(marker=self.marker, delay=delay))
        self.svc = services(
            env={'PYTHONPATH': service.pythonpath(modules)},
            sections={'paste_deploy': {'config_file': str(paste)},
                      'eventlet_server': {'graceful_shutdown_timeout': 30}})
        self.svc.start()
        self.result = {}
        self.thread = None

    def request_slow(self):
        """GET /slow in a thread; return once the app is running it."""
        def call():
            try:
                self.result['response'] = service.http_request(
                    self.svc.host, self.svc.public_port, '/slow',
                    timeout=15)
            except (OSError, http.client.HTTPException) as exc:
                self.result['error'] = exc
        self.thread = threading.Thread(target=call, daemon=True)
        self.thread.start()
        service.wait_for(self.marker.exists, 10, 'the slow request')

    def slow_result(self, timeout=10):
        """Wait for the client thread; return what it got."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), 'the slow request never ended'
        return self.result


def refuses(host, port):
    """True when nothing accepts connections on ``host``:``port``."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_stop_signal_lets_the_request_in_flight_finish(
        services, tmp_path, signum):
    slow = SlowService(services, tmp_path, delay=2)
    svc = slow.svc
    slow.request_slow()
    svc.send_signal(signum)
    # New connections are refused at once while the request finishes.
    service.wait_for(lambda: refuses(svc.host, svc.admin_port), 5,
                     'the admin listener to close')
    service.wait_for(lambda: refuses(svc.host, svc.public_port), 5,
                     'the public listener to close')
    assert svc.running(), svc.log
    status, headers, body = slow.slow_result()['response']
    assert (status, body) == (200, b'finished')
    assert headers.get('Connection') == 'close'
    assert svc.wait_exit() == errors.EXIT_OK
    assert 'Shutting down (%s)' % signal.Signals(signum).name in svc.log
    assert 'Finished server process [%d]' % svc.pid in svc.log


def test_second_sigint_exits_at_once(services, tmp_path):
    slow = SlowService(services, tmp_path, delay=20)
    svc = slow.svc
    slow.request_slow()
    svc.send_signal(signal.SIGINT)
    svc.wait_log('Shutting down (SIGINT)')
    svc.send_signal(signal.SIGINT)
    # Well before the 20 s request or the 30 s drain could end.
    assert svc.wait_exit(timeout=5) == errors.EXIT_INTERRUPTED
    assert 'error' in slow.slow_result()


def test_idle_keep_alive_connection_is_closed_on_sigterm(services):
    svc = services(sections={
        'eventlet_server': {'graceful_shutdown_timeout': 30,
                            'keepalive_timeout': 60}}).start()
    conn = http.client.HTTPConnection(svc.host, svc.public_port, timeout=5)
    try:
        conn.request('GET', '/v3')
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        assert response.getheader('Connection') != 'close'
        svc.send_signal(signal.SIGTERM)
        # The server closes the idle connection: EOF, well within the
        # 60 s keep-alive and 30 s drain limits.
        assert conn.sock.recv(1) == b''
    finally:
        conn.close()
    assert svc.wait_exit(timeout=5) == errors.EXIT_OK


def test_sighup_without_workers_is_logged_and_ignored(services):
    svc = services().start()
    svc.send_signal(signal.SIGHUP)
    svc.wait_log('SIGHUP received')
    assert svc.get('public', '/v3')[0] == 200
    assert svc.stop() == errors.EXIT_OK
