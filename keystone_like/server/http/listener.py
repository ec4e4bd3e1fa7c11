"""A listening socket, its accept loop and the connections it serves.

The accept loop must outlive every per-connection failure: a client that
resets before accept (ECONNRESET, ENOTCONN, ECONNABORTED), a TLS handshake
that fails, running out of file descriptors (EMFILE: back off and retry).
The TLS handshake runs in the connection's green thread with a deadline,
never on the listening socket.
"""

import errno
import ipaddress
import logging
import socket
import time

import eventlet
from eventlet.green import ssl as green_ssl
import greenlet

from keystone_like.server.http import connection as http_connection
from keystone_like.server.http.sockets import format_address

LOG = logging.getLogger(__name__)

# Errors that concern the one connection being accepted, not the listener.
_PER_CONNECTION = {errno.ECONNABORTED, errno.ECONNRESET, errno.ENOTCONN,
                   errno.EPROTO, errno.EAGAIN, errno.EINTR, errno.EPERM}
# Resource exhaustion: retry after a pause instead of spinning.
_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
# A drain leaves a connection this young alone even while it waits for
# its first request: its client has just connected to send one (during a
# reload the next generation would have taken it, had we not accepted).
FRESH_GRACE = 1.0


class Listener:
    """Accepts connections on one bound socket and serves one WSGI app."""

    def __init__(self, settings, app, sock, ssl_context=None, observe=None):
        self.settings = settings
        # observe(listener name, environ, status, seconds) after each
        # answered request (the process model's metrics), or None.
        self.observe = observe
        self.app = app
        self.sock = sock
        self.ssl_context = ssl_context
        # pool_size: how many requests run the app at once (idle
        # keep-alive connections hold none).
        self.request_permits = eventlet.semaphore.Semaphore(
            settings.pool_size)
        self.pool = eventlet.GreenPool(settings.max_connections)
        self.connections = set()
        self._accepted_at = {}          # connection -> monotonic accept time
        self.draining = False
        self._accept_thread = None
        self._trusted = tuple(ipaddress.ip_network(p, strict=False)
                              for p in settings.trusted_proxies)

    @property
    def address(self):
        """The (host, port) the socket is bound to."""
        return self.sock.getsockname()[:2]

    @property
    def url(self):
        """The base URL of this listener, for banners and logs."""
        host, port = self.address
        return '%s://%s' % ('https' if self.ssl_context else 'http',
                            format_address(host, port))

    def start(self):
        """Start the accept loop in its own green thread."""
        self._green_sock = eventlet.greenio.GreenSocket(self.sock)
        self._accept_thread = eventlet.spawn(self._accept_loop)

    def _accept_loop(self):
        backoff = 0.01
        while True:
            try:
                client, peer = self._green_sock.accept()
            except greenlet.GreenletExit:
                return
            except OSError as exc:
                if exc.errno in _EXHAUSTED:
                    LOG.warning('%s listener: cannot accept (%s); retrying '
                                'in %.2fs', self.settings.name, exc.strerror,
                                backoff)
                    eventlet.sleep(backoff)
                    backoff = min(backoff * 2, 1.0)
                elif exc.errno not in _PER_CONNECTION:
                    LOG.error('%s listener: accept failed: %s',
                              self.settings.name, exc)
                    eventlet.sleep(0.1)
                continue
            except Exception:
                LOG.exception('%s listener: accept failed', self.settings.name)
                eventlet.sleep(0.1)
                continue
            backoff = 0.01
            # Blocks while max_connections are open: the kernel backlog
            # holds new clients until one closes.
            try:
                self.pool.spawn_n(self._serve, client, peer)
            except greenlet.GreenletExit:
                _close(client)      # stopped while waiting for a free slot
                return

    def _serve(self, client, peer):
        accepted_at = time.monotonic()
        conn = None
        try:
            self._tune(client)
            if self.ssl_context is not None:
                client = self._handshake(client, peer)
                if client is None:
                    return
            conn = http_connection.Connection(client, peer, self)
            self.connections.add(conn)
            self._accepted_at[conn] = accepted_at
            conn.serve(accepted_at)
        except http_connection.IO_ERRORS as exc:
            LOG.debug('%s listener: connection from %s ended: %s',
                      self.settings.name, peer, exc)
        except EOFError:
            # eventlet's answer to a read on a socket _abandon() closed.
            LOG.debug('%s listener: closed idle connection from %s',
                      self.settings.name, peer)
        except Exception:
            LOG.exception('%s listener: error serving %s', self.settings.name,
                          peer)
        finally:
            self.connections.discard(conn)
            self._accepted_at.pop(conn, None)
            _close(client)

    def _tune(self, client):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, 'TCP_KEEPIDLE'):
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE,
                              self.settings.tcp_keepidle)

    def _handshake(self, client, peer):
        timeout = self.settings.tls.handshake_timeout
        try:
            tls_sock = green_ssl.GreenSSLSocket(
                client, server_side=True, do_handshake_on_connect=False,
                _context=self.ssl_context)
            with eventlet.Timeout(timeout):
                tls_sock.settimeout(timeout)
                tls_sock.do_handshake()
        except eventlet.Timeout:
            LOG.info('%s listener: TLS handshake from %s timed out after %ss',
                     self.settings.name, _peer_text(peer), timeout)
            return None
        except http_connection.IO_ERRORS as exc:
            LOG.info('%s listener: TLS handshake from %s failed: %s',
                     self.settings.name, _peer_text(peer),
                     getattr(exc, 'reason', None) or exc)
            return None
        return tls_sock

    def serve_socket(self, sock):
        """Serve an already connected plain socket (the readiness probe)."""
        self.pool.spawn_n(self._serve_plain, sock)

    def _serve_plain(self, sock):
        conn = http_connection.Connection(sock, ('', 0), self)
        try:
            conn.serve(time.monotonic())
        except http_connection.IO_ERRORS:
            pass
        finally:
            _close(sock)

    def client_address(self, peer, environ):
        """The client's address for the access log (X-Forwarded-For aware)."""
        addr = peer[0] if isinstance(peer, tuple) and peer else '-'
        if not self._trusted or environ is None:
            return addr
        forwarded = environ.get('HTTP_X_FORWARDED_FOR')
        if not forwarded or not self._is_trusted(addr):
            return addr
        # Walk from the nearest hop back while the hops are our proxies.
        for hop in reversed([h.strip() for h in forwarded.split(',')]):
            addr = hop
            if not self._is_trusted(hop):
                break
        return addr

    def _is_trusted(self, addr):
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in net for net in self._trusted)

    def stop_accepting(self):
        """Stop the accept loop and close the listening socket."""
        if self._accept_thread is not None:
            self._accept_thread.kill()
            self._accept_thread = None
        _close(self.sock)

    def drain(self, timeout):
        """Finish in-flight requests, close idle connections; bounded wait.

        Returns the number of connections still open when ``timeout``
        (seconds; 0 means no limit) ran out; those are closed.
        """
        self.draining = True
        self.close_idle()
        deadline = time.monotonic() + timeout if timeout else None
        while self.pool.running():
            if deadline is not None and time.monotonic() >= deadline:
                break
            eventlet.sleep(0.05)
            self.close_idle()
        left = len(self.connections)
        for conn in list(self.connections):
            _shutdown(conn.sock)
        return left

    def load(self):
        """``(in-flight requests, open connections, idle connections)``.

        In flight counts the requests holding a slot and those waiting for
        one (a negative semaphore balance).
        """
        busy = self.settings.pool_size - self.request_permits.balance
        connections = list(self.connections)
        return busy, len(connections), sum(1 for c in connections if c.idle)

    def close_idle(self, grace=FRESH_GRACE):
        """Close connections that wait for a request that has not begun.

        Connections accepted less than ``grace`` seconds ago are spared.
        """
        now = time.monotonic()
        for conn in list(self.connections):
            if conn.idle and now - self._accepted_at.get(conn, 0) >= grace:
                _abandon(conn.sock)

    def abort(self):
        """Close every connection at once, busy or not (fast stop)."""
        self.draining = True
        for conn in list(self.connections):
            _abandon(conn.sock)


def _peer_text(peer):
    if isinstance(peer, tuple) and peer:
        return format_address(peer[0], peer[1])
    return 'a local socket'


def _abandon(sock):
    """Close ``sock`` under the green thread reading it; it reads no more.

    shutdown() alone wakes the reader, but Linux still hands it request
    bytes that arrived before: it would run a request whose client saw
    the connection close unanswered, and may retry it. Declaring the
    descriptor obsolete to the hub first throws an error into the blocked
    reader instead, so those bytes are never read.
    """
    try:
        eventlet.hubs.notify_opened(sock.fileno())
    except (OSError, ValueError):
        pass
    _shutdown(sock)


def _shutdown(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass
