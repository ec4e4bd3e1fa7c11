"""The processes of the multi-node harness: PostgreSQL database, nodes,
HAProxy. Everything listens on 127.0.0.1; every process is started here in
a session of its own and ended here by its pid (or its own session's
process group, for the SIGKILL of a whole node).
"""

import contextlib
import http.client
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

ROOT = pathlib.Path(__file__).resolve().parents[2]
HAPROXY_CFG = ROOT / 'deploy' / 'haproxy' / 'haproxy.cfg'
ADMIN_DB_URL = os.environ.get(
    'KEYSTONE_LIKE_HARNESS_POSTGRES_URL',
    'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres')
HOST = '127.0.0.1'
POLL = 0.05


def free_port():
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout, what):
    """Poll ``condition()`` until truthy; return it or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError('timed out after %ss waiting for %s'
                               % (timeout, what))
        time.sleep(POLL)


def http_status(port, path, timeout=2.0):
    """GET ``path`` on ``port``; return the status, or None on any error."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request('GET', path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


class Database:
    """One PostgreSQL database, created for the run and dropped after."""

    def __init__(self):
        self.name = 'kl_multinode_%s' % uuid.uuid4().hex[:10]
        self.url = sa.engine.make_url(ADMIN_DB_URL).set(
            database=self.name).render_as_string(hide_password=False)

    def _execute(self, statement):
        engine = sa.create_engine(ADMIN_DB_URL, isolation_level='AUTOCOMMIT',
                                  poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()

    def create(self):
        """CREATE DATABASE."""
        self._execute('CREATE DATABASE %s' % self.name)

    def drop(self):
        """DROP DATABASE, disconnecting whoever still uses it."""
        self._execute('DROP DATABASE IF EXISTS %s WITH (FORCE)' % self.name)


class Process:
    """A child process in its own session, its output in a file."""

    def __init__(self, argv, log_path, env=None):
        self.argv = argv
        self.log_path = log_path
        self.env = env
        self.popen = None

    def start(self):
        """Start it (a new session: its pid is its process group)."""
        with open(self.log_path, 'ab') as log:
            self.popen = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=self.env,
                start_new_session=True)
        return self

    @property
    def pid(self):
        """Its pid."""
        return self.popen.pid

    def running(self):
        """True until it exited."""
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum):
        """Send ``signum`` to the process itself."""
        if self.running():
            os.kill(self.popen.pid, signum)

    def kill_group(self):
        """SIGKILL its whole process group (this node's session only)."""
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL of its group after ``timeout``."""
        if not self.running():
            return
        os.kill(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill_group()


class Node:
    """One ``service-all`` with its own state dir and key repositories."""

    def __init__(self, directory, name, database_url, workers=1):
        self.name = name
        self.directory = directory / name
        self.directory.mkdir(parents=True)
        self.admin_port = free_port()
        self.public_port = free_port()
        self.state_dir = self.directory / 'state'
        self.state_dir.mkdir()
        self.fernet_keys = self.directory / 'fernet-keys'
        self.credential_keys = self.directory / 'credential-keys'
        self.config_path = self.directory / 'keystone_like.conf'
        self.database_url = database_url
        self.workers = workers
        self.process = None
        self.starts = 0

    def write_config(self):
        """Write this node's config file."""
        sections = {
            'DEFAULT': {
                'admin_bind_host': HOST, 'public_bind_host': HOST,
                'admin_port': self.admin_port,
                'public_port': self.public_port,
                'admin_workers': self.workers,
                'public_workers': self.workers,
                'state_dir': self.state_dir,
                'pid_file': self.directory / 'service-all.pid'},
            'database': {'connection': self.database_url},
            'fernet_tokens': {'key_repository': self.fernet_keys,
                              'max_active_keys': 4},
            'credential': {'key_repository': self.credential_keys},
            'identity': {'password_hash_rounds': 4},
            'eventlet_server': {'graceful_shutdown_timeout': 15},
        }
        lines = []
        for section, options in sections.items():
            lines.append('[%s]' % section)
            lines.extend('%s = %s' % item for item in options.items())
            lines.append('')
        self.config_path.write_text('\n'.join(lines))

    def manage(self, *argv, env=None):
        """Run ``service-manage`` with this node's config; return stdout."""
        full_env = dict(os.environ, **(env or {}))
        completed = subprocess.run(
            [sys.executable, '-m', 'keystone_like.cmd.manage',
             '--config-file', str(self.config_path)] + list(argv),
            capture_output=True, text=True, env=full_env, timeout=120,
            stdin=subprocess.DEVNULL)
        if completed.returncode != 0:
            raise RuntimeError('service-manage %s on %s exited %d: %s'
                               % (' '.join(argv), self.name,
                                  completed.returncode,
                                  completed.stderr.strip()))
        return completed.stdout

    def start(self, timeout=90):
        """Start service-all; return once its status document says ready
        (all workers answer; /healthcheck may still say 503 if the node is
        disabled by file)."""
        self.starts += 1
        self.process = Process(
            [sys.executable, '-m', 'keystone_like.cmd.all', '--config-file',
             str(self.config_path)],
            self.directory / 'service-all.log').start()
        pid = self.process.pid
        wait_for(lambda: self.ready(pid) or self._died(), timeout,
                 '%s to be ready' % self.name)
        return self

    def _died(self):
        if not self.process.running():
            raise RuntimeError('%s exited with %s; see %s' % (
                self.name, self.process.popen.returncode,
                self.directory / 'service-all.log'))
        return False

    def ready(self, pid):
        """True when the service-all of ``pid`` reports itself ready."""
        status = self.status()
        return status.get('pid') == pid and status.get('state') == 'ready'

    def healthy(self):
        """True when both listeners answer /healthcheck with 200."""
        return all(http_status(port, '/healthcheck') == 200
                   for port in (self.public_port, self.admin_port))

    @property
    def disable_file(self):
        """The default [healthcheck] disable_by_file_path of this node."""
        return self.state_dir / 'healthcheck_disable'

    def status(self):
        """The node's status document (``service-all status --json``)."""
        path = self.directory / 'service-all.status.json'
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}


