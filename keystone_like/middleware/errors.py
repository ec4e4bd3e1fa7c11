"""The ``json_errors`` filter and the one way every HTTP error is rendered.

Importing this module customises ``webob.exc`` once: a webob HTTP error
(status 400 and up) used as a response renders Keystone's JSON document,
so handlers simply ``raise webob.exc.HTTPNotFound()``. The filter brings
everything else to the same shape: an unexpected exception becomes a 500
that reveals nothing (the traceback goes to the log), and a non-JSON error
response returned by the application is rewritten. A path or query string
that is not UTF-8 once percent-decoded (``/v3/%ff``) is the client's
mistake: 400 before the application runs, and nothing logged.
"""

import http
import logging
import urllib.parse

import webob
import webob.dec
import webob.exc

from keystone_like.common import errors as error_shape
from keystone_like import exceptions
from keystone_like.middleware import request_id

LOG = logging.getLogger(__name__)

JSON = 'application/json'
UNEXPECTED_MESSAGE = ('An unexpected error prevented the server from '
                      'fulfilling your request.')
# Headers that describe the body being replaced; the others (Allow,
# WWW-Authenticate, Retry-After, ...) still hold for the JSON body.
_BODY_HEADERS = frozenset(['content-type', 'content-length',
                           'content-encoding', 'content-md5', 'etag'])


def default_message(code):
    """Return the message used for ``code`` when none was given."""
    if code == http.HTTPStatus.INTERNAL_SERVER_ERROR:
        return UNEXPECTED_MESSAGE
    exc_class = webob.exc.status_map.get(code)
    if exc_class is not None and exc_class.explanation:
        return exc_class.explanation
    return 'The request could not be completed.'


def error_response(code, message=None, title=None, headers=()):
    """Return a webob Response with the JSON error document for ``code``."""
    if message is None:
        message = default_message(code)
    document = error_shape.error_document(code, str(message), title)
    response = webob.Response(
        status='%d %s' % (code, document['error']['title']),
        body=error_shape.error_body(code, str(message), title),
        content_type=JSON)
    for name, value in headers:
        if name.lower() not in _BODY_HEADERS:
            response.headers.add(name, value)
    return response


def http_error_response(exc):
    """Return the JSON rendering of the webob HTTP error ``exc``."""
    return error_response(exc.code, exc.detail or exc.explanation,
                          exc.title, exc.headerlist)


def _install_json_rendering():
    cls = webob.exc.WSGIHTTPException
    if getattr(cls.__call__, 'renders_json', False):
        return
    webob_call = cls.__call__

    def __call__(self, environ, start_response):
        # Redirects and bodiless statuses keep webob's rendering, and so
        # does an error its raiser gave an explicit body.
        if self.code < 400 or self.has_body or self.empty_body:
            return webob_call(self, environ, start_response)
        return http_error_response(self)(environ, start_response)

    __call__.renders_json = True
    cls.__call__ = __call__


_install_json_rendering()


class JsonErrors:
    """Filter that turns every error of the application below into JSON.

    Plain WSGI on the way through (no webob objects for a successful
    request: this filter sits in every pipeline); webob only renders
    errors. Exceptions raised while the body is being iterated, after the
    status line is out, cannot be turned into a response; the server
    closes the connection then.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        """Call the application; render whatever goes wrong as JSON."""
        undecodable = _not_utf8(environ)
        if undecodable is not None:
            message = 'The %s is not valid UTF-8.' % undecodable
            return error_response(http.HTTPStatus.BAD_REQUEST, message)(
                environ, start_response)
        rewrite = []

        def capture(status, headers, exc_info=None):
            if int(status[:3]) >= 400 and not _is_json(headers):
                rewrite.append((int(status[:3]), headers))
                return _discard
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, capture)
            if not rewrite and not _started(result):
                # A lazy app calls start_response while iterated: buffer
                # it so a non-JSON error can still be rewritten.
                result = _buffered(result)
        except webob.exc.WSGIHTTPException as exc:
            return http_error_response(exc)(environ, start_response)
        except exceptions.Error as exc:
            if exc.code >= 500:
                LOG.warning('%s answering %s %s: %s', exc.code,
                            environ.get('REQUEST_METHOD'),
                            environ.get('PATH_INFO'), exc.message)
            return error_response(exc.code, exc.message, exc.title,
                                  getattr(exc, 'headers', ()))(
                environ, start_response)
        except Exception:
            _log_unexpected(environ)
            return error_response(http.HTTPStatus.INTERNAL_SERVER_ERROR)(
                environ, start_response)
        if rewrite:
            if hasattr(result, 'close'):
                result.close()
            code, headers = rewrite[0]
            # The generic message: a non-JSON body may hold internals.
            return error_response(code, headers=headers)(environ,
                                                         start_response)
        return result


def _discard(data):
    """The write() of a response being replaced: drop the data."""


def _is_json(headers):
    return any(name.lower() == 'content-type'
               and value.split(';')[0].strip() == JSON
               for name, value in headers)


def _started(result):
    # Lists (what webob returns) are complete; generators may not have
    # called start_response yet.
    return isinstance(result, (list, tuple))


def _buffered(result):
    try:
        return list(result)
    finally:
        if hasattr(result, 'close'):
            result.close()


def _not_utf8(environ):
    """Name the part of the URL that is not UTF-8 (webob would raise)."""
    path = environ.get('PATH_INFO', '')
    if not path.isascii():
        try:
            path.encode('latin-1').decode('utf-8')
        except UnicodeError:
            return 'request path'
    query = environ.get('QUERY_STRING', '')
    if '%' in query or not query.isascii():
        try:
            urllib.parse.unquote_to_bytes(
                query.encode('latin-1', 'replace')).decode('utf-8')
        except UnicodeError:
            return 'query string'
    return None


def _log_unexpected(environ):
    # The path without the query string (it may carry tokens), escaped:
    # logging must not fail on it, nor let it forge log lines.
    path = environ.get('PATH_INFO', '').encode('latin-1', 'replace')
    LOG.exception('Unexpected error answering %s %s (%s); the client got a '
                  'generic 500.', environ.get('REQUEST_METHOD'),
                  ascii(path.decode('utf-8', 'backslashreplace'))[1:-1],
                  environ.get(request_id.ENVIRON_KEY, 'no request id'))


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``json_errors`` filter."""
    def _filter(app):
        return JsonErrors(app)
    return _filter
