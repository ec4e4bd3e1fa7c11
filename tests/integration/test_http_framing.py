"""Strict request framing on a real listener (RFC 9112), gunicorn style.

Each case is the raw bytes a client sends and the status the server must
answer. Every answer is a real status line, Keystone's JSON error document
and a closed connection: nothing after a request the server cannot frame
exactly may be read as another request (request smuggling).
"""

import http
import json

import pytest

from tests.support import inprocess

LIMITS = {'max_request_line': 512, 'max_header_line': 1024,
          'max_header_count': 20, 'max_request_head_size': 4096}
# Cases whose head is fine: the app runs, reads the body, and the framing
# error in the body replaces its answer.
BODY_ERRORS = {'chunk-size-0x5', 'bare-lf-after-chunk-size',
               'trailers-too-large'}


def raw(*lines, body=b''):
    """Join head lines with CRLF, end the head, append ``body``."""
    return b''.join(line + b'\r\n' for line in lines) + b'\r\n' + body


CHUNKED_HELLO = b'5\r\nhello\r\n0\r\n\r\n'

BAD_REQUESTS = [
    ('te-gzip-chunked',
     raw(b'POST /echo HTTP/1.1', b'Host: x',
         b'Transfer-Encoding: gzip, chunked', body=CHUNKED_HELLO), 400),
    ('te-identity',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: identity',
         body=b'hello'), 400),
    ('te-twice',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: chunked',
         b'Transfer-Encoding: chunked', body=CHUNKED_HELLO), 400),
    ('te-chunked-twice-in-one',
     raw(b'POST /echo HTTP/1.1', b'Host: x',
         b'Transfer-Encoding: chunked, chunked', body=CHUNKED_HELLO), 400),
    ('te-in-http10',
     raw(b'POST /echo HTTP/1.0', b'Transfer-Encoding: chunked',
         body=CHUNKED_HELLO), 400),
    ('content-length-and-te',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length: 5',
         b'Transfer-Encoding: chunked', body=CHUNKED_HELLO), 400),
    ('content-length-twice',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length: 5',
         b'Content-Length: 5', body=b'hello'), 400),
    ('content-length-plus',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length: +5',
         body=b'hello'), 400),
    ('content-length-negative',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length: -1'), 400),
    ('content-length-overflow',
     raw(b'POST /echo HTTP/1.1', b'Host: x',
         b'Content-Length: 99999999999999999999999'), 400),
    ('space-before-colon',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length : 5',
         body=b'hello'), 400),
    ('obs-fold',
     raw(b'GET /echo HTTP/1.1', b'Host: x', b'X-Folded: a', b' b'), 400),
    ('control-char-in-value',
     raw(b'GET /echo HTTP/1.1', b'Host: x', b'X-Value: a\x01b'), 400),
    ('nul-in-value',
     raw(b'GET /echo HTTP/1.1', b'Host: x', b'X-Value: a\x00b'), 400),
    ('bare-lf',
     b'GET /echo HTTP/1.1\nHost: x\n\n', 400),
    ('http-0.9',
     b'GET /\r\n\r\n', 400),
    ('chunk-size-0x5',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: chunked',
         body=b'0x5\r\nhello\r\n0\r\n\r\n'), 400),
    ('bare-lf-after-chunk-size',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: chunked',
         body=b'5\nhello\r\n0\r\n\r\n'), 400),
    ('host-missing',
     raw(b'GET /echo HTTP/1.1'), 400),
    ('host-twice',
     raw(b'GET /echo HTTP/1.1', b'Host: x', b'Host: y'), 400),
    ('authority-form-target',
     raw(b'GET example.com:80 HTTP/1.1', b'Host: x'), 400),
    ('connect',
     raw(b'CONNECT example.com:443 HTTP/1.1', b'Host: example.com'), 400),
    ('request-line-too-long',
     raw(b'GET /' + b'a' * 1100 + b' HTTP/1.1', b'Host: x'), 414),
    ('request-line-over-its-own-limit',
     raw(b'GET /' + b'a' * 600 + b' HTTP/1.1', b'Host: x'), 414),
    ('head-too-large-in-one-read',
     raw(b'GET /echo HTTP/1.1', b'Host: x',
         *[b'X-Part-%d: %s' % (i, b'a' * 900) for i in range(5)]), 431),
    ('header-line-too-long',
     raw(b'GET /echo HTTP/1.1', b'Host: x', b'X-Long: ' + b'a' * 1100), 431),
    ('too-many-headers',
     raw(b'GET /echo HTTP/1.1', b'Host: x',
         *[b'X-H%d: v' % i for i in range(25)]), 431),
    ('trailers-too-large',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: chunked',
         body=b'5\r\nhello\r\n0\r\n'
         + b''.join(b'X-T%d: %s\r\n' % (i, b'a' * 500) for i in range(12))
         + b'\r\n'), 431),
    ('http-2.0',
     raw(b'GET /echo HTTP/2.0', b'Host: x'), 505),
    ('expect-something-else',
     raw(b'POST /echo HTTP/1.1', b'Host: x', b'Expect: something-else',
         b'Content-Length: 5', body=b'hello'), 417),
]


