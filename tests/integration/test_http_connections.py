"""Connection behaviour of a real listener: keep-alive, pipelining,
request bodies and ``100 Continue``, and how responses are framed.

Clients are raw blocking sockets; apps are a small routing WSGI app (it
runs in the listener's hub thread, so it waits with ``eventlet.sleep``) and
the real paste pipeline.
"""

import json
import warnings

import pytest

from keystone_like import conf
from tests.support import inprocess

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    import eventlet

Client = inprocess.Client
SECRET = 'SECRET-2c9d41f7'
get = inprocess.get_request
post = inprocess.post_request


# -- the test application ---------------------------------------------------

class App:
    """Routes by path to small behaviours; records what it was asked."""

    def __init__(self):
        self.calls = []

    def __call__(self, environ, start_response):
        self.calls.append(environ['PATH_INFO'])
        name = environ['PATH_INFO'].strip('/').replace('-', '_') or 'echo'
        return getattr(self, 'route_' + name)(environ, start_response)

    @staticmethod
    def _reply(start_response, body, status='200 OK', headers=()):
        start_response(status, [('Content-Type', 'application/octet-stream'),
                                ('Content-Length', str(len(body)))]
                       + list(headers))
        return [body]

    def route_echo(self, environ, start_response):
        """Answer the request body, with the method and path as headers."""
        body = environ['wsgi.input'].read()
        return self._reply(start_response, body, headers=[
            ('X-Method', environ['REQUEST_METHOD']),
            ('X-Path', environ['PATH_INFO']),
            ('X-Query', environ['QUERY_STRING'])])

    def route_lines(self, environ, start_response):
        """Read the body line by line and answer how many lines it had."""
        lines = list(environ['wsgi.input'])
        return self._reply(start_response, json.dumps(
            [line.decode() for line in lines]).encode())

    def route_ignore(self, environ, start_response):
        """Answer without reading the body."""
        return self._reply(start_response, b'ignored')

    def route_refuse(self, environ, start_response):
        """Answer 413 without reading the body, as a size limit does."""
        return self._reply(start_response, b'{"error": {"code": 413}}',
                           '413 Request Entity Too Large')

    def route_fail(self, environ, start_response):
        """Raise before answering."""
        raise RuntimeError('database password is %s' % SECRET)

    def route_fail_in_body(self, environ, start_response):
        """Start answering, then fail before the first body chunk."""
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def body():
            raise ValueError(SECRET)
            yield b''
        return body()

    def route_fail_late(self, environ, start_response):
        """Fail after part of a streamed body went out."""
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def body():
            yield b'partial'
            raise ValueError(SECRET)
        return body()

    def route_stream(self, environ, start_response):
        """A generator without Content-Length."""
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return (piece for piece in (b'one,', b'two,', b'', b'three'))

    def route_inject(self, environ, start_response):
        """Try to smuggle a header through a header value."""
        start_response('200 OK', [('X-Evil', 'a\r\nSet-Cookie: owned=1')])
        return [b'']

    def route_short(self, environ, start_response):
        """Promise more body than it sends."""
        start_response('200 OK', [('Content-Length', '10')])
        return [b'abc']

    def route_long(self, environ, start_response):
        """Send more body than it promised."""
        start_response('200 OK', [('Content-Length', '3')])
        return [b'abc', b'GET-SMUGGLED']

    def route_slow(self, environ, start_response):
        """Sleep (green) for the seconds in the query string, then answer."""
        eventlet.sleep(float(environ['QUERY_STRING'] or 0.5))
        return self._reply(start_response, b'slow done')


@pytest.fixture
def app():
    """A fresh test application."""
    return App()


@pytest.fixture
def serve(app):
    """``serve(app=None, **settings)`` starts a listener for the test."""
    with inprocess.listeners(app) as start:
        yield start


@pytest.fixture(scope='module')
def pipeline():
    """The real ``main`` paste pipeline."""
    return inprocess.load_pipeline('main')


# -- keep-alive and pipelining ----------------------------------------------

def test_keep_alive_serves_requests_on_one_socket(serve):
    server = serve()
    with Client.connect(server) as client:
        for path in ('/echo', '/ignore', '/echo'):
            response = client.request(post(path, b'abc'))
            assert response.status == 200
            assert response.header('Connection') is None
        assert not client.is_closed(timeout=0.1)


