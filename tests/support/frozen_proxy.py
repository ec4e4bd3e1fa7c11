"""A TCP proxy in front of a real server that can be frozen and thawed.

Frozen, it behaves like a server whose processes are stopped (SIGSTOP)
rather than gone: new connections are still accepted (the kernel does
that for a stopped server too) and open ones stay open, but not a byte
goes through in either direction until it is thawed. Used in front of
the test PostgreSQL server, so the shared server itself is never stopped.

Native threads: the test process is not monkey-patched.
"""

import select
import socket
import threading

POLL = 0.05


class FrozenProxy:
    """Forwards 127.0.0.1:``port`` to ``upstream``; ``freeze()`` hangs it."""

    def __init__(self, upstream):
        self.upstream = upstream
        self._listener = socket.create_server(('127.0.0.1', 0), backlog=128)
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._sockets = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True,
                         name='proxy-accept').start()

    def freeze(self):
        """Stop every byte, as a stopped server would."""
        self._flowing.clear()

    def thaw(self):
        """Let the bytes flow again."""
        self._flowing.set()

    def close(self):
        """Stop accepting and close every connection."""
        self._closed.set()
        self._flowing.set()
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _accept(self):
        while not self._closed.is_set():
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return
            self._track(client)
            threading.Thread(target=self._serve, args=(client,),
                             daemon=True, name='proxy-conn').start()

    def _track(self, sock):
        with self._lock:
            self._sockets.add(sock)

    def _wait_flowing(self):
        """Wait while frozen; False once the proxy is closed."""
        while not self._flowing.wait(POLL):
            if self._closed.is_set():
                return False
        return not self._closed.is_set()

    def _serve(self, client):
        server = None
        try:
            if not self._wait_flowing():
                return
            server = socket.create_connection(self.upstream, timeout=5)
            server.settimeout(None)
            self._track(server)
            peers = {client: server, server: client}
            while True:
                readable, _, _ = select.select(list(peers), [], [], POLL)
                for sock in readable:
                    if not self._wait_flowing():
                        return
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):      # closed under us by close()
            pass
        finally:
            for sock in (client, server):
                if sock is not None:
                    _close(sock)
                    with self._lock:
                        self._sockets.discard(sock)


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass
