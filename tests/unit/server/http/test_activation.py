"""keystone_like.server.http.activation with real descriptors 3 and 4.

Each case runs in a forked child, which may put sockets at fds 3 and 4
(where systemd puts them) without disturbing the test process.
"""

import json
import os
import socket

import pytest

from keystone_like.server.http import activation
from keystone_like.server import errors

pytestmark = pytest.mark.filterwarnings('ignore:Using fork')


def activate(kinds, names, pid=None, count=None):
    """Put sockets of ``kinds`` at fds 3, 4...; run listen_sockets().

    ``kinds``: 'listening', 'connected' or 'udp' per fd. Returns
    {'found': {name: port}, 'left': [env vars left]} or {'error', 'code'}.
    """
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            for fd, kind in enumerate(kinds, activation.LISTEN_FDS_START):
                sock = _make(kind)
                os.dup2(sock.fileno(), fd)
                sock.close()
            environ = {'LISTEN_PID': str(pid or os.getpid()),
                       'LISTEN_FDS': str(count or len(kinds)),
                       'LISTEN_FDNAMES': names, 'OTHER': 'kept'}
            found = activation.listen_sockets(environ)
            result = {'found': {name: sock.getsockname()[1]
                                for name, sock in found.items()},
                      'left': sorted(environ)}
        except Exception as exc:    # noqa: BLE001 - reported to the parent
            result = {'error': str(exc),
                      'code': getattr(exc, 'exit_code', None)}
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as f:
        data = f.read()
    os.waitpid(child, 0)
    return json.loads(data)


def _make(kind):
    if kind == 'udp':
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(('127.0.0.1', 0))
        return sock
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    if kind == 'listening':
        sock.listen(8)
    return sock


def test_nothing_passed():
    environ = {'PATH': '/bin'}
    assert activation.listen_sockets(environ) == {}
    assert environ == {'PATH': '/bin'}


def test_admin_and_public_sockets_are_taken_and_the_variables_removed():
    result = activate(['listening', 'listening'], 'admin:public')
    assert sorted(result['found']) == ['admin', 'public']
    assert all(port > 0 for port in result['found'].values())
    assert result['left'] == ['OTHER']


def test_one_socket_leaves_the_other_listener_to_bind():
    result = activate(['listening'], 'public')
    assert list(result['found']) == ['public']


def test_sockets_for_another_process_are_ignored():
    result = activate(['listening'], 'admin', pid=1)
    assert result == {'found': {}, 'left': ['OTHER']}


def test_unknown_names_are_ignored():
    result = activate(['listening', 'listening'], 'metrics:admin')
    assert list(result['found']) == ['admin']


@pytest.mark.parametrize('kinds,names,count,says,code', [
    (['connected'], 'admin', None, 'the admin socket passed by systemd '
     '(fd 3) is not a listening stream socket', errors.EXIT_OSERR),
    (['udp'], 'public', None, 'the public socket passed by systemd (fd 3) '
     'is not a listening stream socket', errors.EXIT_OSERR),
    (['listening', 'listening'], 'admin:admin', None, 'systemd passed two '
     'sockets named admin', errors.EXIT_CONFIG),
    (['listening'], 'admin', 'two', "LISTEN_FDS = 'two' is not a number",
     errors.EXIT_CONFIG),
])
def test_unusable_sockets_are_one_clear_line(kinds, names, count, says,
                                             code):
    result = activate(kinds, names, count=count)
    assert result['error'].startswith(says), result
    assert result['code'] == code
