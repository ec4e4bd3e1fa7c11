"""TLS listeners: HTTPS, enforced client certificates, and an accept loop
that outlives clients which reset, stall or fail their handshake.

Certificates are made at test time (the ``certs`` fixture); server contexts
come from the service's own ``build_context``.
"""

import logging
import socket
import ssl
import struct
import time

import pytest

from keystone_like.server.config.listener import TLSSettings
from tests.support import inprocess

Client = inprocess.Client
GET = b'GET /v3 HTTP/1.1\r\nHost: localhost\r\n\r\n'


def tls_settings(certs, cert_required=False, handshake_timeout=2.0):
    """The TLS settings of a test listener (mutual TLS when required)."""
    return TLSSettings(
        certfile=certs.server_cert, keyfile=certs.server_key,
        ca_certs=certs.ca_cert if cert_required else None,
        cert_required=cert_required, minimum_version='TLSv1.2',
        ciphers=None, handshake_timeout=handshake_timeout)


def client_context(certs, cert=None, key=None, maximum_version=None):
    """A client context trusting the test CA, with an optional cert."""
    context = ssl.create_default_context(cafile=certs.ca_cert)
    if cert is not None:
        context.load_cert_chain(cert, key)
    if maximum_version is not None:
        context.maximum_version = maximum_version
    return context


def tls_client(server, context, timeout=5.0):
    """Connect and handshake; return a :class:`Client` on the TLS socket."""
    raw = socket.create_connection((server.host, server.port),
                                   timeout=timeout)
    try:
        return Client(context.wrap_socket(raw, server_hostname='localhost'))
    except BaseException:
        raw.close()
        raise


def https_get(server, context):
    """One GET /v3 on a new TLS connection; return the response."""
    with tls_client(server, context) as client:
        return client.request(GET)


def refused(server, context):
    """Return how a client without an acceptable certificate was refused.

    With TLS 1.2 the handshake fails; with TLS 1.3 the client finishes
    its side first and the refusal shows on its first read.
    """
    try:
        with tls_client(server, context) as client:
            client.send(GET)
            data = client.sock.recv(4096)
    except (ssl.SSLError, ConnectionError) as exc:
        return exc
    assert data == b'', 'got an answer: %r' % data[:100]
    return 'EOF'


