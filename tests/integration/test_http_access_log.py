"""The access log of a real listener: which client address it believes,
and that it never holds query strings, header values or URL passwords.
"""

import logging

import pytest

from tests.support import inprocess

SECRET = 'SECRET-5b0e7d13'
timed_request = inprocess.timed_request


def echo(environ, start_response):
    """Answer 200 with an empty body."""
    start_response('200 OK', [('Content-Length', '0')])
    return [b'']


@pytest.fixture
def serve():
    """``serve(app=None, **settings)`` starts a listener for the test."""
    with inprocess.listeners(echo) as start:
        yield start


@pytest.fixture(scope='module')
def pipeline():
    """The real ``main`` paste pipeline."""
    return inprocess.load_pipeline('main')


def access_lines(caplog, count=1):
    """Wait for ``count`` access log lines (written after the response)."""
    def lines():
        found = [r.getMessage() for r in caplog.records
                 if r.name == 'keystone_like.access']
        return found if len(found) >= count else None
    return inprocess.wait_until(lines, timeout=5)


@pytest.fixture
def access_log(caplog):
    """Capture the access log (INFO) and everything else."""
    caplog.set_level(logging.INFO, logger='keystone_like.access')
    return caplog


FORWARDED = (b'GET /echo HTTP/1.1\r\nHost: x\r\n'
             b'X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n\r\n')


def test_x_forwarded_for_is_not_trusted_by_default(serve, access_log):
    server = serve()
    assert timed_request(server, FORWARDED)[0].status == 200
    [line] = access_lines(access_log)
    assert line.startswith('127.0.0.1 "GET /echo HTTP/1.1" 200 ')
    assert '203.0.113.9' not in line


def test_x_forwarded_for_from_an_untrusted_peer(serve, access_log):
    server = serve(trusted_proxies=('10.0.0.0/8', '::1/128'))
    assert timed_request(server, FORWARDED)[0].status == 200
    [line] = access_lines(access_log)
    assert line.startswith('127.0.0.1 ')


def test_x_forwarded_for_from_a_trusted_proxy(serve, access_log):
    server = serve(trusted_proxies=('127.0.0.0/8',))
    assert timed_request(server, FORWARDED)[0].status == 200
    # The hop next to our proxy is the client; what it claims before that
    # (198.51.100.1) is its own header and not believed.
    [line] = access_lines(access_log)
    assert line.startswith('203.0.113.9 "GET /echo HTTP/1.1" 200 ')


def test_access_log_has_no_query_string_or_header_values(serve, pipeline,
                                                         access_log):
    server = serve(pipeline)
    secret = SECRET.encode()
    requests = [
        b'GET /v3/auth/tokens?nocatalog&token=%s HTTP/1.1\r\nHost: x\r\n'
        b'X-Auth-Token: %s\r\nX-Subject-Token: %s\r\nCookie: s=%s\r\n'
        b'User-Agent: %s\r\n\r\n' % ((secret,) * 5),
        b'GET http://admin:%s@localhost/v3?token=%s HTTP/1.1\r\n'
        b'Host: localhost\r\n\r\n' % (secret, secret),
        # A request the parser refuses is logged from its raw target.
        b'GET /v3?token=%s HTTP/1.1\r\nX-Auth-Token: %s\r\n\r\n'
        % (secret, secret),
        b'GET http://admin:%s@localhost/v3 HTTP/1.1\r\n\r\n' % secret,
    ]
    for data in requests:
        response, _ = timed_request(server, data)
        assert response.status in (400, 401, 404, 405, 200)
    lines = access_lines(access_log, count=len(requests))
    logged = [(line.split('"')[1], line.split('"')[2].split()[0])
              for line in lines]
    # The secret token is refused (401) by the identity API.
    assert logged == [('GET /v3/auth/tokens HTTP/1.1', '401'),
                      ('GET /v3 HTTP/1.1', '200'),
                      # refused before the head was complete: no method
                      ('- /v3 HTTP/1.1', '400'),
                      ('- /v3 HTTP/1.1', '400')]
    assert SECRET not in access_log.text
    # Requests the pipeline answered carry its request id; refused ones '-'.
    request_ids = [line.rsplit(' ', 1)[1] for line in lines]
    assert [rid.startswith('req-') for rid in request_ids] == [
        True, True, False, False]
