"""One client connection: parse requests, call the WSGI app, write responses.

Requests on a connection are served one at a time in arrival order, so
pipelined responses go out in order and a malformed request after good ones
gets its 400 after their answers. A request holds one of the listener's
request slots only while the application runs; an idle keep-alive
connection holds none.
"""

import email.utils
import http
import logging
import re
import socket
import ssl
import sys
import time
import urllib.parse

import eventlet
import httptools

from keystone_like.common import errors
from keystone_like.server import parser
from keystone_like.server import wsgi_input

LOG = logging.getLogger(__name__)
ACCESS_LOG = logging.getLogger('keystone_like.access')

# Unread request body we read and drop to keep a connection open; beyond
# this the connection is closed instead.
MAX_DISCARD = 1 << 20
# Closing a socket that still holds unread request bytes makes the kernel
# send a reset, which can destroy the response before the client reads it.
# So when a request body (or more) may still be arriving, the connection
# first reads and drops it: until the client closes, goes quiet for
# LINGER_READ_TIMEOUT, or LINGER_TIME is up (Apache's and nginx's
# "lingering close").
LINGER_TIME = 5.0
# Longest a keep-alive connection serves back-to-back requests before it
# lets the other green threads run (see Connection.serve).
YIELD_INTERVAL = 0.001
LINGER_READ_TIMEOUT = 1.0

HOP_BY_HOP = frozenset(('connection', 'keep-alive', 'proxy-connection', 'te',
                        'trailer', 'transfer-encoding', 'upgrade'))
_STATUS = re.compile(r'[1-5]\d\d [^\r\n\x00]*\Z')
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_BAD_VALUE = re.compile(r'[\r\n\x00]')
GENERIC_500 = ('An unexpected error prevented the server from fulfilling '
               'your request.')

_date_cache = [0, b'']

IO_ERRORS = (OSError, ssl.SSLError)


def http_date():
    """Return the Date header value, formatted once per second."""
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[1] = email.utils.formatdate(now, usegmt=True).encode()
        _date_cache[0] = now
    return _date_cache[1]


def error_response(status, message, close=True):
    """Return a complete HTTP/1.1 error response with a JSON body."""
    body = errors.error_body(status, message)
    phrase = http.HTTPStatus(status).phrase
    return b''.join((
        b'HTTP/1.1 %d %s\r\n' % (status, phrase.encode()),
        b'Date: ', http_date(), b'\r\n',
        b'Content-Type: application/json\r\n',
        b'Content-Length: %d\r\n' % len(body),
        b'Connection: close\r\n' if close else b'',
        b'\r\n', body))


def loggable_path(target):
    """Return the request target's path for logs, as text.

    The query string may carry tokens and the authority of an absolute-form
    target may carry a password (``http://user:pass@host/``): neither is
    logged.
    """
    path = target.partition(b'?')[0].partition(b'#')[0]
    if not path.startswith(b'/') and path != b'*':
        scheme, sep, rest = path.partition(b'://')
        path = b'/' + rest.partition(b'/')[2] if sep else b'-'
    return path.decode('latin-1')


