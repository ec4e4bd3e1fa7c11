"""A real :class:`Listener` in the test process, and raw-socket clients.

The test process is not monkey-patched. Eventlet hubs are per thread, so
the listener runs in a native thread of its own whose hub serves the accept
loop and every connection, exactly as in ``service-all``. Tests talk to it
with plain blocking stdlib sockets (always with a timeout) and raw bytes,
so they control the framing byte for byte.
"""

import concurrent.futures
import contextlib
import dataclasses
import pathlib
import queue
import socket
import threading
import time
import warnings

with warnings.catch_warnings():
    # The server layer knows eventlet is deprecated (see DESIGN.md); the
    # warning on import says nothing about these tests.
    warnings.simplefilter('ignore')
    import eventlet
import paste.deploy

from keystone_like import conf
from keystone_like.server.config.listener import ListenerSettings
from keystone_like.server.http import listener as server_listener
from keystone_like.server.http import sockets
from keystone_like.server.http import tls as server_tls

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASTE_URI = 'config:%s' % (ROOT / 'etc' / 'keystone_like-paste.ini')
CLIENT_TIMEOUT = 5.0
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
_TICK = 0.02


def load_pipeline(name='main'):
    """Load a composite of the real paste ini (parses an empty CONF first)."""
    conf.CONF([], project='keystone_like', default_config_files=[],
              default_config_dirs=[])
    return paste.deploy.loadapp(PASTE_URI, name=name)


def has_ipv6_loopback():
    """True when this host can listen on ``::1``."""
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(('::1', 0))
    except OSError:
        return False
    return True


