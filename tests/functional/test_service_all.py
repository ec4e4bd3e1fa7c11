"""service-all as a real process: HTTP, TLS, mutual TLS, IPv6, onready."""

import http.client
import json
import os
import pathlib
import re
import signal
import socket
import shutil
import sys
import uuid

import pytest
import sqlalchemy as sa

from keystone_like.conf import opts
from tests.support import databases
from tests.support import identity
from tests.support import service

PROBE_HOOK = '''\
"""onready hook written by the test: records what both listeners say."""

import socket

MARKER = {marker!r}
HOST = {host!r}
PORTS = {ports!r}


def status(port):
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(b'GET / HTTP/1.1\\r\\nHost: probe\\r\\n'
                     b'Connection: close\\r\\n\\r\\n')
        head = b''
        while b'\\r\\n' not in head:
            data = sock.recv(1024)
            if not data:
                return 'closed'
            head += data
        return head.split(b' ')[1].decode()


def notify():
    line = ' '.join(status(port) for port in PORTS)
    with open(MARKER, 'a') as f:
        f.write(line + '\\n')
'''

FAILING_HOOK = '''\
def notify():
    raise RuntimeError('hook exploded on purpose')
'''

# A command hook: asks both listeners for / and appends their statuses.
PROBE_COMMAND = (
    "import sys, http.client as h; "
    "c = [h.HTTPConnection('127.0.0.1', int(p), timeout=5) "
    "for p in sys.argv[2:]]; "
    "[x.request('GET', '/') for x in c]; "
    "s = [str(x.getresponse().status) for x in c]; "
    "open(sys.argv[1], 'a').write(' '.join(s) + chr(10))")


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def ipv6_loopback():
    """True when ::1 can be bound here."""
    if not socket.has_ipv6:
        return False
    try:
        service.free_port('::1')
    except OSError:
        return False
    return True


def assert_endpoints_answer(svc, context=None):
    """GET / is 300 with a v3 Location and GET /v3 is 200 on both."""
    scheme = 'https' if context is not None else 'http'
    for listener, port in (('admin', svc.admin_port),
                           ('public', svc.public_port)):
        status, headers, _ = svc.get(listener, '/', context=context)
        assert status == 300, (listener, status)
        assert headers['Location'] == '%s://%s:%d/v3/' % (
            scheme, service.format_host(svc.host), port)
        status, _, body = svc.get(listener, '/v3', context=context)
        assert status == 200, (listener, status, body)


def tls_sections(certs, **extra):
    sections = {'ssl': {'enable': True, 'certfile': certs.server_cert,
                        'keyfile': certs.server_key}}
    sections.update(extra)
    return sections


@pytest.mark.parametrize('command', [
    None,
    [sys.executable, str(service.BIN_SERVICE_ALL)],
    [str(pathlib.Path(sys.executable).parent / 'service-all')],
], ids=['python-m', 'bin-wrapper', 'console-script'])
def test_both_endpoints_answer_plain_http(services, command):
    svc = services(command=command).start()
    assert_endpoints_answer(svc)
    assert svc.stop() == 0
    assert 'Finished server process [%d]' % svc.pid in svc.log


def test_both_endpoints_answer_tls(services, certs):
    svc = services(sections=tls_sections(certs)).start()
    assert_endpoints_answer(svc, service.client_context(certs.ca_cert))


def test_mutual_tls_on_admin_only(services, certs):
    svc = services(sections=tls_sections(
        certs, ssl_admin={'cert_required': True,
                          'ca_certs': certs.ca_cert})).start()
    anonymous = service.client_context(certs.ca_cert)
    stranger = service.client_context(certs.ca_cert,
                                      certs.other_client_cert,
                                      certs.other_client_key)
    member = service.client_context(certs.ca_cert, certs.client_cert,
                                    certs.client_key)
    for context in (anonymous, stranger):
        with pytest.raises((OSError, http.client.HTTPException)):
            svc.get('admin', '/', context=context)
    assert svc.get('admin', '/', context=member)[0] == 300
    assert svc.get('admin', '/v3', context=member)[0] == 200
    # The public listener stays one-way TLS.
    assert svc.get('public', '/', context=anonymous)[0] == 300
    # Rejected handshakes never stopped the admin accept loop.
    assert svc.get('admin', '/', context=member)[0] == 300


@pytest.mark.skipif(not ipv6_loopback(), reason='::1 is not available')
def test_ipv6_loopback_listeners(services):
    svc = services(host='::1').start()
    assert_endpoints_answer(svc)


