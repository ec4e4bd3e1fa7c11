"""Strict HTTP/1.1 request parsing (RFC 9112) on top of llhttp (httptools).

llhttp rejects most framing tricks by itself (duplicate or malformed
Content-Length, bare LF, obs-fold, bad header tokens, control characters,
bad chunk sizes, CL with TE). What it lets through, this module rejects:
HTTP/0.9 and versions other than 1.x, a Transfer-Encoding that is not
exactly ``chunked``, a missing or repeated Host on HTTP/1.1, request targets
that are not origin- or absolute-form. It also enforces the size limits
llhttp does not have: request line, header line, header count and the
whole head (and trailer section), however the bytes are split into reads.

:class:`RequestReader` reads from a socket only when asked (for the next
request head, or for more body), so memory per connection stays bounded by
one read plus whatever the client pipelined into it.
"""

import collections
import socket
import time

import httptools

READ_SIZE = 65536


class BadRequest(Exception):
    """The request cannot be served; answer ``status`` and close."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Message:
    """One request as parsed so far: head, body chunks and state."""

    __slots__ = ('method', 'target', 'version', 'headers', 'keep_alive',
                 'chunked', 'content_length', 'expect_continue', 'upgrade',
                 'body', 'complete', 'error', 'head_size', 'header_count')

    def __init__(self):
        self.method = None
        self.target = b''
        self.version = None
        self.headers = []
        self.keep_alive = False
        self.chunked = False
        self.content_length = None
        self.expect_continue = False
        self.upgrade = False
        self.body = collections.deque()
        self.complete = False
        self.error = None
        self.head_size = 0
        self.header_count = 0


class HeadTimeout(Exception):
    """The client did not send a complete request head in time."""

    def __init__(self, partial):
        super().__init__('request head timed out')
        self.partial = partial


class RequestReader:
    """Turns the bytes of one connection into :class:`Message` objects."""

    def __init__(self, sock, settings):
        self.sock = sock
        self.settings = settings
        self._parser = httptools.HttpRequestParser(self)
        self._ready = collections.deque()   # messages whose head is complete
        self._current = None                # the message being parsed
        self._last = None                   # the last complete message
        self._failed = None                 # BadRequest after the queued ones
        self._head_bytes = 0                # bytes fed into the current head
        self.eof = False
        self.idle = False                   # waiting for a request, no bytes

    # -- what the connection asks for ------------------------------------

    def next_message(self, deadline, idle_timeout=None):
        """Return the next message with a complete head, or None at EOF.

        With ``idle_timeout`` the reader first waits that long for a first
        byte (a keep-alive connection); the head deadline then runs from
        that byte. Without it, ``deadline`` (monotonic) bounds the head.
        Raises :class:`HeadTimeout`, or returns a message whose ``error``
        is a :class:`BadRequest`.
        """
        while not self._ready:
            if self._failed is not None:
                failed, self._failed = self._failed, None
                message = self._current or Message()
                message.error = failed
                return message
            if self.eof:
                return None
            partial = self._current is not None
            if idle_timeout is not None and not partial:
                self.idle = True
                try:
                    data = self._recv(idle_timeout)
                finally:
                    self.idle = False
                if data is None:
                    return None
                deadline = (time.monotonic()
                            + self.settings.request_head_timeout)
                idle_timeout = None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HeadTimeout(partial)
                # A new connection that has not sent a byte yet is as idle
                # as a keep-alive one: a graceful stop may close it rather
                # than wait out its head deadline.
                self.idle = not partial
                try:
                    data = self._recv(remaining)
                finally:
                    self.idle = False
                if data is None:
                    raise HeadTimeout(partial)
            self._feed(data)
        return self._ready.popleft()

    def read_body(self, message):
        """Read more of ``message``'s body into it; False if none will come."""
        while not message.body and not message.complete:
            if self.eof or self._failed is not None:
                return False
            data = self._recv(self.settings.client_socket_timeout, body=True)
            if data is None:
                raise socket.timeout('timed out reading the request body')
            self._feed(data)
        return bool(message.body)

    def _recv(self, timeout, body=False):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(READ_SIZE)
        except socket.timeout:
            return None
        if not data:
            self.eof = True
            if body:
                return b''
        return data

    def _feed(self, data):
        if not data:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # The message is complete; bytes after it belong to a protocol
            # we do not speak, so the connection closes after the response.
            (self._current or self._last).upgrade = True
            self.eof = True
            return
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            self._failed = (cause if isinstance(cause, BadRequest)
                            else BadRequest(400, 'Malformed request.'))
            return
        except httptools.HttpParserError as exc:
            self._failed = BadRequest(400, _parser_message(exc))
            return
        current = self._current
        if current is not None and current.method is None:
            # Still inside a head: llhttp buffers a header that has not
            # ended yet, which the callbacks cannot see; bound it here. At
            # most one read is over-counted. A head completed within the
            # reads is measured exactly by the callbacks.
            self._head_bytes += len(data)
            if self._head_bytes > self.settings.max_request_head_size:
                self._failed = _head_too_large(self.settings)

    def fail_body(self, message):
        """Return the framing error that cut ``message``'s body short."""
        if not message.complete and self._failed is not None:
            return self._failed
        return None

    # -- llhttp callbacks ------------------------------------------------

    def on_message_begin(self):
        """Start a new message."""
        self._current = Message()

    def on_url(self, fragment):
        """Collect the request target, bounded by the request line limit."""
        message = self._current
        message.target += fragment
        # The whole line: method, target, "HTTP/1.1" and two spaces.
        line = len(self._parser.get_method()) + len(message.target) + 10
        if line > self.settings.max_request_line:
            raise BadRequest(414, 'The request line is longer than %d '
                             'bytes.' % self.settings.max_request_line)
        message.head_size = line + 2

    def on_header(self, name, value):
        """Collect a header (or trailer) field within the limits."""
        message = self._current
        settings = self.settings
        if len(name) + len(value) + 2 > settings.max_header_line:
            raise BadRequest(431, 'A header line is longer than %d bytes.'
                             % settings.max_header_line)
        message.header_count += 1
        if message.header_count > settings.max_header_count:
            raise BadRequest(431, 'The request has more than %d header '
                             'fields.' % settings.max_header_count)
        # "Name: value" CRLF; the head size restarts at 0 for trailers.
        message.head_size += len(name) + len(value) + 4
        if message.method is None:
            if message.head_size > settings.max_request_head_size:
                raise _head_too_large(settings)
            message.headers.append((name, value))
            return
        # Trailers are checked against the same limits, then dropped (WSGI
        # has no place for them).
        if message.head_size > settings.max_request_head_size:
            raise BadRequest(431, 'The trailer section is larger than %d '
                             'bytes.' % settings.max_request_head_size)

    def on_headers_complete(self):
        """Check what llhttp lets through and queue the message."""
        message = self._current
        parser = self._parser
        version = parser.get_http_version()
        if version not in ('1.1', '1.0'):
            if version.startswith('0.'):
                raise BadRequest(400, 'HTTP/0.9 requests are not supported.')
            raise BadRequest(505, 'Only HTTP/1.0 and HTTP/1.1 are supported.')
        message.version = version
        message.keep_alive = parser.should_keep_alive()
        _check_target(message.target, parser.get_method())
        _check_framing(message, version)
        message.header_count = 0
        message.head_size = 0
        self._head_bytes = 0
        message.method = parser.get_method().decode('ascii')
        self._ready.append(message)

    def on_body(self, data):
        """Queue a piece of the body for ``wsgi.input``."""
        self._current.body.append(data)

    def on_message_complete(self):
        """Mark the body complete; the next byte begins a new message."""
        # Forget the message: "a message is being parsed" is what makes
        # next_message() treat a wait as a head in progress (bounded by the
        # head deadline, answered 408) rather than a keep-alive idle wait.
        message, self._current = self._current, None
        message.complete = True
        self._last = message


