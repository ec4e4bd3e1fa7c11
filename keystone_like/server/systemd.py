"""systemd's notify protocol (sd_notify) without libsystemd.

Usable as ``onready = keystone_like.server.systemd``: its ``notify()`` sends
READY=1. Outside systemd (no ``NOTIFY_SOCKET``) every call does nothing.
"""

import logging
import os
import socket
import time

LOG = logging.getLogger(__name__)


def send(*states):
    """Send ``KEY=value`` lines to systemd; False when not under systemd.

    Like sd_notify(3) it never raises: a stale NOTIFY_SOCKET (inherited
    from a unit, systemd restarted) must not stop the service from
    starting or from shutting down cleanly.
    """
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    target = address
    if address.startswith('@'):
        target = '\0' + address[1:]         # abstract namespace socket
    try:
        with socket.socket(socket.AF_UNIX,
                           socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(target)
            sock.sendall('\n'.join(states).encode('utf-8'))
    except OSError as exc:
        LOG.warning('Cannot notify systemd at NOTIFY_SOCKET=%s (%s): %s',
                    address, exc.strerror or exc, ', '.join(
                        s for s in states if not s.startswith('STATUS=')))
        return False
    return True


def notify(status='Serving admin and public endpoints'):
    """Tell systemd the service is ready (the ``onready`` entry point)."""
    return send('READY=1', 'STATUS=%s' % status)


def notify_reloading():
    """Tell systemd a reload started (Type=notify-reload wants the clock)."""
    usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return send('RELOADING=1', 'MONOTONIC_USEC=%d' % usec)


def notify_stopping():
    """Tell systemd the service is stopping."""
    return send('STOPPING=1', 'STATUS=Stopping')