def test_onready_module_fires_once_after_both_listeners_answer(
        services, tmp_path):
    hooks = tmp_path / 'hooks'
    hooks.mkdir()
    marker = tmp_path / 'ready.txt'
    svc = services(env={'PYTHONPATH': service.pythonpath(hooks)},
                   sections={'DEFAULT': {'onready': 'ready_probe_hook'}})
    (hooks / 'ready_probe_hook.py').write_text(PROBE_HOOK.format(
        marker=str(marker), host=svc.host, ports=list(svc.ports)))
    svc.start()
    service.wait_for(marker.exists, 10, 'the onready marker')
    assert_endpoints_answer(svc)
    assert svc.stop() == 0
    # Written by notify() itself: both listeners answered before it ran.
    assert marker.read_text().splitlines() == ['300 300']
    assert 'onready: calling ready_probe_hook.notify()' in svc.log


def test_onready_command_fires_once_after_both_listeners_answer(
        services, tmp_path):
    marker = tmp_path / 'ready.txt'
    svc = services()
    command = '%s -c "%s" %s %d %d' % (sys.executable, PROBE_COMMAND,
                                       marker, *svc.ports)
    svc.sections['DEFAULT']['onready'] = command
    svc.start()
    service.wait_for(marker.exists, 10, 'the onready marker')
    assert_endpoints_answer(svc)
    assert svc.stop() == 0
    assert marker.read_text().splitlines() == ['300 300']


def test_failing_onready_command_is_logged_and_service_keeps_serving(
        services):
    svc = services(sections={'DEFAULT': {
        'onready': '%s -c "raise SystemExit(1)"' % sys.executable}}).start()
    svc.wait_log('exited with status 1')
    assert_endpoints_answer(svc)
    assert svc.running()


def test_failing_onready_module_is_logged_and_service_keeps_serving(
        services, tmp_path):
    hooks = tmp_path / 'hooks'
    hooks.mkdir()
    (hooks / 'failing_ready_hook.py').write_text(FAILING_HOOK)
    svc = services(env={'PYTHONPATH': service.pythonpath(hooks)},
                   sections={'DEFAULT': {'onready': 'failing_ready_hook'}})
    svc.start()
    svc.wait_log('hook exploded on purpose')
    assert 'Traceback' not in svc.log
    assert_endpoints_answer(svc)
    assert svc.running()


