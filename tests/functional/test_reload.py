"""SIGHUP in worker mode: zero-loss reload, refusal, rollback, new certs."""

import concurrent.futures
import http.client
import re
import shutil
import signal
import socket
import ssl
import time

import pytest

from keystone_like.server import errors
from tests.functional import test_workers as workers
from tests.support import certs as certs_support
from tests.support import service

RELOADS = 5
services = workers.services     # the fixture


def reload_and_wait(svc, document, timeout=20):
    """SIGHUP; return (new status document, seconds) once it is serving."""
    old_pids = workers.worker_pids(document)
    generation = document['generation'] + 1
    started = time.monotonic()
    svc.send_signal(signal.SIGHUP)
    document = service.wait_for(
        lambda: workers.all_ready(svc, generation, exclude=old_pids),
        timeout, 'generation %d' % generation)
    return document, time.monotonic() - started


def test_reloads_under_load_lose_and_duplicate_nothing(services, tmp_path):
    rid = workers.RidService(services, tmp_path)
    svc = rid.svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    seconds = []
    with workers.Load(svc.host, svc.ports) as load:
        load.wait_for(1000)
        for _ in range(RELOADS):
            started = time.monotonic()
            old_pids = workers.worker_pids(document)
            document, took = reload_and_wait(svc, document)
            seconds.append(took)
            # Every worker was replaced, and the old ones drain and go.
            assert not set(old_pids) & set(workers.worker_pids(document))
            service.wait_for(
                lambda: not any(workers.alive(p) for p in old_pids), 15,
                'the old generation to exit')
            load.wait_for(1000)
            # Keep-alive connections older than the drain's grace for
            # fresh ones (1 s), so that the next drain closes idle ones.
            time.sleep(max(0, 1.2 - (time.monotonic() - started)))
    counts = load.counts
    served = rid.served()
    master = [float(x) for x in re.findall(r'Reload complete in ([\d.]+)s',
                                           svc.log)]
    workers.report('reloads', reloads=RELOADS, sent=counts['sent'],
                   succeeded=counts['succeeded'], lost=counts['lost'],
                   keepalive_reused=counts['keepalive_reused'],
                   keepalive_closed_retried=counts[
                       'keepalive_closed_retried'],
                   connection_close=counts['connection_close_received'],
                   duplicates=sum(1 for n in served.values() if n > 1),
                   reload_seconds_master='/'.join('%.3f' % x for x in master),
                   reload_seconds_observed='/'.join('%.3f' % x
                                                    for x in seconds))
    assert counts['lost'] == 0, load.failures[:10]
    assert counts['succeeded'] == counts['sent']
    assert sorted(load.succeeded) == sorted(served)       # each one once...
    assert max(served.values()) == 1                      # ...and only once
    assert document['last_reload']['result'] == 'ok'
    assert document['generation'] == 1 + RELOADS
    assert svc.stop() == errors.EXIT_OK


def test_an_invalid_config_is_refused_and_the_old_generation_serves(
        services, tmp_path):
    rid = workers.RidService(services, tmp_path, admin=1, public=1)
    svc = rid.svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    pids = workers.worker_pids(document)
    good = svc.config_path.read_text()
    svc.config_path.write_text(good.replace(
        'admin_port = %d' % svc.admin_port, 'admin_port = 70000'))
    svc.send_signal(signal.SIGHUP)
    svc.wait_log('reload refused')
    line = [x for x in svc.stderr_lines() if 'reload refused' in x][0]
    assert '[DEFAULT] admin_port = 70000 is not valid' in line
    assert 'generation 1 keeps serving' in line
    document = service.wait_for(lambda: workers.all_ready(svc), 5, 'ready')
    assert document['last_reload']['result'].startswith('refused: ')
    assert workers.worker_pids(document) == pids
    for listener in ('admin', 'public'):
        assert svc.get(listener, '/v3')[0] == 200
    # Fixed, the next reload goes through.
    svc.config_path.write_text(good)
    document, _took = reload_and_wait(svc, document)
    assert document['last_reload']['result'] == 'ok'
    assert svc.stop() == errors.EXIT_OK


def test_a_generation_that_never_gets_ready_is_rolled_back(
        services, tmp_path):
    rid = workers.RidService(services, tmp_path, admin=1, public=1,
                             process={'reload_timeout': 1})
    svc = rid.svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    pids = workers.worker_pids(document)
    rid.marker('block-factory').touch()     # the new leader hangs loading
    svc.send_signal(signal.SIGHUP)
    svc.wait_log('reload rolled back')
    assert ('generation 2 was not ready within 1s (its leader was still '
            'loading); generation 1 keeps serving') in svc.log
    document = workers.status_of(svc)
    assert document['last_reload']['result'].startswith('rolled back: ')
    assert document['state'] == 'ready' and document['generation'] == 1
    assert workers.worker_pids(document) == pids
    # The stuck leader is gone: the master has one child again.
    service.wait_for(lambda: len(workers.children(svc.pid)) == 1, 10,
                     'the stuck leader to go')
    assert svc.get('public', '/v3')[0] == 200
    assert svc.stop() == errors.EXIT_OK