def reset(sock):
    """Close ``sock`` with an RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack('ii', 1, 0))
    sock.close()


def client_hello(certs):
    """The bytes of a real TLS ClientHello, made without a socket."""
    context = client_context(certs)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname='localhost')
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


@pytest.fixture(scope='module')
def pipeline():
    """The real ``main`` paste pipeline."""
    return inprocess.load_pipeline('main')


def no_errors_logged(caplog):
    """Assert nothing was logged at ERROR or above."""
    errors = [r.getMessage() for r in caplog.records
              if r.levelno >= logging.ERROR]
    assert not errors, errors


LOOPBACKS = ['127.0.0.1', pytest.param('::1', marks=pytest.mark.skipif(
    not inprocess.has_ipv6_loopback(), reason='no IPv6 loopback'))]


@pytest.mark.parametrize('host', LOOPBACKS)
def test_https_request_works(certs, pipeline, host):
    with inprocess.running_listener(pipeline, host=host,
                                    tls=tls_settings(certs)) as server:
        assert server.url.startswith('https://')
        with tls_client(server, client_context(certs)) as client:
            root = client.request(b'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')
            assert root.status == 300
            # The links follow the scheme the request came in on.
            assert root.header('Location') == 'https://localhost/v3/'
            assert client.request(GET).status == 200


def test_tls_keep_alive_then_idle_timeout(certs, pipeline):
    with inprocess.running_listener(pipeline, tls=tls_settings(certs),
                                    keepalive_timeout=0.5) as server:
        with tls_client(server, client_context(certs)) as client:
            client.send(GET + GET)
            assert [client.response().status for _ in range(2)] == [200, 200]
            idle_since = time.monotonic()
            assert client.is_closed(timeout=3)
            assert time.monotonic() - idle_since >= 0.4


def test_tls_bad_request_is_answered_and_closed(certs, pipeline):
    with inprocess.running_listener(pipeline, tls=tls_settings(certs)) as s:
        with tls_client(s, client_context(certs)) as client:
            response = client.request(
                b'POST /v3 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n'
                b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
            assert response.status == 400
            assert response.header('Connection') == 'close'
            assert client.is_closed()


def test_tls_large_refused_body_gets_the_answer(certs, pipeline):
    # The refusal must survive the unread body behind it (no reset).
    size = 4 * 1024 * 1024
    with inprocess.running_listener(pipeline, tls=tls_settings(certs)) as s:
        with tls_client(s, client_context(certs), timeout=10) as client:
            response = client.request(inprocess.post_request(
                '/v3', b'x' * size, b'Content-Type: application/json'))
            assert response.status == 413
            assert response.header('Connection') == 'close'
            assert client.is_closed()


@pytest.fixture
def mtls_server(certs, pipeline):
    """A listener that requires a client certificate from the test CA."""
    with inprocess.running_listener(
            pipeline, tls=tls_settings(certs, cert_required=True)) as server:
        yield server


def test_mtls_accepts_a_client_with_a_valid_certificate(certs, mtls_server):
    context = client_context(certs, certs.client_cert, certs.client_key)
    assert https_get(mtls_server, context).status == 200


@pytest.mark.parametrize('version', [ssl.TLSVersion.TLSv1_2,
                                     ssl.TLSVersion.TLSv1_3])
@pytest.mark.parametrize('who', ['no-cert', 'other-ca'])
def test_mtls_refuses_clients_without_an_accepted_cert(
        certs, mtls_server, caplog, who, version):
    caplog.set_level(logging.INFO, logger='keystone_like.server')
    if who == 'no-cert':
        bad = client_context(certs, maximum_version=version)
    else:
        bad = client_context(certs, certs.other_client_cert,
                             certs.other_client_key, maximum_version=version)
    assert refused(mtls_server, bad)
    inprocess.wait_until(lambda: 'TLS handshake from' in caplog.text)
    # The listener keeps serving clients with a good certificate.
    good = client_context(certs, certs.client_cert, certs.client_key)
    assert https_get(mtls_server, good).status == 200
    no_errors_logged(caplog)


def test_clients_that_reset_around_the_handshake_do_not_stop_it(certs,
                                                                pipeline,
                                                                caplog):
    hello = client_hello(certs)
    address = None
    with inprocess.running_listener(pipeline, tls=tls_settings(certs)) as s:
        address = (s.host, s.port)
        for number in range(60):
            sock = socket.create_connection(address, timeout=5)
            stage = number % 4
            if stage == 1:       # half a ClientHello
                sock.sendall(hello[:len(hello) // 2])
            elif stage == 2:     # a whole one, reset during the answer
                sock.sendall(hello)
                assert sock.recv(5)
            elif stage == 3:     # not TLS at all
                sock.sendall(GET)
            reset(sock)
        assert https_get(s, client_context(certs)).status == 200
        # A plain HTTP client on the TLS port gets no answer, only a close.
        with Client.connect(s) as plain:
            plain.send(GET)
            assert plain.is_closed()
        assert https_get(s, client_context(certs)).status == 200
    no_errors_logged(caplog)


def test_client_that_never_handshakes_is_dropped(certs, pipeline, caplog):
    caplog.set_level(logging.INFO, logger='keystone_like.server')
    settings = tls_settings(certs, handshake_timeout=1.0)
    with inprocess.running_listener(pipeline, tls=settings) as server:
        with Client.connect(server) as silent:
            started = time.monotonic()
            # Served promptly while the silent one holds its connection.
            for _ in range(3):
                begun = time.monotonic()
                assert https_get(server, client_context(certs)).status == 200
                assert time.monotonic() - begun < 0.5
            assert silent.is_closed(timeout=4)
            waited = time.monotonic() - started
        assert 0.9 <= waited < 3, waited
        assert https_get(server, client_context(certs)).status == 200
    assert 'timed out after 1.0s' in caplog.text
