"""The response side of a request: start_response, framing, writes.

Framing is decided when the head goes out: the app's Content-Length, the
length of a list body, chunked on HTTP/1.1, or close-delimited on 1.0.
Status lines and headers from the app are checked (no CR/LF/NUL: no header
injection); hop-by-hop headers are the server's business and dropped.
"""

import email.utils
import http
import logging
import re
import ssl
import time

import json

LOG = logging.getLogger(__name__)

# Unread request body we read and drop to keep a connection open; beyond
# this the connection is closed instead.
MAX_DISCARD = 1 << 20

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


def error_document(code, message, title=None):
    """Return ``{"error": {"code", "title", "message"}}`` for ``code``.

    Keystone's error shape, used by the server's own errors and by
    ``keystone_like.common.errors`` for the application's.
    """
    if title is None:
        try:
            title = http.HTTPStatus(code).phrase
        except ValueError:
            title = 'Error'
    return {'error': {'code': code, 'title': title, 'message': message}}


def error_body(code, message, title=None):
    """Return the UTF-8 JSON body of :func:`error_document`."""
    return json.dumps(error_document(code, message, title)).encode('utf-8')


def error_response(status, message, close=True):
    """Return a complete HTTP/1.1 error response with a JSON body."""
    body = error_body(status, message)
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