def test_a_reload_picks_up_new_tls_certificates(services, tmp_path, certs):
    cert, key = tmp_path / 'server.pem', tmp_path / 'server.key'
    shutil.copy(certs.server_cert, cert)
    shutil.copy(certs.server_key, key)
    svc = services(sections=workers.workers_sections(1, 1, ssl={
        'enable': True, 'certfile': cert, 'keyfile': key}))
    svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    assert _served_cert(svc) == _der(certs.server_cert)
    other = certs_support.generate(tmp_path / 'other')
    shutil.copy(other.server_cert, cert)
    shutil.copy(other.server_key, key)
    old_pids = workers.worker_pids(document)
    _document, took = reload_and_wait(svc, document)
    # The old generation accepts until it is told to drain, just after.
    service.wait_for(lambda: not any(workers.alive(p) for p in old_pids),
                     10, 'the old generation to exit')
    assert _served_cert(svc) == _der(other.server_cert)
    workers.report('reload with the identity pipeline and TLS',
                   reload_seconds_observed='%.3f' % took)
    assert svc.stop() == errors.EXIT_OK


def test_new_certificates_with_connections_in_flight(services, tmp_path,
                                                     certs):
    cert, key = tmp_path / 'server.pem', tmp_path / 'server.key'
    shutil.copy(certs.server_cert, cert)
    shutil.copy(certs.server_key, key)
    rid = workers.RidService(services, tmp_path, admin=1, public=1, ssl={
        'enable': True, 'certfile': cert, 'keyfile': key})
    svc = rid.svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    idle = _tls_connection(svc)
    assert _get(idle, '/?rid=before') == 200
    assert _peer_cert(idle) == _der(certs.server_cert)
    busy = _tls_connection(svc)
    assert _peer_cert(busy) == _der(certs.server_cert)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(_get, busy, '/slow?rid=in-flight')
        service.wait_for(rid.marker('slow-started').exists, 5,
                         'the slow request to start')
        other = certs_support.generate(tmp_path / 'other')
        shutil.copy(other.server_cert, cert)
        shutil.copy(other.server_key, key)
        document, _took = reload_and_wait(svc, document)
        # Served to the end by the old generation, on the old certificate.
        assert slow.result(timeout=10) == 200
    # The idle keep-alive connection was closed by the drain (or still
    # answers, if its request beat the drain); a new one gets the new cert.
    try:
        assert _get(idle, '/?rid=after-idle') == 200
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    fresh = _tls_connection(svc)
    assert _get(fresh, '/?rid=after') == 200
    assert _peer_cert(fresh) == _der(other.server_cert)
    assert rid.served()['in-flight'] == 1
    assert document['last_reload']['result'] == 'ok'
    for conn in (idle, busy, fresh):
        conn.close()
    assert svc.stop() == errors.EXIT_OK


def _tls_connection(svc):
    """A keep-alive HTTPS connection to the public listener (any cert)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(svc.host, svc.public_port,
                                       timeout=10, context=context)
    conn.connect()
    return conn


def _get(conn, path):
    conn.request('GET', path)
    response = conn.getresponse()
    response.read()
    return response.status


def _peer_cert(conn):
    return conn.sock.getpeercert(binary_form=True)


def _served_cert(svc):
    pem = ssl.get_server_certificate((svc.host, svc.public_port), timeout=5)
    return ssl.PEM_cert_to_DER_cert(pem)


def _der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def test_a_changed_port_is_bound_by_the_new_generation(services, tmp_path):
    rid = workers.RidService(services, tmp_path, admin=1, public=1)
    svc = rid.svc.start()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    old_port, new_port = svc.public_port, service.free_port()
    svc.config_path.write_text(svc.config_path.read_text().replace(
        'public_port = %d' % old_port, 'public_port = %d' % new_port))
    document, _took = reload_and_wait(svc, document)
    assert document['listeners']['public']['url'].endswith(':%d' % new_port)
    assert service.http_request(svc.host, new_port, '/v3')[0] == 200
    service.wait_for(lambda: service.port_is_free(svc.host, old_port), 10,
                     'the old port to be released')
    # The master holds the new socket: the next reload keeps it.
    svc.public_port = new_port
    reload_and_wait(svc, document)
    assert svc.get('public', '/v3')[0] == 200
    assert svc.stop() == errors.EXIT_OK


def test_systemd_hears_ready_reloading_and_stopping(services, tmp_path):
    address = str(tmp_path / 'notify.sock')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(10)
        svc = services(env={'NOTIFY_SOCKET': address}, sections=(
            workers.workers_sections(1, 1, DEFAULT={
                'onready': 'keystone_like.server.systemd'})))
        svc.start()
        document = service.wait_for(lambda: workers.all_ready(svc), 10,
                                    'ready')
        assert _notes(sock) == ['READY=1', 'STATUS=1 admin + 1 public '
                                'workers ready, generation 1']
        reload_and_wait(svc, document)
        assert _notes(sock)[0] == 'RELOADING=1'
        assert _notes(sock) == ['READY=1', 'STATUS=1 admin + 1 public '
                                'workers ready, generation 2']
        svc.send_signal(signal.SIGTERM)
        assert _notes(sock)[0] == 'STOPPING=1'
        assert svc.wait_exit() == errors.EXIT_OK
        sock.settimeout(0.2)
        # One READY=1 each time: the onready hook did not repeat it.
        with pytest.raises(socket.timeout):
            sock.recv(4096)


def _notes(sock):
    return sock.recv(4096).decode().splitlines()