class Connection:
    """Serves the requests of one accepted (and TLS-wrapped) socket."""

    def __init__(self, sock, peer, listener):
        self.sock = sock
        self.listener = listener
        self.settings = listener.settings
        self.reader = parser.RequestReader(sock, listener.settings)
        self.peer = peer
        self.base_environ = self._base_environ(sock, peer)
        self._lingering = False

    def _base_environ(self, sock, peer):
        try:
            local = sock.getsockname()
        except OSError:
            local = ('', 0)
        if not isinstance(local, tuple):     # AF_UNIX (readiness probe)
            local = ('localhost', 0)
        remote = peer if isinstance(peer, tuple) and peer else ('', 0)
        return {
            'SERVER_NAME': local[0], 'SERVER_PORT': str(local[1]),
            'REMOTE_ADDR': remote[0], 'REMOTE_PORT': str(remote[1]),
            'SCRIPT_NAME': '',
            'wsgi.version': (1, 0),
            'wsgi.url_scheme': 'https' if self.listener.tls else 'http',
            'wsgi.errors': sys.stderr,
            'wsgi.multithread': True,
            'wsgi.multiprocess': False,
            'wsgi.run_once': False,
            'wsgi.input_terminated': True,
        }

    def serve(self, accepted_at):
        """Serve requests until the client leaves, errs or must go."""
        settings = self.settings
        deadline = accepted_at + settings.request_head_timeout
        idle_timeout = None
        last_yield = accepted_at
        while True:
            try:
                message = self.reader.next_message(deadline, idle_timeout)
            except parser.HeadTimeout as exc:
                if exc.partial:
                    self._send_raw(error_response(
                        408, 'The request head was not received in time.'))
                return
            if message is None:
                return
            if message.error is not None:
                self._send_raw(error_response(message.error.status,
                                              message.error.message))
                self._log(message, message.error.status, 0, time.monotonic())
                # The parser stopped mid-stream: whatever the client sent
                # after the error is still unread.
                self._linger()
                return
            if not self._handle(message):
                if not message.complete:
                    self._linger()
                return
            if self.listener.draining:
                return
            idle_timeout = settings.keepalive_timeout
            # A green recv that finds data ready does not yield, so a fast
            # keep-alive client would be served again and again while the
            # others wait (p99 of ~1 s at 50 connections). Let them run,
            # at most once per YIELD_INTERVAL so one client pays little.
            now = time.monotonic()
            if now - last_yield >= YIELD_INTERVAL:
                eventlet.sleep(0)
                last_yield = now

    @property
    def idle(self):
        """True while waiting for a request that has not begun to arrive.

        A connection that only waits for its client to finish sending
        before closing (lingering) counts as idle: nothing is left to serve.
        """
        return self.reader.idle or self._lingering

    def _linger(self):
        """Read and drop what the client still sends, then return to close.

        See LINGER_TIME. The socket is half-closed first so the client sees
        the end of the response stream at once.
        """
        self._lingering = True
        try:
            if isinstance(self.sock, ssl.SSLSocket):
                # Shut the TCP side only: SSLSocket.shutdown() would also
                # drop the TLS layer the client's data is still read
                # through. No close_notify goes out; close() sends none
                # either, and the response is framed by its own length.
                socket.socket.shutdown(self.sock, socket.SHUT_WR)
            else:
                self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return
        deadline = time.monotonic() + LINGER_TIME
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                self.sock.settimeout(min(remaining, LINGER_READ_TIMEOUT))
                if not self.sock.recv(parser.READ_SIZE):
                    return
            except IO_ERRORS:       # socket.timeout included
                return

    def _send_raw(self, data):
        try:
            self.sock.settimeout(self.settings.client_socket_timeout)
            self.sock.sendall(data)
        except IO_ERRORS:
            pass

    def _handle(self, message):
        """Run one request through the app; return whether to keep going."""
        started = time.monotonic()
        environ = self._environ(message)
        response = Response(self, message)
        continue_hook = None
        if message.expect_continue and not message.complete:
            continue_hook = response.send_continue
        body = wsgi_input.Input(self.reader, message, continue_hook)
        response.request_body = body
        environ['wsgi.input'] = body
        with self.listener.slots:
            response.run(self.listener.app, environ)
        keep = response.keep_alive and self._finish_body(message, body)
        self._log(message, response.code, response.body_sent, started,
                  environ)
        return keep

    def _finish_body(self, message, body):
        """Make the connection ready for the next request, or say it isn't."""
        if message.complete and not message.body:
            return True
        if message.expect_continue and not body.started:
            # The client is waiting for our go-ahead and never got it:
            # the body may or may not follow, so the stream is unusable.
            return False
        try:
            return body.discard(MAX_DISCARD)
        except IO_ERRORS:
            return False

    def _environ(self, message):
        environ = self.base_environ.copy()
        target = message.target
        if target[:1] == b'/':
            path, _, query = target.partition(b'?')
        elif target == b'*':
            path, query = target, b''
        else:
            url = httptools.parse_url(target)
            path, query = url.path or b'/', url.query or b''
        query = query.partition(b'#')[0]
        raw_path = path.decode('latin-1')
        environ['REQUEST_METHOD'] = message.method
        environ['RAW_PATH_INFO'] = raw_path
        environ['PATH_INFO'] = (urllib.parse.unquote_to_bytes(path)
                                .decode('latin-1') if b'%' in path
                                else raw_path)
        environ['QUERY_STRING'] = query.decode('latin-1')
        environ['SERVER_PROTOCOL'] = 'HTTP/' + message.version
        for name, value in message.headers:
            if b'_' in name:
                # X_Auth_Token would map to the same key as X-Auth-Token;
                # drop it so a client cannot smuggle a second identity.
                continue
            key = name.decode('latin-1').upper().replace('-', '_')
            value = value.decode('latin-1').strip()
            if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                key = 'HTTP_' + key
            if key in environ:
                environ[key] += ',' + value
            else:
                environ[key] = value
        return environ

    def _log(self, message, code, sent, started, environ=None):
        if not self.settings.access_log:
            return
        path = loggable_path(message.target)
        ACCESS_LOG.info(
            '%s "%s %s HTTP/%s" %s %d %.1fms %s',
            self.listener.client_address(self.peer, environ),
            message.method or '-', path[:256], message.version or '-',
            code, sent, (time.monotonic() - started) * 1000,
            (environ or {}).get('openstack.request_id', '-'))


