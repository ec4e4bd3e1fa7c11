"""systemd socket activation (``sd_listen_fds``) for the two listeners.

With a socket unit, systemd binds the ports and starts service-all with
the listening sockets as descriptors 3, 4, ... and ``LISTEN_FDS`` (how
many), ``LISTEN_PID`` (for whom) and ``LISTEN_FDNAMES`` (colon-separated
``FileDescriptorName=`` values) in the environment. Sockets named
``admin`` and ``public`` replace binding those listeners; a listener
without one binds as configured. The variables are removed from the
environment at once (like ``sd_listen_fds(1)``) so that no child, and no
command run by the ``onready`` hook, mistakes them for its own.

Stdlib only.
"""

import logging
import os
import socket

from keystone_like.server import errors

LOG = logging.getLogger(__name__)
LISTEN_FDS_START = 3
NAMES = ('admin', 'public')
_VARIABLES = ('LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES')


def listen_sockets(environ=None):
    """Return {'admin'|'public': socket} passed by systemd (often {})."""
    environ = os.environ if environ is None else environ
    values = {name: environ.pop(name, None) for name in _VARIABLES}
    if not values['LISTEN_FDS']:
        return {}
    if values['LISTEN_PID'] != str(os.getpid()):
        LOG.debug('LISTEN_FDS is for pid %s, not us; ignoring it',
                  values['LISTEN_PID'])
        return {}
    try:
        count = int(values['LISTEN_FDS'])
    except ValueError:
        raise errors.StartupError(
            'LISTEN_FDS = %r is not a number; fix the socket unit or unset '
            'it.' % values['LISTEN_FDS'], errors.EXIT_CONFIG) from None
    names = (values['LISTEN_FDNAMES'] or '').split(':')
    found = {}
    for index in range(count):
        fd = LISTEN_FDS_START + index
        name = names[index] if index < len(names) else ''
        if name not in NAMES:
            LOG.warning('Ignoring socket fd %d named %r passed by systemd: '
                        'name it admin or public (FileDescriptorName=)',
                        fd, name)
            continue
        if name in found:
            raise errors.StartupError(
                'systemd passed two sockets named %s (LISTEN_FDNAMES=%s); '
                'give each listener one socket.' % (
                    name, values['LISTEN_FDNAMES']), errors.EXIT_CONFIG)
        found[name] = _listening_socket(fd, name)
    return found


def _listening_socket(fd, name):
    try:
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise errors.StartupError(
            'the %s socket passed by systemd (fd %d) is unusable: %s; check '
            'the socket unit.' % (name, fd, exc.strerror),
            errors.EXIT_OSERR) from None
    listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
    if sock.type != socket.SOCK_STREAM or not listening:
        sock.detach()
        raise errors.StartupError(
            'the %s socket passed by systemd (fd %d) is not a listening '
            'stream socket; use ListenStream= in the socket unit.'
            % (name, fd), errors.EXIT_OSERR)
    os.set_inheritable(fd, False)
    return sock
