"""systemd socket activation: service-all serves sockets it did not bind."""

import signal
import socket
import sys

from keystone_like.server import errors
from tests.functional import test_workers as workers
from tests.support import service

services = workers.services     # the fixture

# Puts the passed sockets at fds 3 and 4, says they are for this very pid
# (exec keeps it) and runs service-all, as systemd would.
WRAPPER = '''\
import fcntl, os, sys
passed = [int(fd) for fd in sys.argv[1:3]]
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in passed]
for fd in passed:
    os.close(fd)
for target, fd in zip((3, 4), high):
    os.dup2(fd, target)
    os.close(fd)
os.environ.update(LISTEN_FDS='2', LISTEN_FDNAMES='admin:public',
                  LISTEN_PID=str(os.getpid()))
os.execv(sys.executable, [sys.executable, '-m', 'keystone_like.cmd.all']
         + sys.argv[3:])
'''


def _listening(host):
    sock = socket.socket()
    sock.bind((host, 0))
    sock.listen(128)
    return sock


def test_activated_sockets_are_served_and_kept_across_a_reload(services):
    admin, public = _listening('127.0.0.1'), _listening('127.0.0.1')
    fds = (admin.fileno(), public.fileno())
    svc = services(
        command=[sys.executable, '-c', WRAPPER] + [str(fd) for fd in fds],
        sections=workers.workers_sections(1, 1),
        popen_kwargs={'pass_fds': fds})
    configured = svc.ports
    svc.admin_port = admin.getsockname()[1]
    svc.public_port = public.getsockname()[1]
    try:
        svc.start()
    finally:
        admin.close()
        public.close()
    document = service.wait_for(lambda: workers.all_ready(svc), 10, 'ready')
    assert 'admin listener: using the socket passed by systemd (fd 3)' \
        in svc.log
    assert 'public listener: using the socket passed by systemd (fd 4)' \
        in svc.log
    for listener in ('admin', 'public'):
        assert svc.get(listener, '/v3')[0] == 200
    # Nothing was bound on the configured ports.
    assert all(service.port_is_free(svc.host, port) for port in configured)
    svc.send_signal(signal.SIGHUP)
    service.wait_for(lambda: workers.all_ready(
        svc, 2, exclude=workers.worker_pids(document)), 10, 'generation 2')
    for listener in ('admin', 'public'):
        assert svc.get(listener, '/v3')[0] == 200
    assert svc.stop() == errors.EXIT_OK
    assert all(service.port_is_free(svc.host, port) for port in svc.ports)
