"""Run ``service-all`` as a real child process on free loopback ports.

:class:`ServiceProcess` writes a config file, starts the service (as
``python -m``, the checkout's ``bin/service-all`` or a console script),
polls for readiness and always stops what it started, by pid: SIGTERM,
then SIGKILL after a bound. :class:`Services` is the context manager the
tests' fixtures use so every process started in a test is stopped at its
end, whatever happened.
"""

import http.client
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import time

from tests.support import identity

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN_SERVICE_ALL = ROOT / 'bin' / 'service-all'
READY_LINE = 'Application startup complete'
START_TIMEOUT = 20.0
EXIT_TIMEOUT = 10.0
KILL_TIMEOUT = 5.0
POLL = 0.02


def free_port(host='127.0.0.1'):
    """Return a TCP port that was free on ``host`` a moment ago."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host, port):
    """True when ``host``:``port`` can be bound (nothing listens on it).

    SO_REUSEADDR, as the service sets it, so that connections left in
    TIME_WAIT do not count; on Linux a listening socket still does.
    """
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for(condition, timeout, what):
    """Poll ``condition()`` until truthy and return it; fail on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(POLL)


def format_host(host):
    """Return ``host`` as it goes in a URL (IPv6 in brackets)."""
    return '[%s]' % host if ':' in host else host


def pythonpath(*directories):
    """Return a PYTHONPATH value with ``directories`` before the current."""
    parts = [str(d) for d in directories]
    if os.environ.get('PYTHONPATH'):
        parts.append(os.environ['PYTHONPATH'])
    return os.pathsep.join(parts)


def render_config(sections):
    """Return the ini text of ``{section: {option: value}}``."""
    lines = []
    for section, options in sections.items():
        lines.append('[%s]' % section)
        for name, value in options.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            lines.append('%s = %s' % (name, value))
        lines.append('')
    return '\n'.join(lines)


def http_request(host, port, path='/', method='GET', headers=None,
                 context=None, timeout=5.0):
    """Send one request; return ``(status, headers dict, body bytes)``."""
    if context is None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection(host, port, timeout=timeout,
                                           context=context)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


def client_context(ca_file, cert=None, key=None):
    """Return a TLS client context trusting ``ca_file`` (and a client cert)."""
    context = ssl.create_default_context(cafile=ca_file)
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


