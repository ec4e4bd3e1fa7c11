"""Readiness: a listener is ready when its pipeline answers a request.

Plain and one-way TLS listeners are probed over the network, through the
accept loop. A listener that requires client certificates cannot be probed
that way (we hold no client certificate), so the probe hands one end of a
socket pair to the listener's HTTP layer instead.
"""

import logging
import ssl
import time

import eventlet
from eventlet.green import socket
from eventlet.green import ssl as green_ssl

LOG = logging.getLogger(__name__)
PROBE_TIMEOUT = 5.0


_WILDCARDS = {'0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1'}


def _loopback(host):
    return _WILDCARDS.get(host, host)


def _connect(listener):
    host, port = listener.address
    host = _loopback(host)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(PROBE_TIMEOUT)
    sock.connect((host, port))
    if listener.ssl_context is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE   # our own listener, on loopback
        sock = green_ssl.GreenSSLSocket(sock, _context=context,
                                        do_handshake_on_connect=False)
        sock.do_handshake()
    # A Host header needs IPv6 literals in brackets.
    return sock, ('[%s]:%s' if ':' in host else '%s:%s') % (host, port)


def _socket_pair(listener):
    ours, theirs = socket.socketpair()
    ours.settimeout(PROBE_TIMEOUT)
    listener.serve_socket(theirs)
    return ours, 'localhost'


def probe(listener, in_process=False):
    """Send GET / once; return the HTTP status, or raise OSError.

    ``in_process`` always uses the socket pair: a worker proves that its
    own pipeline answers, not whichever process accepts the connection.
    """
    needs_cert = (listener.ssl_context is not None
                  and listener.ssl_context.verify_mode == ssl.CERT_REQUIRED)
    in_process = in_process or needs_cert
    sock, host = (_socket_pair if in_process else _connect)(listener)
    try:
        sock.sendall(b'GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: '
                     b'keystone_like-readiness\r\nConnection: close\r\n\r\n'
                     % host.encode())
        head = b''
        while b'\r\n' not in head:
            data = sock.recv(4096)
            if not data:
                raise OSError('connection closed before a status line')
            head += data
        return int(head.split(b' ', 2)[1])
    finally:
        sock.close()


def wait_ready(listeners, timeout, in_process=False):
    """Poll every listener until each answers below 500; False on timeout."""
    deadline = time.monotonic() + timeout
    pending = list(listeners)
    last_error = {}
    while pending:
        for listener in list(pending):
            try:
                status = probe(listener, in_process)
            except (OSError, ValueError, IndexError) as exc:
                last_error[listener.settings.name] = str(exc)
                continue
            if status < 500:
                pending.remove(listener)
            else:
                last_error[listener.settings.name] = 'HTTP %d' % status
        if not pending:
            return True
        if time.monotonic() >= deadline:
            for listener in pending:
                LOG.error('%s listener did not answer within %ss (last: %s)',
                          listener.settings.name, timeout,
                          last_error.get(listener.settings.name))
            return False
        eventlet.sleep(0.05)
    return True