def echo(environ, start_response):
    """Answer the request body; count the calls."""
    echo.calls += 1
    body = environ['wsgi.input'].read()
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(len(body))),
                              ('X-Path', environ['PATH_INFO'])])
    return [body]


echo.calls = 0


@pytest.fixture(scope='module')
def server():
    """One listener with small limits for the whole module."""
    with inprocess.running_listener(echo, **LIMITS) as running:
        yield running


def assert_error(response, status):
    """Check the status line, the JSON error document and Connection."""
    assert response.status_line == 'HTTP/1.1 %d %s' % (
        status, http.HTTPStatus(status).phrase)
    assert response.header('Content-Type') == 'application/json'
    assert response.header('Connection') == 'close'
    error = json.loads(response.body)['error']
    assert set(error) == {'code', 'title', 'message'}
    assert error['code'] == status
    return error


@pytest.mark.parametrize('name, request_bytes, status', BAD_REQUESTS,
                         ids=[case[0] for case in BAD_REQUESTS])
def test_bad_request_is_answered_and_closed(server, name, request_bytes,
                                            status):
    calls = echo.calls
    with inprocess.Client.connect(server) as client:
        assert_error(client.request(request_bytes), status)
        assert client.is_closed()
    if name not in BODY_ERRORS:
        assert echo.calls == calls, 'the app saw a request it must not see'


def test_bad_request_after_good_ones_is_answered_after_them(server):
    good = raw(b'POST /first HTTP/1.1', b'Host: x', b'Content-Length: 5',
               body=b'hello')
    chunked = raw(b'POST /second HTTP/1.1', b'Host: x',
                  b'Transfer-Encoding: chunked', body=CHUNKED_HELLO)
    smuggled = raw(b'POST /third HTTP/1.1', b'Host: x', b'Content-Length: 5',
                   b'Transfer-Encoding: chunked', body=CHUNKED_HELLO)
    with inprocess.Client.connect(server) as client:
        client.send(good + chunked + smuggled
                    + raw(b'GET /never HTTP/1.1', b'Host: x'))
        first, second = client.response(), client.response()
        assert (first.status, first.header('X-Path'), first.body) == (
            200, '/first', b'hello')
        assert (second.status, second.header('X-Path'), second.body) == (
            200, '/second', b'hello')
        assert first.header('Connection') is None
        assert_error(client.response(), 400)
        assert client.is_closed()


def test_head_larger_than_the_limit_in_pieces_is_431(server):
    # Each line is within max_header_line and there are few of them; only
    # the whole head is too large, and it arrives over many reads.
    lines = [b'GET /echo HTTP/1.1\r\n', b'Host: x\r\n']
    lines += [b'X-Part-%d: %s\r\n' % (i, b'a' * 900) for i in range(5)]
    with inprocess.Client.connect(server) as client:
        sent = 0
        for line in lines:
            for start in range(0, len(line), 300):
                client.send(line[start:start + 300])
                sent += len(line[start:start + 300])
                if client.answered(timeout=0.02):
                    break
            else:
                continue
            break
        assert sent > LIMITS['max_request_head_size']
        error = assert_error(client.response(), 431)
        assert 'request head' in error['message']
        assert client.is_closed()


@pytest.mark.parametrize('piece', [97, 1000, 4700, 65536])
def test_head_limit_holds_however_the_bytes_are_split(server, piece):
    # 5 lines of ~900 bytes: each within max_header_line, the whole head
    # (~4.6 KB) over max_request_head_size (4 KB), sent in reads of
    # ``piece`` bytes (one read for the largest).
    head = raw(b'GET /echo HTTP/1.1', b'Host: x',
               *[b'X-Part-%d: %s' % (i, b'a' * 900) for i in range(5)])
    calls = echo.calls
    with inprocess.Client.connect(server) as client:
        for start in range(0, len(head), piece):
            try:
                client.send(head[start:start + piece])
            except OSError:
                break       # answered and closed before the last piece
        error = assert_error(client.response(), 431)
        assert 'request head' in error['message']
        assert client.is_closed()
    assert echo.calls == calls


def test_head_just_under_the_limit_is_served(server):
    head = raw(b'GET /echo HTTP/1.1', b'Host: x',
               *[b'X-Part-%d: %s' % (i, b'a' * 900) for i in range(4)])
    assert len(head) < LIMITS['max_request_head_size']
    with inprocess.Client.connect(server) as client:
        assert client.request(head).status == 200


def test_request_line_limit_is_independent_of_header_lines(server):
    # A header line longer than max_request_line is fine (a token); a
    # request line of the same length is not.
    token = b'X-Auth-Token: ' + b't' * 900
    with inprocess.Client.connect(server) as client:
        assert client.request(raw(b'GET /echo HTTP/1.1', b'Host: x',
                                  token)).status == 200
    with inprocess.Client.connect(server) as client:
        error = assert_error(client.request(
            raw(b'GET /echo?' + b'q' * 900 + b' HTTP/1.1', b'Host: x')), 414)
        assert 'request line' in error['message']


def test_header_value_that_never_ends_is_cut_at_the_head_limit(server):
    with inprocess.Client.connect(server) as client:
        client.send(b'GET /echo HTTP/1.1\r\nHost: x\r\nX-Endless: ')
        for _ in range(40):
            client.send(b'a' * 500)
            if client.answered(timeout=0.02):
                break
        assert_error(client.response(), 431)
        assert client.is_closed()


def test_good_requests_still_pass_the_strict_parser(server):
    cases = [
        raw(b'POST /echo HTTP/1.1', b'Host: x',
            b'Transfer-Encoding:\tChunked', body=CHUNKED_HELLO),
        raw(b'POST /echo HTTP/1.1', b'Host: x', b'Transfer-Encoding: chunked',
            body=b'2;name=value\r\nhe\r\n3\r\nllo\r\n0\r\nX-Sum: 1\r\n\r\n'),
        raw(b'POST /echo HTTP/1.1', b'Host: x', b'Content-Length: 5',
            b'Expect: 100-continue', body=b'hello'),
        raw(b'POST /echo HTTP/1.0', b'Content-Length: 5', body=b'hello'),
        raw(b'POST http://x/echo HTTP/1.1', b'Host: x', b'Content-Length: 5',
            body=b'hello'),
    ]
    for request_bytes in cases:
        with inprocess.Client.connect(server) as client:
            response = client.request(request_bytes)
            assert (response.status, response.header('X-Path'),
                    response.body) == (200, '/echo', b'hello'), request_bytes


@pytest.mark.parametrize('kilobytes', [70, 80, 320])
def test_default_head_limit_holds_for_large_heads_sent_at_once(kilobytes):
    # The defaults: 64 KiB per head, 16 KiB per header line. Lines of
    # 10 KB each pass the line limit; only the whole head is too large.
    lines = [b'X-Part-%d: %s' % (i, b'a' * 10000)
             for i in range(kilobytes // 10)]
    head = raw(b'GET /echo HTTP/1.1', b'Host: x', *lines)
    with inprocess.running_listener(echo) as running:
        with inprocess.Client.connect(running) as client:
            try:
                client.send(head)
            except OSError:
                pass        # answered and closed while the rest was sent
            assert_error(client.response(), 431)