def test_http10_without_keep_alive_closes(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(b'GET /echo HTTP/1.0\r\n\r\n')
        assert response.status_line == 'HTTP/1.1 200 OK'
        assert response.header('Connection') == 'close'
        assert client.is_closed()


def test_http10_keep_alive_is_honoured(serve):
    server = serve()
    with Client.connect(server) as client:
        for _ in range(2):
            response = client.request(
                b'GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
            assert response.header('Connection') == 'keep-alive'


def test_connection_close_from_the_client_closes(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(
            b'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        assert response.header('Connection') == 'close'
        assert client.is_closed()


def test_keep_alive_can_be_turned_off(serve):
    server = serve(wsgi_keep_alive=False)
    with Client.connect(server) as client:
        client.send(get('/echo') + get('/echo'))
        assert client.response().header('Connection') == 'close'
        assert client.is_closed()


def test_pipelined_requests_are_answered_in_order(serve, app):
    server = serve()
    with Client.connect(server) as client:
        client.send(post('/echo', b'first') + get('/slow?0.2')
                    + post('/echo', b'third'))
        responses = [client.response() for _ in range(3)]
        assert [r.body for r in responses] == [b'first', b'slow done',
                                               b'third']
        assert app.calls == ['/echo', '/slow', '/echo']
        assert client.request(get('/echo')).status == 200


def test_pipelined_requests_split_anywhere_are_answered(serve):
    server = serve()
    stream = b''.join(post('/echo', b'%d' % i) for i in range(5))
    with Client.connect(server) as client:
        for start in range(0, len(stream), 7):
            client.send(stream[start:start + 7])
        assert [client.response().body for _ in range(5)] == [
            b'0', b'1', b'2', b'3', b'4']


# -- request bodies ----------------------------------------------------------

def test_chunked_body_is_decoded_and_trailers_are_dropped(serve):
    server = serve()
    body = (b'4;ext=1\r\nline\r\n6\r\n one\nl\r\n'
            b'7\r\nine two\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n')
    head = (b'POST /echo HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n')
    with Client.connect(server) as client:
        response = client.request(head + body)
        assert response.body == b'line one\nline two'
        lines = client.request(head.replace(b'/echo', b'/lines') + body)
        assert json.loads(lines.body) == ['line one\n', 'line two']
        assert client.request(get('/echo')).status == 200


def test_chunked_body_sent_slowly_is_read_on_demand(serve):
    server = serve()
    with Client.connect(server) as client:
        client.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                    b'Transfer-Encoding: chunked\r\n\r\n')
        for piece in (b'3\r\nab', b'c\r\n', b'2\r\n', b'de\r\n0\r\n', b'\r\n'):
            assert not client.answered(timeout=0.02)
            client.send(piece)
        assert client.response().body == b'abcde'


def test_expect_continue_is_sent_when_the_app_reads(serve):
    server = serve()
    with Client.connect(server) as client:
        client.send(b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n'
                    b'Expect: 100-continue\r\n\r\n')
        interim = client.interim_or_response()
        assert interim.status_line == 'HTTP/1.1 100 Continue'
        client.send(b'hello')
        response = client.response()
        assert (response.status, response.body) == (200, b'hello')
        assert client.request(get('/echo')).status == 200


def test_refused_expect_continue_gets_no_100_and_closes(serve, app):
    server = serve()
    with Client.connect(server) as client:
        client.send(b'POST /refuse HTTP/1.1\r\nHost: x\r\n'
                    b'Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n')
        response = client.interim_or_response()
        assert response.status == 413
        # The body may or may not follow now, so the server cannot read
        # the next request from this stream; it must say so and close.
        assert response.header('Connection') == 'close'
        assert client.is_closed()
    assert app.calls == ['/refuse']


def test_refused_expect_continue_on_the_real_pipeline(serve, pipeline):
    server = serve(pipeline)
    size = conf.CONF.max_request_body_size + 1
    with Client.connect(server) as client:
        client.send(b'POST /v3 HTTP/1.1\r\nHost: x\r\nContent-Type: '
                    b'application/json\r\nContent-Length: %d\r\n'
                    b'Expect: 100-continue\r\n\r\n' % size)
        response = client.interim_or_response()
        assert response.status == 413
        assert json.loads(response.body)['error']['code'] == 413
        assert response.header('Connection') == 'close'
        assert client.is_closed()


def test_unread_body_is_discarded_before_the_next_request(serve, app):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(post('/ignore', b'x' * 200000))
        assert response.body == b'ignored'
        chunked = (b'POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: '
                   b'chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
        assert client.request(chunked).body == b'ignored'
        echoed = client.request(post('/echo', b'next'))
        assert echoed.body == b'next'
    assert app.calls == ['/ignore', '/ignore', '/echo']


def test_large_unread_body_gets_the_answer_not_a_reset(serve):
    # A client that sends its whole body before reading (most do) must see
    # the refusal even though the server will not read 8 MB to keep the
    # connection: it says Connection: close and reads the rest before
    # closing, since closing with unread data makes the kernel send a
    # reset that destroys the answer in flight.
    server = serve()
    size = 8 * 1024 * 1024
    with Client.connect(server, timeout=10) as client:
        client.send(post('/refuse', b'x' * size))
        response = client.response()
        assert response.status == 413
        assert response.header('Connection') == 'close'
        assert client.is_closed()


def test_unread_body_of_a_closing_request_gets_the_answer(serve):
    server = serve()
    with Client.connect(server, timeout=10) as client:
        client.send(post('/refuse', b'x' * (4 * 1024 * 1024),
                         version=b'1.0'))
        response = client.response()
        assert response.status == 413
        assert client.is_closed()


# -- responses ---------------------------------------------------------------

def assert_generic_500(response):
    """A JSON 500 that gives nothing of the failure away."""
    assert response.status_line == 'HTTP/1.1 500 Internal Server Error'
    assert response.header('Content-Type') == 'application/json'
    assert json.loads(response.body)['error']['code'] == 500
    for leak in (SECRET, 'Traceback', 'RuntimeError', 'ValueError',
                 'password'):
        assert leak not in response.body.decode()


@pytest.mark.parametrize('path', ['/fail', '/fail-in-body'])
def test_app_error_is_a_generic_500(serve, caplog, path):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(get(path))
        assert_generic_500(response)
        assert response.header('Connection') == 'close'
        assert client.is_closed()
    assert 'Unhandled error serving GET %s' % path in caplog.text


def test_app_error_after_the_head_cuts_the_response(serve):
    server = serve()
    with Client.connect(server) as client:
        client.send(get('/fail-late'))
        with pytest.raises(ConnectionError):
            # The chunked body never gets its last chunk: the client must
            # not mistake the truncated answer for a complete one.
            client.response()


def test_header_injection_by_the_app_is_a_500(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(get('/inject'))
        assert_generic_500(response)
        assert response.header('Set-Cookie') is None


def test_body_shorter_than_its_content_length_closes(serve):
    server = serve()
    with Client.connect(server) as client:
        client.send(get('/short'))
        with pytest.raises(ConnectionError):
            client.response()


def test_body_longer_than_its_content_length_is_cut(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(get('/long'))
        assert response.body == b'abc'
        assert client.is_closed()


def test_app_error_on_the_real_pipeline_is_json(serve, pipeline):
    server = serve(pipeline)
    with Client.connect(server) as client:
        response = client.request(b'POST /v3 HTTP/1.1\r\nHost: x\r\n'
                                  b'Content-Type: application/json\r\n'
                                  b'Content-Length: 2\r\n\r\n{}')
        assert response.status == 405
        assert json.loads(response.body)['error']['code'] == 405
        assert response.header('X-Openstack-Request-Id')


def test_generator_without_length_is_chunked_on_http11(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(get('/stream'))
        assert response.header('Transfer-Encoding') == 'chunked'
        assert response.header('Content-Length') is None
        assert response.body == b'one,two,three'
        assert client.request(get('/stream')).body == b'one,two,three'


def test_generator_without_length_on_http10_is_closed(serve):
    server = serve()
    with Client.connect(server) as client:
        response = client.request(
            b'GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
        assert response.header('Transfer-Encoding') is None
        assert response.header('Connection') == 'close'
        assert response.body == b'one,two,three'


@pytest.mark.parametrize('paths', [('/echo', '/stream'), ('/', '/v3')],
                         ids=['test-app', 'pipeline'])
def test_head_has_no_body(serve, app, pipeline, paths):
    server = serve(pipeline if '/v3' in paths else app)
    with Client.connect(server) as client:
        for path in paths:
            response = client.request(
                b'HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n' % path.encode(),
                method='HEAD')
            assert response.status in (200, 300)
            assert response.header('Transfer-Encoding') is None
        # Had any body bytes followed a HEAD answer, this would read them
        # as its status line.
        assert client.request(get(paths[0])).status in (200, 300)


def test_real_pipeline_over_keep_alive(serve, pipeline):
    server = serve(pipeline)
    with Client.connect(server) as client:
        root = client.request(get('/'))
        assert root.status == 300
        assert root.header('Location') == 'http://localhost/v3/'
        assert client.request(get('/v3')).status == 200
        missing = client.request(get('/v3/nope'))
        assert json.loads(missing.body)['error']['code'] == 404


@pytest.mark.skipif(not inprocess.has_ipv6_loopback(),
                    reason='no IPv6 loopback')
def test_ipv6_loopback_listener(serve):
    server = serve(host='::1')
    assert server.url.startswith('http://[::1]:')
    with Client.connect(server) as client:
        assert client.request(post('/echo', b'v6')).body == b'v6'