class ServiceProcess:
    """One ``service-all`` child process with its config and output files.

    ``sections`` are merged over the defaults (both listeners on ``host``
    and free ports). ``command`` is the argv before ``--config-file``;
    ``extra_args`` follow it. ``env`` entries are added to (a value of
    None removes them from) the inherited environment. With
    ``write_config=False`` no file is written (to test a missing one).
    """

    def __init__(self, directory, sections=None, host='127.0.0.1',
                 command=None, extra_args=(), env=None, name='service',
                 config_text=None, popen_kwargs=None, write_config=True):
        self.directory = pathlib.Path(directory)
        self.host = host
        self.admin_port = free_port(host)
        self.public_port = free_port(host)
        self.command = list(command or [sys.executable, '-m',
                                        'keystone_like.cmd.all'])
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.popen_kwargs = popen_kwargs or {}
        self.config_path = self.directory / ('%s.conf' % name)
        self.stdout_path = self.directory / ('%s.stdout' % name)
        self.stderr_path = self.directory / ('%s.stderr' % name)
        self.process = None
        self.returncode = None
        self.sections = {'DEFAULT': {
            'admin_bind_host': host, 'public_bind_host': host,
            'admin_port': self.admin_port, 'public_port': self.public_port,
            'state_dir': identity.shared_state_dir(),
            # Single-process mode unless a test asks for workers.
            'admin_workers': 0, 'public_workers': 0,
            'pid_file': self.directory / ('%s.pid' % name),
        }}
        for section, options in (sections or {}).items():
            self.sections.setdefault(section, {}).update(options)
        self.config_text = config_text
        self.write_config_file = write_config

    @property
    def ports(self):
        """The (admin, public) ports."""
        return self.admin_port, self.public_port

    def write_config(self):
        """Write the config file (``config_text`` verbatim if given)."""
        text = self.config_text
        if text is None:
            text = render_config(self.sections)
        self.config_path.write_text(text)
        return self.config_path

    def argv(self):
        """The full command line of the child."""
        return self.command + ['--config-file',
                               str(self.config_path)] + self.extra_args

    def start(self, wait=True, timeout=START_TIMEOUT):
        """Start the child; with ``wait``, return once it is ready."""
        if self.write_config_file:
            self.write_config()
        env = dict(os.environ)
        for key, value in self.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        with open(self.stdout_path, 'wb') as out, \
                open(self.stderr_path, 'wb') as err:
            self.process = subprocess.Popen(
                self.argv(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=env, cwd=str(self.directory), **self.popen_kwargs)
        if wait:
            self.wait_ready(timeout)
        return self

    @property
    def pid(self):
        """The child's pid."""
        return self.process.pid

    @property
    def log(self):
        """Everything the child wrote to stderr (its log) so far."""
        try:
            return self.stderr_path.read_text(errors='replace')
        except FileNotFoundError:
            return ''

    @property
    def stdout(self):
        """Everything the child wrote to stdout so far."""
        try:
            return self.stdout_path.read_text(errors='replace')
        except FileNotFoundError:
            return ''

    def stderr_lines(self):
        """The non-empty lines of stderr."""
        return [line for line in self.log.splitlines() if line.strip()]

    def running(self):
        """True while the child has not exited."""
        if self.process is None or self.returncode is not None:
            return False
        self.returncode = self.process.poll()
        return self.returncode is None

    def wait_ready(self, timeout=START_TIMEOUT):
        """Poll the log for the start-up line; fail early if it exits."""
        def ready():
            if READY_LINE in self.log:
                return True
            if not self.running():
                raise AssertionError(
                    'service exited with %s before it was ready:\n%s'
                    % (self.returncode, self.log))
            return False
        try:
            wait_for(ready, timeout, repr(READY_LINE))
        except AssertionError as exc:
            raise AssertionError('%s; the log so far:\n%s'
                                 % (exc, self.log)) from None
        return self

    def wait_log(self, text, timeout=EXIT_TIMEOUT):
        """Poll the log until it contains ``text``."""
        try:
            wait_for(lambda: text in self.log, timeout, repr(text))
        except AssertionError as exc:
            raise AssertionError('%s; the log:\n%s'
                                 % (exc, self.log)) from None

    def send_signal(self, signum):
        """Send ``signum`` to the child (only while it runs)."""
        if self.running():
            os.kill(self.process.pid, signum)

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Wait for the child to exit; return its exit code."""
        try:
            self.returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('service (pid %d) still running after %ss:'
                                 '\n%s' % (self.process.pid, timeout,
                                           self.log)) from None
        return self.returncode

    def run_to_exit(self, timeout=EXIT_TIMEOUT):
        """Start without waiting for readiness; return the exit code."""
        self.start(wait=False)
        return self.wait_exit(timeout)

    def stop(self, timeout=EXIT_TIMEOUT):
        """SIGTERM, then SIGKILL after ``timeout``; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(KILL_TIMEOUT)
        self.returncode = self.process.returncode
        return self.returncode

    def get(self, listener, path='/', context=None, headers=None,
            host=None):
        """GET ``path`` from the admin or public listener."""
        port = self.admin_port if listener == 'admin' else self.public_port
        return http_request(host or self.host, port, path, headers=headers,
                            context=context)


class Services:
    """Makes :class:`ServiceProcess` objects and stops them all on exit."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.started = []

    def __call__(self, **kwargs):
        """Return a new (not yet started) :class:`ServiceProcess`."""
        kwargs.setdefault('name', 'service%d' % len(self.started))
        item = ServiceProcess(self.directory, **kwargs)
        self.started.append(item)
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for item in self.started:
            item.stop()
