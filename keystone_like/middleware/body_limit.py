"""The ``body_size_limit`` filter: 413 for request bodies over the limit.

A declared ``Content-Length`` over the limit is refused before a byte of
the body is read. A body of unknown length (chunked) cannot be judged up
front, so ``wsgi.input`` is wrapped to raise :class:`RequestBodyTooLarge`
(a webob 413) as soon as the application reads past the limit.
"""

import http

import webob.exc

from keystone_like import conf
from keystone_like.middleware import errors

OPTION = 'max_request_body_size'
# How much of an unknown-length body one unbounded read() pulls at a time.
_CHUNK = 65536


class RequestBodyTooLarge(webob.exc.HTTPRequestEntityTooLarge):
    """The request body is larger than the configured limit."""

    def __init__(self, limit):
        super().__init__(
            detail='The request body is larger than the limit of %d bytes.'
            % limit)


class LimitedInput:
    """Wrap ``wsgi.input``; raise 413 once more than ``limit`` is read."""

    def __init__(self, stream, limit):
        self._stream = stream
        self._limit = limit
        self._consumed = 0

    def _budget(self, size):
        # One byte past the limit is enough to know the body is too large.
        allowed = self._limit - self._consumed + 1
        return allowed if size is None or size < 0 else min(size, allowed)

    def _count(self, data):
        self._consumed += len(data)
        if self._consumed > self._limit:
            raise RequestBodyTooLarge(self._limit)
        return data

    def read(self, size=-1):
        """Read like a file; raise 413 past the limit."""
        if size is not None and size >= 0:
            return self._count(self._stream.read(self._budget(size)))
        parts = []
        while True:
            data = self._count(self._stream.read(self._budget(_CHUNK)))
            if not data:
                return b''.join(parts)
            parts.append(data)

    def readline(self, size=-1):
        """Read one line like a file; raise 413 past the limit."""
        return self._count(self._stream.readline(self._budget(size)))

    def readlines(self, hint=-1):
        """Read the remaining lines like a file; raise 413 past the limit."""
        return list(self)

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class BodySizeLimit:
    """Filter refusing request bodies larger than ``limit`` bytes with 413."""

    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        """Refuse, wrap the input, or pass the request through."""
        declared = environ.get('CONTENT_LENGTH', '')
        if declared:
            # Digits only: int() would also take '+5', ' 5' and '5_0'.
            if not (declared.isascii() and declared.isdigit()):
                return errors.error_response(
                    http.HTTPStatus.BAD_REQUEST,
                    'Content-Length must be a whole number of bytes.',
                )(environ, start_response)
            if int(declared) > self.limit:
                return errors.http_error_response(
                    RequestBodyTooLarge(self.limit))(environ, start_response)
        else:
            environ['wsgi.input'] = LimitedInput(environ['wsgi.input'],
                                                 self.limit)
        try:
            return self.app(environ, start_response)
        except RequestBodyTooLarge as exc:
            # Only reached without a json_errors filter below this one.
            return errors.http_error_response(exc)(environ, start_response)


def limit_from(local_conf):
    """Return the limit: ``local_conf`` value if given, else the option."""
    value = local_conf.get(OPTION)
    if value is None:
        return conf.CONF.max_request_body_size
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValueError(
            '[filter:body_size_limit] %s = %s is not valid; set it to a '
            'whole number of bytes of at least 1, or remove it to use '
            '[DEFAULT] %s.' % (OPTION, value, OPTION))
    return limit


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``body_size_limit`` filter.

    The limit is read when the pipeline is built; a reload rebuilds it.
    """
    limit = limit_from(local_conf)

    def _filter(app):
        return BodySizeLimit(app, limit)
    return _filter
