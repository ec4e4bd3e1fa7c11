"""Binding listening sockets, with errors an operator can act on.

Stdlib only: ``service-manage check`` uses it without eventlet.
"""

import errno
import socket

from keystone_like.server.errors import EXIT_OSERR
from keystone_like.server.errors import StartupError

_BIND_ADVICE = {
    errno.EADDRINUSE: 'That port is already in use; stop the other '
                      'process or choose another port',
    errno.EACCES: 'Permission denied; ports below 1024 need root or '
                  'CAP_NET_BIND_SERVICE, so choose a port above 1023',
    errno.EADDRNOTAVAIL: 'That address is not available on this machine; '
                         'use one of its addresses, 0.0.0.0 or ::',
}


def format_address(host, port):
    """Return ``host:port`` with IPv6 literals in brackets."""
    return '[%s]:%s' % (host, port) if ':' in host else '%s:%s' % (host, port)


def bind_socket(name, host, port, backlog):
    """Bind and listen on ``host``:``port``; StartupError on failure."""
    option = '%s_bind_host' % name
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC,
                                   socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(
            '%s listener: cannot resolve %s = %r (%s); use an IP address '
            'or a resolvable host name.' % (name, option, host, exc.strerror),
            EXIT_OSERR) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # SO_REUSEADDR only lets us rebind over TIME_WAIT; SO_REUSEPORT is
        # deliberately not set so a second instance fails loudly.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        advice = _BIND_ADVICE.get(exc.errno, exc.strerror or str(exc))
        raise StartupError('%s listener: cannot listen on %s: %s.' % (
            name, format_address(host, port), advice), EXIT_OSERR) from None
    return sock
