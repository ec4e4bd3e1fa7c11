"""The ``json_errors`` filter and the one way every HTTP error is rendered.

Importing this module customises ``webob.exc`` once: a webob HTTP error
(status 400 and up) used as a response renders Keystone's JSON document,
so handlers simply ``raise webob.exc.HTTPNotFound()``. The filter brings
everything else to the same shape: an unexpected exception becomes a 500
that reveals nothing (the traceback goes to the log), and a non-JSON error
response returned by the application is rewritten.
"""

import http
import logging

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

    Exceptions raised while the body is being iterated, after the status
    line is out, cannot be turned into a response; the server closes the
    connection then.
    """

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, request):
        """Call the application; render whatever goes wrong as JSON."""
        try:
            response = request.get_response(self.app)
        except webob.exc.WSGIHTTPException as exc:
            return http_error_response(exc)
        except exceptions.Error as exc:
            if exc.code >= 500:
                LOG.warning('%s answering %s %s: %s', exc.code,
                            request.method, request.path, exc.message)
            return error_response(exc.code, exc.message, exc.title,
                                  getattr(exc, 'headers', ()))
        except Exception:
            _log_unexpected(request)
            return error_response(http.HTTPStatus.INTERNAL_SERVER_ERROR)
        if response.status_code >= 400 and response.content_type != JSON:
            return _as_json(response)
        return response


def _log_unexpected(request):
    # The path without the query string: query strings may carry tokens.
    LOG.exception('Unexpected error answering %s %s (%s); the client got a '
                  'generic 500.', request.method, request.path,
                  request.environ.get(request_id.ENVIRON_KEY, 'no request id'))


def _as_json(response):
    """Return ``response`` with its body replaced by the JSON document."""
    close = getattr(response.app_iter, 'close', None)
    if close is not None:
        close()
    # The generic message: a non-JSON body may hold internals (a 500 page).
    return error_response(response.status_code,
                          headers=response.headerlist)


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``json_errors`` filter."""
    def _filter(app):
        return JsonErrors(app)
    return _filter
