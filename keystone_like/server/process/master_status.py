"""What the master tells the outside world: pid file, status file, systemd.

Split from ``master`` to keep it readable: :class:`Reporting` is the
master's base class and holds everything it publishes. The pid file is
claimed at start (``pidfile.claim_pid_file``: a live instance holding it
refuses this one) and removed at exit; the status file (format in
``control.status``) is rewritten on every change; systemd hears READY=1
with a STATUS= line such as "2 admin + 2 public workers ready,
generation 3".
"""

import logging
import os
import socket
import time

from keystone_like.server.control import pidfile
from keystone_like.server.http import sockets
from keystone_like.server.control import status
from keystone_like.server import systemd
from keystone_like import version

LOG = logging.getLogger(__name__)


class Reporting:
    """Pid file, status document, banner and systemd notifications."""

    def __init__(self, conf, prepared):
        self.conf = conf
        self.pid_file = status.pid_path(conf)
        self.status_file = status.StatusFile(status.status_path(
            self.pid_file))
        self.started_at = time.time()
        self.last_restart_reason = None
        self.last_reload = None
        self.urls = {p.settings.name: '%s://%s' % (
            'https' if p.ssl_context else 'http',
            sockets.format_address(*p.sock.getsockname()[:2]))
            for p in prepared}

    def claim_pid_file(self):
        """Write our pid; StartupError if another service-all owns the file."""
        pidfile.claim_pid_file(self.pid_file)

    def release_files(self):
        """Remove the pid and status files if they are still ours."""
        pidfile.release_pid_file(self.pid_file)
        self.status_file.remove()

    def log_banner(self, counts):
        """The start-up lines."""
        LOG.info('keystone_like %s (master process [%d]): admin on %s, '
                 'public on %s; %d admin + %d public workers',
                 version.version_string(), os.getpid(), self.urls['admin'],
                 self.urls['public'], counts[0], counts[1])
        LOG.info('Quit with CONTROL-C (at once) or SIGTERM (graceful); '
                 'reload with SIGHUP')

    def state_name(self):
        """starting, ready, reloading, degraded or stopping."""
        if self.stopping is not None:
            return 'stopping'
        if self.pending is not None:
            return 'reloading'
        if self.current is None or not self.current.ready:
            return 'starting'
        if (self.current.state or {}).get('degraded'):
            return 'degraded'
        return 'ready'

    def document(self):
        """The status document (see ``control.status``)."""
        gen = self.current
        if gen is not None and gen.state:
            listeners = gen.state['listeners']
        else:
            listeners = {name: status.listener_entry(url)
                         for name, url in self.urls.items()}
        self.urls = {name: item['url'] for name, item in listeners.items()}
        return status.document(
            os.getpid(), version.version_string(), self.started_at,
            self.state_name(), 'workers',
            gen.number if gen else self.number, listeners,
            self.last_restart_reason, self.last_reload)

    def write_status(self):
        """Rewrite the status file; a failure is logged, never fatal."""
        self.status_file.write(self.document())

    def workers_text(self, gen):
        """'2 admin + 2 public workers ready, generation 3'."""
        listeners = (gen.state or {}).get('listeners', {})
        counts = [len(listeners.get(name, {}).get('workers', []))
                  for name in ('admin', 'public')]
        return '%d admin + %d public workers ready, generation %d' % (
            counts[0], counts[1], gen.number)

    def notify_ready(self):
        """READY=1 and a STATUS= line for systemd; update the status file."""
        self.write_status()
        if self.current is not None:
            systemd.send('READY=1', 'STATUS=%s' % self.workers_text(
                self.current))


def adopt_sockets(message, fds):
    """Turn a leader's 'sockets' message into the master's bound entries."""
    found = {}
    for name, host, port, fd in zip(message['names'], message['hosts'],
                                    message['ports'], fds):
        found[name] = {'sock': socket.socket(fileno=fd), 'host': host,
                       'port': port, 'activated': False}
    return found


def readiness_text(state):
    """'admin 1/2 ready, public 2/2 ready' from a leader's state message."""
    if not state:
        return 'its leader was still loading'
    parts = []
    for name, item in sorted(state['listeners'].items()):
        ready = sum(1 for w in item['workers'] if w['ready'])
        parts.append('%s %d/%d ready' % (name, ready, len(item['workers'])))
    return ', '.join(parts)
