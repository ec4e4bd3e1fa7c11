"""One client connection: parse requests, call the WSGI app, write responses.

Requests on a connection are served one at a time in arrival order, so
pipelined responses go out in order and a malformed request after good ones
gets its 400 after their answers. A request holds one of the listener's
request slots only while the application runs; an idle keep-alive
connection holds none.
"""

import contextvars
import logging
import socket
import ssl
import sys
import time
import urllib.parse

import eventlet
import httptools

from keystone_like.server.http import parser
from keystone_like.server.http import response as http_response
from keystone_like.server.http.response import IO_ERRORS
from keystone_like.server.http.response import MAX_DISCARD
from keystone_like.server.http.response import error_response
from keystone_like.server.http.response import loggable_path
from keystone_like.server.http import wsgi_input

LOG = logging.getLogger(__name__)
ACCESS_LOG = logging.getLogger('keystone_like.access')
# The environ of the request this green thread serves (its own context:
# each greenlet has one), so log records can name the request id.
CURRENT_ENVIRON = contextvars.ContextVar('keystone_like_request_environ')

# Closing a socket that still holds unread request bytes makes the kernel
# send a reset, which can destroy the response before the client reads it.
# So when a request body (or more) may still be arriving, the connection
# first reads and drops it: until the client closes, goes quiet for
# LINGER_READ_TIMEOUT, or LINGER_TIME is up (Apache's and nginx's
# "lingering close").
LINGER_TIME = 5.0
LINGER_READ_TIMEOUT = 1.0
# Longest a keep-alive connection serves back-to-back requests before it
# lets the other green threads run (see Connection.serve).
YIELD_INTERVAL = 0.001


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
            'wsgi.url_scheme': ('https' if self.listener.ssl_context
                                else 'http'),
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
        response = http_response.Response(self, message)
        continue_hook = None
        if message.expect_continue and not message.complete:
            continue_hook = response.send_continue
        body = wsgi_input.Input(self.reader, message, continue_hook)
        response.request_body = body
        environ['wsgi.input'] = body
        context = CURRENT_ENVIRON.set(environ)
        try:
            with self.listener.request_permits:
                response.run(self.listener.app, environ)
        finally:
            CURRENT_ENVIRON.reset(context)
        keep = response.keep_alive and self._finish_body(message, body)
        self._log(message, response.code, response.body_sent, started,
                  environ)
        observe = self.listener.observe
        if observe is not None:
            observe(self.settings.name, environ, response.code,
                    time.monotonic() - started)
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
        path = loggable_path(message.target)[:256]
        client = self.listener.client_address(self.peer, environ)
        method = message.method or '-'
        duration = round((time.monotonic() - started) * 1000, 1)
        request_id = (environ or {}).get('openstack.request_id', '-')
        # The same facts as attributes, for the JSON log format.
        ACCESS_LOG.info(
            '%s "%s %s HTTP/%s" %s %d %.1fms %s', client, method, path,
            message.version or '-', code, sent, duration, request_id,
            extra={'client': client, 'method': method, 'path': path,
                   'status': code, 'bytes': sent, 'duration_ms': duration,
                   'request_id': request_id})
