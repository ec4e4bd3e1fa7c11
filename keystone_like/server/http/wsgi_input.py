"""``wsgi.input``: a request body streamed from the connection on demand.

Chunked bodies arrive already decoded by llhttp. Nothing is read from the
socket until the application asks, and ``100 Continue`` is sent on that
first ask, so a request refused before its body is read (413, 401) never
makes the client send it.
"""


class Input:
    """The file-like ``wsgi.input`` of one request."""

    def __init__(self, reader, message, send_continue):
        self._reader = reader
        self._message = message
        self._send_continue = send_continue
        self._buffer = b''
        self.bytes_read = 0

    @property
    def started(self):
        """True once the application asked for the body."""
        return self._send_continue is None

    def _more(self):
        """Append the next piece of body to the buffer; False at the end."""
        if self._send_continue is not None:
            send, self._send_continue = self._send_continue, None
            if not self._message.body and not self._message.complete:
                send()
        body = self._message.body
        if not body and not self._reader.read_body(self._message):
            return False
        piece = body.popleft()
        self.bytes_read += len(piece)
        self._buffer = self._buffer + piece if self._buffer else piece
        return True

    def read(self, size=-1):
        """Read up to ``size`` bytes (all that is left when negative)."""
        if size is None or size < 0:
            while self._more():
                pass
            data, self._buffer = self._buffer, b''
            return data
        while len(self._buffer) < size and self._more():
            pass
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size=-1):
        """Read one line, at most ``size`` bytes of it when given."""
        if size is None:
            size = -1
        while True:
            end = self._buffer.find(b'\n') + 1
            if end:
                break
            if 0 <= size <= len(self._buffer) or not self._more():
                end = len(self._buffer)
                break
        if 0 <= size < end:
            end = size
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def readlines(self, hint=-1):
        """Read the remaining lines."""
        lines, total = [], 0
        for line in self:
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def discard(self, limit):
        """Read and drop the rest of the body; False if more than ``limit``."""
        self._send_continue = None
        dropped = len(self._buffer)
        self._buffer = b''
        body = self._message.body
        while not self._message.complete or body:
            if not body and not self._reader.read_body(self._message):
                return self._message.complete
            while body:
                dropped += len(body.popleft())
            if dropped > limit:
                return False
        return True
