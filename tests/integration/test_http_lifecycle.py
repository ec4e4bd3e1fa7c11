"""A listener's life with many clients: head and keep-alive deadlines,
connection limits, a graceful drain, and an accept loop that survives
clients that reset and running out of file descriptors.
"""

import logging
import os
import resource
import socket
import struct
import threading
import time
import warnings

import pytest

from tests.support import inprocess

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    import eventlet

Client = inprocess.Client
get = inprocess.get_request
post = inprocess.post_request
timed_request = inprocess.timed_request


class App:
    """Echoes the body; ``/slow?S`` sleeps S seconds (green) first."""

    def __init__(self):
        self.entered = threading.Event()

    def __call__(self, environ, start_response):
        if environ['PATH_INFO'] == '/slow':
            self.entered.set()
            eventlet.sleep(float(environ['QUERY_STRING']))
            body = b'slow done'
        elif environ['PATH_INFO'] == '/ignore':
            body = b'ignored'
        else:
            body = environ['wsgi.input'].read()
        start_response('200 OK', [('Content-Length', str(len(body)))])
        return [body]


@pytest.fixture
def app():
    """A fresh test application."""
    return App()


@pytest.fixture
def serve(app):
    """``serve(app=None, **settings)`` starts a listener for the test."""
    with inprocess.listeners(app) as start:
        yield start


# -- deadlines and many clients ----------------------------------------------

def test_slow_head_is_cut_off_while_others_are_served(serve):
    server = serve(request_head_timeout=1.0)
    trickle = b'GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ' + b'a' * 100
    with Client.connect(server) as slow:
        started = time.monotonic()
        for byte in trickle:
            slow.send(bytes([byte]))
            response, took = timed_request(server, get('/echo'))
            assert response.status == 200
            assert took < 0.5, 'a fresh client waited %.2fs' % took
            if slow.answered(timeout=0.2):
                break
        cut_after = time.monotonic() - started
        response = slow.response()
        assert response.status == 408
        assert slow.is_closed()
    assert 0.9 <= cut_after < 2.0, cut_after


def test_silent_new_connection_is_closed_after_the_head_timeout(serve):
    server = serve(request_head_timeout=0.5)
    with Client.connect(server) as client:
        started = time.monotonic()
        assert client.is_closed(timeout=3)
        assert time.monotonic() - started >= 0.4


def test_keepalive_timeout_closes_an_idle_connection(serve):
    server = serve(keepalive_timeout=0.5, request_head_timeout=5)
    with Client.connect(server) as client:
        assert client.request(get('/echo')).status == 200
        idle_since = time.monotonic()
        assert client.is_closed(timeout=3)
        assert time.monotonic() - idle_since >= 0.4


def test_keep_alive_outlives_the_head_timeout(serve):
    # The head deadline bounds each request head, not the connection: a
    # keep-alive connection older than request_head_timeout still works.
    server = serve(request_head_timeout=0.3, keepalive_timeout=5)
    with Client.connect(server) as client:
        for _ in range(3):
            assert client.request(get('/echo')).status == 200
            assert not client.answered(timeout=0.4)


def _raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return None
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip('RLIMIT_NOFILE hard limit %d < %d' % (hard, needed))
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return soft, hard


def test_thousands_of_idle_keep_alive_clients_do_not_block(serve):
    count = 2000
    previous = _raise_nofile(2 * count + 256)
    server = serve()
    clients = []
    try:
        for _ in range(count):
            client = Client.connect(server, timeout=10)
            clients.append(client)
            client.send(get('/echo'))
        for client in clients:
            assert client.response().status == 200
        inprocess.wait_until(
            lambda: len(server.listener.connections) >= count, timeout=10)
        response, took = timed_request(server, post('/echo', b'fresh'))
        assert response.body == b'fresh'
        assert took < 2.0, 'the fresh request took %.2fs' % took
        # The idle ones still work too.
        assert clients[0].request(get('/echo')).status == 200
    finally:
        for client in clients:
            client.close()
        if previous is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, previous)


def test_max_connections_holds_new_clients_until_one_leaves(serve):
    server = serve(max_connections=2)
    first, second = Client.connect(server), Client.connect(server)
    try:
        for client in (first, second):
            assert client.request(get('/echo')).status == 200
        with Client.connect(server) as third:
            third.send(get('/echo'))
            assert not third.answered(timeout=0.3)
            first.close()
            assert third.response().status == 200
    finally:
        first.close()
        second.close()


# -- draining ----------------------------------------------------------------

def test_drain_finishes_in_flight_and_closes_idle(serve, app):
    server = serve()
    idle = Client.connect(server)
    busy = Client.connect(server)
    fresh = Client.connect(server)
    try:
        assert idle.request(get('/echo')).status == 200
        busy.send(get('/slow?0.5'))
        inprocess.wait_until(app.entered.is_set)
        # "fresh" is accepted but has not sent a byte: idle too.
        inprocess.wait_until(lambda: len(server.listener.connections) == 3)
        server.call(server.listener.stop_accepting).result(timeout=5)
        drained = server.call(server.listener.drain, 5)
        assert idle.is_closed(timeout=2), 'the idle connection stayed open'
        assert fresh.is_closed(timeout=2), 'the new connection stayed open'
        response = busy.response()
        assert (response.status, response.body) == (200, b'slow done')
        assert response.header('Connection') == 'close'
        assert busy.is_closed()
        assert drained.result(timeout=5) == 0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((server.host, server.port), timeout=2)
    finally:
        for client in (idle, busy, fresh):
            client.close()


def test_drain_cuts_requests_that_outlive_the_timeout(serve, app):
    server = serve(drain_timeout=0.1)
    with Client.connect(server) as busy:
        busy.send(get('/slow?30'))
        inprocess.wait_until(app.entered.is_set)
        started = time.monotonic()
        server.call(server.listener.stop_accepting).result(timeout=5)
        assert server.call(server.listener.drain, 0.3).result(timeout=5) == 1
        assert busy.is_closed(timeout=2)
        assert time.monotonic() - started < 2


# -- accept loop resilience --------------------------------------------------

def _reset(sock):
    """Close ``sock`` with an RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack('ii', 1, 0))
    sock.close()


def test_accept_loop_survives_clients_that_reset(serve, caplog):
    server = serve()
    for number in range(300):
        sock = socket.create_connection((server.host, server.port), timeout=5)
        if number % 3 == 1:
            sock.sendall(b'GET /echo HTTP/1.1\r\nHost: ')
        elif number % 3 == 2:
            sock.sendall(post('/ignore', b'x' * 100000))
        _reset(sock)
    response, took = timed_request(server, post('/echo', b'still here'))
    assert response.body == b'still here'
    assert took < 2.0, took
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _lowest_free_fd():
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)
    return fd


def test_accept_loop_backs_off_and_recovers_from_emfile(serve, caplog):
    caplog.set_level(logging.WARNING, logger='keystone_like.server')
    server = serve()
    clients = [socket.socket(server.family) for _ in range(3)]
    for sock in clients:
        sock.settimeout(5)
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        # From here no new descriptor can be opened in this process: the
        # clients use sockets made above, the listener's accept() fails.
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (_lowest_free_fd(), limits[1]))
        for sock in clients:
            sock.connect((server.host, server.port))
            sock.sendall(get('/echo'))
        inprocess.wait_until(lambda: 'cannot accept' in caplog.text,
                             timeout=5)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, limits)
    try:
        for sock in clients:
            assert Client(sock).response().status == 200
    finally:
        for sock in clients:
            sock.close()
    assert 'Too many open files' in caplog.text
    assert timed_request(server, get('/echo'))[0].status == 200