@pytest.fixture(params=['path', 'abstract'])
def notify_socket(request, tmp_path):
    """An AF_UNIX datagram socket standing in for systemd's.

    Returns the socket and the NOTIFY_SOCKET value: a path, or an
    abstract-namespace name written with systemd's leading "@".
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == 'path':
        address = str(tmp_path / 'notify.sock')
        if len(address) >= 100:
            pytest.skip('tmp_path is too long for an AF_UNIX address')
        sock.bind(address)
    else:
        name = 'keystone_like-test-%d-%s' % (os.getpid(), tmp_path.name)
        sock.bind('\0' + name)
        address = '@' + name
    sock.settimeout(10)
    yield sock, address
    sock.close()


def test_systemd_notifier_sends_ready_and_stopping(services, notify_socket):
    sock, path = notify_socket
    svc = services(env={'NOTIFY_SOCKET': path}, sections={
        'DEFAULT': {'onready': 'keystone_like.server.systemd'}}).start()
    message = sock.recv(4096).decode()
    assert 'READY=1' in message.splitlines()
    assert_endpoints_answer(svc)
    svc.send_signal(signal.SIGTERM)
    message = sock.recv(4096).decode()
    assert 'STOPPING=1' in message.splitlines()
    assert svc.wait_exit() == 0


def test_dead_notify_socket_does_not_break_start_or_stop(services, tmp_path):
    # NOTIFY_SOCKET inherited from a unit but nothing listens there.
    svc = services(env={'NOTIFY_SOCKET': str(tmp_path / 'gone.sock')},
                   sections={'DEFAULT': {
                       'onready': 'keystone_like.server.systemd'}}).start()
    assert_endpoints_answer(svc)
    svc.send_signal(signal.SIGTERM)
    assert svc.wait_exit() == 0, svc.log
    assert 'Traceback' not in svc.log
    assert 'Cannot notify systemd' in svc.log
    assert 'Finished server process' in svc.log


def secret_database_connection():
    """True when ``[database] connection`` exists and is a secret option."""
    groups = dict(opts.list_opts())
    return any(opt.name == 'connection' and opt.secret
               for opt in groups.get('database', ()))


def test_debug_logs_option_values_but_no_secrets(services, tmp_path):
    secret = 'pw-%s' % tmp_path.name
    sections = {}
    if secret_database_connection():
        # A migrated copy of the shared database under a secret name.
        database = tmp_path / ('%s.db' % secret)
        shutil.copy(pathlib.Path(identity.shared_state_dir())
                    / 'keystone_like.db', database)
        sections['database'] = {'connection': 'sqlite:///%s' % database}
    svc = services(sections=sections, extra_args=['--debug']).start()
    token = 'tok-s3cr3t-value-%s' % svc.admin_port
    for listener in ('admin', 'public'):
        status, _, _ = svc.get(
            listener, '/v3?token=%s' % token,
            headers={'X-Auth-Token': token, 'X-Subject-Token': token})
        assert status == 200
    svc.wait_log('"GET /v3 HTTP/1.1" 200')
    assert svc.stop() == 0
    log = svc.log
    # The launcher's options, then the identity application's.
    dump = [re.split(r' DEBUG keystone_like\.(?:server\.config|conf) ',
                     line, maxsplit=1)[1]
            for line in log.splitlines()
            if re.search(r' DEBUG keystone_like\.(?:server\.config|conf) ',
                         line)]
    assert ['debug', '=', 'True'] in [line.split() for line in dump], log
    assert any(line.startswith('eventlet_server.pool_size ')
               for line in dump), log
    if sections:
        assert any(line.startswith('database.connection ') and '****' in line
                   for line in dump), log
    assert secret not in log
    assert token not in log


def test_debug_masks_a_database_password_and_request_secrets(services,
                                                             tmp_path):
    password = 'db-pw-%s' % uuid.uuid4().hex[:8]
    user_password = 'user-pw-%s' % uuid.uuid4().hex[:8]
    with databases.migrated_postgres(tmp_path) as url:
        # Trust authentication ignores the password: only its masking
        # is under test.
        secret_url = sa.engine.make_url(url).set(
            password=password).render_as_string(hide_password=False)
        svc = services(sections={'database': {'connection': secret_url}},
                       extra_args=['--debug']).start()
        login = json.dumps({'auth': {'identity': {
            'methods': ['password'], 'password': {'user': {
                'name': 'nobody', 'domain': {'id': 'default'},
                'password': user_password}}}}})
        for listener in ('admin', 'public'):
            port = svc.admin_port if listener == 'admin' else svc.public_port
            conn = http.client.HTTPConnection(svc.host, port, timeout=10)
            conn.request('POST', '/v3/auth/tokens?password=%s' % password,
                         body=login, headers={
                             'Content-Type': 'application/json',
                             'X-Auth-Token': user_password})
            assert conn.getresponse().status == 401
            conn.close()
        svc.wait_log('"POST /v3/auth/tokens HTTP/1.1" 401')
        assert svc.stop() == 0
    log = svc.log
    assert any(' DEBUG ' in line and 'database.connection' in line
               and '****' in line for line in log.splitlines()), log
    assert password not in log
    assert user_password not in log


def test_standard_streams_are_quiet_on_a_clean_run(services):
    svc = services().start()
    assert svc.stop() == 0
    assert svc.stdout == ''
    assert not re.search(r'\w+Warning: ', svc.log), svc.log


def test_urls_that_are_not_utf8_are_400_with_one_log_line_each(services):
    svc = services().start()
    paths = ['/%ff%fe', '/v3/%ff', '/v3/users/%c0%af',
             '/v3/auth/tokens?nocatalog=%ff']
    before = len(svc.stderr_lines())
    for listener in ('admin', 'public'):
        for path in paths:
            status, headers, body = svc.get(listener, path)
            assert status == 400, (listener, path, body)
            assert headers['Content-Type'] == 'application/json'
            assert b'UTF-8' in body
    service.wait_for(
        lambda: len(svc.stderr_lines()) >= before + 2 * len(paths), 5,
        'the access log lines')
    assert svc.stop() == 0
    lines = svc.stderr_lines()[before:]
    logged = [line for line in lines if 'keystone_like.access' in line]
    assert len(logged) == 2 * len(paths), lines
    assert all('" 400 ' in line for line in logged), logged
    assert 'Traceback' not in svc.log
    assert 'ERROR' not in svc.log