def _head_too_large(settings):
    return BadRequest(431, 'The request head is larger than %d bytes.'
                      % settings.max_request_head_size)


def _parser_message(exc):
    text = str(exc).strip()
    return 'Malformed request: %s.' % text.rstrip('.') if text else (
        'Malformed request.')


def _check_target(target, method):
    if target.startswith(b'/'):
        return
    if target == b'*' and method == b'OPTIONS':
        return
    if target[:7].lower() == b'http://' or target[:8].lower() == b'https://':
        return
    raise BadRequest(400, 'The request target must be a path starting '
                          'with "/" or an absolute http(s) URL.')


def _check_framing(message, version):
    host_count = 0
    for name, value in message.headers:
        lowered = name.lower()
        if lowered == b'host':
            host_count += 1
        elif lowered == b'transfer-encoding':
            if value.strip().lower() != b'chunked' or message.chunked:
                raise BadRequest(400, 'Transfer-Encoding other than a single '
                                      '"chunked" is not supported.')
            if version == '1.0':
                raise BadRequest(400, 'Transfer-Encoding is not allowed in '
                                      'HTTP/1.0 requests.')
            message.chunked = True
        elif lowered == b'content-length':
            message.content_length = int(value)
        elif lowered == b'expect':
            if value.strip().lower() != b'100-continue':
                raise BadRequest(417, 'Only "Expect: 100-continue" is '
                                      'supported.')
            message.expect_continue = version == '1.1'
    if version == '1.1' and host_count != 1:
        raise BadRequest(400, 'HTTP/1.1 requests need exactly one Host '
                              'header.')