class HAProxy:
    """HAProxy running the shipped haproxy.cfg, rewritten for loopback."""

    def __init__(self, directory, nodes, binary='haproxy'):
        self.directory = directory
        self.nodes = nodes
        self.binary = binary
        self.public_port = free_port()
        self.admin_port = free_port()
        self.socket_path = directory / 'haproxy.sock'
        self.config_path = directory / 'haproxy.cfg'
        self.process = None

    def render(self):
        """The shipped config with our addresses, no root-only settings."""
        out = []
        backend = None
        index = iter(())
        for line in HAPROXY_CFG.read_text().splitlines():
            words = line.split()
            if words[:1] in (['user'], ['group'], ['daemon']):
                continue
            if words[:2] == ['log', '/dev/log']:
                line = '    log stdout format raw local0 info'
            elif words[:1] == ['maxconn']:
                line = '    maxconn 2000'   # within an unprivileged ulimit
            elif words[:2] == ['stats', 'socket']:
                line = '    stats socket %s mode 600 level admin' % (
                    self.socket_path)
            elif words[:1] == ['bind']:
                port = (self.public_port if words[1] == ':5000'
                        else self.admin_port)
                line = '    bind %s:%d' % (HOST, port)
            elif words[:1] == ['backend']:
                backend = 'public' if 'public' in words[1] else 'admin'
                index = iter(self.nodes)
            elif words[:1] == ['server']:
                node = next(index)
                port = (node.public_port if backend == 'public'
                        else node.admin_port)
                line = re.sub(r'server \S+ \S+',
                              'server %s %s:%d' % (node.name, HOST, port),
                              line)
            out.append(line)
        return '\n'.join(out) + '\n'

    def start(self):
        """Check the config with -c, then run haproxy in the foreground."""
        self.config_path.write_text(self.render())
        subprocess.run([self.binary, '-c', '-q', '-f',
                        str(self.config_path)], check=True, timeout=30)
        self.process = Process([self.binary, '-db', '-f',
                                str(self.config_path)],
                               self.directory / 'haproxy.log').start()
        wait_for(self.socket_path.exists, 10, 'the HAProxy stats socket')
        return self

    def command(self, text):
        """Send one command to the stats socket; return the answer."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(text.encode() + b'\n')
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b''.join(chunks).decode()

    def server_states(self):
        """``{(backend, server): 'UP' | 'DOWN' | ...}`` from ``show stat``."""
        lines = self.command('show stat').splitlines()
        header = lines[0].lstrip('# ').split(',')
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(',')))
            if row.get('svname') not in (None, 'FRONTEND', 'BACKEND'):
                states[(row['pxname'], row['svname'])] = row['status']
        return states

    def sessions(self, node):
        """Total requests HAProxy sent to ``node`` (both backends)."""
        total = 0
        lines = self.command('show stat').splitlines()
        header = lines[0].lstrip('# ').split(',')
        for line in lines[1:]:
            row = dict(zip(header, line.split(',')))
            if row.get('svname') == node.name:
                total += int(row.get('stot') or 0)
        return total

    def wait_state(self, node, wanted, timeout=30):
        """Wait until both of ``node``'s servers are in state ``wanted``."""
        def reached():
            states = self.server_states()
            return all(state.startswith(wanted) for (_b, name), state
                       in states.items() if name == node.name)
        wait_for(reached, timeout, '%s to be %s in HAProxy'
                 % (node.name, wanted))
