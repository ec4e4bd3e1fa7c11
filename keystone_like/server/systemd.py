"""systemd's notify protocol (sd_notify) without libsystemd.

Usable as ``onready = keystone_like.server.systemd``: its ``notify()`` sends
READY=1. Outside systemd (no ``NOTIFY_SOCKET``) every call does nothing.
"""

import os
import socket
import time


def send(*states):
    """Send ``KEY=value`` lines to systemd; False when not under systemd."""
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    if address.startswith('@'):
        address = '\0' + address[1:]        # abstract namespace socket
    with socket.socket(socket.AF_UNIX,
                       socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect(address)
        sock.sendall('\n'.join(states).encode('utf-8'))
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


def notify_status(text):
    """Update the STATUS= line ``systemctl status`` shows."""
    return send('STATUS=%s' % text)