class Response:
    """The response side of one request: start_response and the writes."""

    def __init__(self, connection, message):
        self.sock = connection.sock
        self.connection = connection
        self.message = message
        self.status = None
        self.headers = None
        self.code = 0
        self.headers_sent = False
        self.chunked = False
        self.length = None
        self.body_sent = 0
        self.request_body = None
        self.keep_alive = (message.keep_alive and not message.upgrade
                           and connection.settings.wsgi_keep_alive)

    def run(self, app, environ):
        """Call the app and write what it returns; never raises app errors."""
        try:
            result = app(environ, self.start_response)
            try:
                failed = self.connection.reader.fail_body(self.message)
                if failed is not None and not self.headers_sent:
                    self._replace(failed.status, failed.message)
                else:
                    self._write_result(result)
            finally:
                if hasattr(result, 'close'):
                    result.close()
        except IO_ERRORS as exc:
            LOG.debug('Connection to %s lost: %s', self.connection.peer, exc)
            self.keep_alive = False
        except Exception:
            LOG.exception('Unhandled error serving %s %s', self.message.method,
                          loggable_path(self.message.target))
            self.keep_alive = False
            if not self.headers_sent:
                self._replace(500, GENERIC_500)

    def _replace(self, status, text):
        self.keep_alive = False
        self.code = status
        data = error_response(status, text)
        self.headers_sent = True
        self._send(data)

    def send_continue(self):
        """Tell an ``Expect: 100-continue`` client to send its body."""
        if not self.headers_sent:
            self._send(b'HTTP/1.1 100 Continue\r\n\r\n')

    def start_response(self, status, headers, exc_info=None):
        """The PEP 3333 start_response callable."""
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError('start_response called a second time '
                                 'without exc_info')
        if not isinstance(status, str) or not _STATUS.match(status):
            raise ValueError('invalid status line %r' % (status,))
        for name, value in headers:
            if not _TOKEN.match(name) or _BAD_VALUE.search(value):
                raise ValueError('invalid response header %r' % (name,))
        self.status = status
        self.code = int(status[:3])
        self.headers = headers
        return self.write

    def write(self, data):
        """The legacy write() callable returned by start_response."""
        if self.status is None:
            raise AssertionError('write() before start_response()')
        self._write_body(data, None)

    def _write_result(self, result):
        if isinstance(result, (list, tuple)):
            data = b''.join(result)
            if self.status is None:
                raise AssertionError('the app returned without calling '
                                     'start_response()')
            self._write_body(data, len(data) if not self.headers_sent
                             else None)
        else:
            for data in result:
                if data:
                    self._write_body(data, None)
            if self.status is None:
                raise AssertionError('the app returned without calling '
                                     'start_response()')
        if not self.headers_sent:
            self._write_body(b'', 0)
        if self.chunked:
            self._send(b'0\r\n\r\n')
        # HEAD, 1xx, 204 and 304 answers keep the Content-Length the body
        # would have had but send no body: nothing to check there.
        if (self.length is not None and self._body_allowed()
                and self.body_sent != self.length):
            LOG.warning('Response body was %d bytes, Content-Length said %d; '
                        'closing the connection', self.body_sent, self.length)
            self.keep_alive = False

    def _write_body(self, data, total):
        head = b''
        if not self.headers_sent:
            head = self._head(total)
            self.headers_sent = True
        if not self._body_allowed():
            data = b''
        elif self.length is not None:
            room = self.length - self.body_sent
            if len(data) > room:
                data = data[:room]
                self.keep_alive = False
        self.body_sent += len(data)
        if self.chunked and data:
            data = b'%x\r\n%s\r\n' % (len(data), data)
        if head or data:
            self._send(head + data)

    def _body_skippable(self):
        """Whether the unread rest of the request body can be dropped.

        Asked before the head goes out, so a connection that will close
        after this response says ``Connection: close`` (RFC 9110 10.1.1)
        instead of just closing.
        """
        message, body = self.message, self.request_body
        if message.complete or body is None:
            return True
        if message.expect_continue and not body.started:
            # The client waits for a 100 it will not get; its body may or
            # may not follow, so the stream cannot carry another request.
            return False
        if message.content_length is not None:
            return message.content_length - body.bytes_read <= MAX_DISCARD
        return True     # chunked: unknown until read; _finish_body decides

    def _body_allowed(self):
        return (self.code >= 200 and self.code not in (204, 304)
                and self.message.method != 'HEAD')

    def _head(self, total):
        lines = ['HTTP/1.1 %s\r\n' % self.status]
        has_date = False
        for name, value in self.headers:
            lowered = name.lower()
            if lowered in HOP_BY_HOP:
                if lowered == 'connection' and 'close' in value.lower():
                    self.keep_alive = False
                continue
            if lowered == 'content-length':
                self.length = int(value)
            elif lowered == 'date':
                has_date = True
            lines.append('%s: %s\r\n' % (name, value))
        if self.length is None and self._body_allowed():
            if total is not None:
                self.length = total
                lines.append('Content-Length: %d\r\n' % total)
            elif self.message.version == '1.1':
                self.chunked = True
                lines.append('Transfer-Encoding: chunked\r\n')
            else:
                self.keep_alive = False
        if self.connection.listener.draining or not self._body_skippable():
            self.keep_alive = False
        if not self.keep_alive:
            lines.append('Connection: close\r\n')
        elif self.message.version == '1.0':
            lines.append('Connection: keep-alive\r\n')
        head = ''.join(lines).encode('latin-1')
        if not has_date:
            head += b'Date: ' + http_date() + b'\r\n'
        return head + b'\r\n'

    def _send(self, data):
        self.sock.settimeout(self.connection.settings.client_socket_timeout)
        self.sock.sendall(data)