def wait_until(predicate, timeout=5.0, interval=0.01, message=None):
    """Poll ``predicate`` until it returns a true value; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message or 'condition not met within %ss: %r'
                                 % (timeout, predicate))
        time.sleep(interval)


class InProcessServer:
    """One listener served by an eventlet hub in its own native thread."""

    def __init__(self, app, settings, ssl_context=None, drain_timeout=1.0):
        self.app = app
        self.settings = settings
        self.ssl_context = ssl_context
        self.drain_timeout = drain_timeout
        self.listener = None
        self.host = settings.host
        self.port = None
        self._calls = queue.Queue()
        self._started = threading.Event()
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='hub-%s' % settings.name)

    @property
    def url(self):
        """The base URL clients use."""
        scheme = 'https' if self.ssl_context is not None else 'http'
        return '%s://%s' % (scheme, sockets.format_address(
            self.host, self.port))

    @property
    def family(self):
        """The address family of the listening socket."""
        return socket.AF_INET6 if ':' in self.host else socket.AF_INET

    def start(self):
        """Bind and start accepting; raise whatever start-up raised."""
        self._thread.start()
        if not self._started.wait(START_TIMEOUT):
            raise RuntimeError('listener did not start within %ss'
                               % START_TIMEOUT)
        if self._error is not None:
            raise self._error
        return self

    def call(self, function, *args):
        """Run ``function(*args)`` in a green thread of the server's hub.

        Returns a :class:`concurrent.futures.Future` for its result.
        """
        future = concurrent.futures.Future()
        self._calls.put((future, function, args))
        return future

    def stop(self):
        """Stop accepting and drain, in the hub thread; wait for the thread."""
        self._stop.set()
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError('listener thread did not stop within %ss'
                               % STOP_TIMEOUT)

    # -- the hub thread ----------------------------------------------------

    def _run(self):
        try:
            sock = sockets.bind_socket(
                self.settings.name, self.host, self.settings.port,
                self.settings.backlog)
            self.port = sock.getsockname()[1]
            self.listener = server_listener.Listener(
                self.settings, self.app, sock, self.ssl_context)
            self.listener.start()
        except BaseException as exc:
            self._error = exc
            self._started.set()
            return
        self._started.set()
        while not self._stop.is_set():
            self._run_calls()
            eventlet.sleep(_TICK)
        self.listener.stop_accepting()
        self.listener.drain(self.drain_timeout)
        # drain() shut the last sockets down; an app still sleeping in a
        # request is ended too, so nothing is left in a hub nobody runs.
        pool = self.listener.pool
        for green_thread in list(pool.coroutines_running):
            eventlet.greenthread.kill(green_thread)
        with eventlet.Timeout(STOP_TIMEOUT / 2, False):
            pool.waitall()
        poll = getattr(eventlet.hubs.get_hub(), 'poll', None)
        if poll is not None and hasattr(poll, 'close'):
            poll.close()

    def _run_calls(self):
        while True:
            try:
                future, function, args = self._calls.get_nowait()
            except queue.Empty:
                return
            eventlet.spawn_n(_call_into, future, function, args)


def _call_into(future, function, args):
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(function(*args))
    except BaseException as exc:
        future.set_exception(exc)


@contextlib.contextmanager
def running_listener(app, host='127.0.0.1', tls=None, name='public',
                     drain_timeout=1.0, **overrides):
    """Serve ``app`` on ``host`` (a free port) for the ``with`` block.

    ``tls`` is a :class:`TLSSettings`; its context is built with the
    service's own ``build_context``. ``overrides`` set
    :class:`ListenerSettings` fields.
    """
    settings = ListenerSettings(name=name, host=host, port=0, tls=tls,
                                **overrides)
    context = server_tls.build_context(tls, name) if tls else None
    server = InProcessServer(app, settings, context, drain_timeout)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def listeners(default_app=None):
    """Yield ``start(app=None, **settings)``; all it started stop at exit."""
    with contextlib.ExitStack() as stack:
        def start(app=None, **overrides):
            return stack.enter_context(
                running_listener(app or default_app, **overrides))
        yield start


# -- the client side -------------------------------------------------------

def get_request(path, *headers):
    """Raw bytes of an HTTP/1.1 GET; ``headers`` are extra raw lines."""
    head = [b'GET %s HTTP/1.1' % path.encode(), b'Host: localhost']
    return b'\r\n'.join(head + list(headers)) + b'\r\n\r\n'


def post_request(path, body, *headers, version=b'1.1'):
    """Raw bytes of a POST with Content-Length."""
    head = [b'POST %s HTTP/%s' % (path.encode(), version), b'Host: localhost',
            b'Content-Length: %d' % len(body)]
    return b'\r\n'.join(head + list(headers)) + b'\r\n\r\n' + body


def timed_request(server, data, method='GET'):
    """Send one request on a new connection; return (response, seconds)."""
    started = time.monotonic()
    with Client.connect(server) as client:
        response = client.request(data, method)
    return response, time.monotonic() - started


@dataclasses.dataclass
class Response:
    """One parsed HTTP response."""

    version: str
    status: int
    reason: str
    headers: list
    body: bytes
    trailers: list = dataclasses.field(default_factory=list)

    def header(self, name, default=None):
        """Return the value of the header ``name`` (the last one)."""
        found = [v for n, v in self.headers if n.lower() == name.lower()]
        return found[-1] if found else default

    def header_values(self, name):
        """Return every value of the header ``name``."""
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def status_line(self):
        """The status line as sent."""
        return '%s %d %s' % (self.version, self.status, self.reason)


class Client:
    """A blocking raw HTTP/1.x client on one socket, for framing tests."""

    def __init__(self, sock):
        self.sock = sock
        self._buffer = b''

    @classmethod
    def connect(cls, server, timeout=CLIENT_TIMEOUT):
        """Open a plain TCP connection to ``server``."""
        sock = socket.create_connection((server.host, server.port),
                                        timeout=timeout)
        # Each send() goes out as it is, so tests control what the server
        # reads at a time.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the socket."""
        self.sock.close()

    def send(self, data):
        """Send raw bytes."""
        self.sock.sendall(data)

    def request(self, data, method='GET'):
        """Send raw bytes and read one final response."""
        self.send(data)
        return self.response(method)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError('server closed the connection; got %r'
                                  % self._buffer[:200])
        self._buffer += data

    def _read_until(self, marker):
        while marker not in self._buffer:
            self._fill()
        data, _, self._buffer = self._buffer.partition(marker)
        return data

    def _read_exactly(self, size):
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _read_to_eof(self):
        while True:
            try:
                self._fill()
            except ConnectionError:
                break
        data, self._buffer = self._buffer, b''
        return data

    def interim_or_response(self, method='GET'):
        """Read the next response, 1xx included."""
        head = self._read_until(b'\r\n\r\n').decode('latin-1')
        status_line, *lines = head.split('\r\n')
        version, status, reason = (status_line.split(' ', 2) + [''])[:3]
        headers = [tuple(part.strip() for part in line.split(':', 1))
                   for line in lines]
        response = Response(version, int(status), reason, headers, b'')
        if (method == 'HEAD' or response.status < 200
                or response.status in (204, 304)):
            return response
        if 'chunked' in (response.header('Transfer-Encoding') or ''):
            response.body, response.trailers = self._read_chunked()
        elif response.header('Content-Length') is not None:
            response.body = self._read_exactly(
                int(response.header('Content-Length')))
        else:
            response.body = self._read_to_eof()
        return response

    def response(self, method='GET'):
        """Read the next final response, skipping ``100 Continue``."""
        while True:
            response = self.interim_or_response(method)
            if response.status >= 200:
                return response

    def _read_chunked(self):
        body = []
        while True:
            size = int(self._read_until(b'\r\n').split(b';')[0], 16)
            if not size:
                break
            body.append(self._read_exactly(size))
            assert self._read_exactly(2) == b'\r\n'
        trailers = []
        while True:
            line = self._read_until(b'\r\n')
            if not line:
                break
            trailers.append(line)
        return b''.join(body), trailers

    def answered(self, timeout=0.2):
        """True if the server sent something within ``timeout``.

        What arrived stays buffered for :meth:`response`.
        """
        if not self._buffer:
            self.sock.settimeout(timeout)
            try:
                self._fill()
            except (socket.timeout, ConnectionError):
                pass
            finally:
                self.sock.settimeout(CLIENT_TIMEOUT)
        return bool(self._buffer)

    def is_closed(self, timeout=CLIENT_TIMEOUT):
        """True when the server closes (EOF or reset) within ``timeout``.

        Anything still buffered counts as "not closed": a response the
        test did not read.
        """
        if self._buffer:
            return False
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b''
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(CLIENT_TIMEOUT)
