"""The identity HTTP API: webob applications and the route table they share.

No eventlet here, so the API runs under any WSGI server. An
:class:`Application` lists its routes as ``(method, path pattern, method
name)`` rows; patterns may hold ``{name}`` segments passed as keyword
arguments. An unknown path is 404 and a known path with another method is
405 with ``Allow``, both rendered as Keystone JSON.
"""

import json
import re

import webob
import webob.dec
import webob.exc

# Also imported for its side effect: webob.exc errors render as JSON.
from keystone_like.middleware import errors
from keystone_like.server import hooks

INTERFACES = ('public', 'admin')
_PARAMETER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*)\}')
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')


def json_response(document, status=200, headers=()):
    """Return a webob Response carrying ``document`` as JSON."""
    response = webob.Response(status=status,
                              body=json.dumps(document).encode('utf-8'),
                              content_type=errors.JSON)
    for name, value in headers:
        response.headers[name] = value
    return response


def _normalize(path):
    # A trailing slash names the same resource: /v3/ is /v3.
    return path.rstrip('/') or '/'


def compile_pattern(pattern):
    """Return a regex matching ``pattern``; ``{name}`` takes one segment."""
    parts = []
    position = 0
    pattern = _normalize(pattern)
    for found in _PARAMETER.finditer(pattern):
        parts.append(re.escape(pattern[position:found.start()]))
        parts.append('(?P<%s>[^/]+)' % found.group(1))
        position = found.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile(''.join(parts))


class Router:
    """A table of ``(method, path pattern, target)`` rows, matched in order.

    ``hidden`` rows are ``(method, pattern)`` this router must not reveal
    (another listener's routes): a request for one is 404, not 405.
    """

    def __init__(self, routes, hidden=()):
        # Each row keeps its pattern: metrics label requests with it.
        self.routes = [(method.upper(), compile_pattern(pattern),
                        (target, _normalize(pattern)))
                       for method, pattern, target in routes]
        self.hidden = [(method.upper(), compile_pattern(pattern))
                       for method, pattern in hidden]

    def match(self, method, path):
        """Return ``(target, params)``; raise 404, or 405 with ``Allow``."""
        (target, _pattern), params = self.resolve(method, path)
        return target, params

    def resolve(self, method, path):
        """Return ``((target, pattern), params)``; 404 or 405 as match."""
        path = _normalize(path)
        allowed = []
        for route_method, regex, target in self.routes:
            found = regex.fullmatch(path)
            if found is None:
                continue
            # HEAD is GET without the body (webob drops it).
            params = found.groupdict()
            if any(_CONTROL.search(value) for value in params.values()):
                # An id never holds control characters; do not let a NUL
                # reach the database driver.
                raise webob.exc.HTTPNotFound()
            if method == route_method or (method == 'HEAD'
                                          and route_method == 'GET'):
                return target, params
            allowed.append(route_method)
        if not allowed or any(method == hidden_method and regex.fullmatch(path)
                              for hidden_method, regex in self.hidden):
            raise webob.exc.HTTPNotFound()
        if 'GET' in allowed:
            allowed.append('HEAD')
        raise webob.exc.HTTPMethodNotAllowed(
            detail='The method %s is not allowed for this resource.' % method,
            headers=[('Allow', ', '.join(sorted(set(allowed))))])


class Application:
    """A webob app dispatching each request to one of its own methods.

    ``interface`` (``public`` or ``admin``) says which listener the app
    serves; it picks the configured endpoint used in links.
    """

    routes = ()
    hidden_routes = ()

    def __init__(self, interface):
        if interface not in INTERFACES:
            raise ValueError('interface must be one of %s, not %r'
                             % (', '.join(INTERFACES), interface))
        self.interface = interface
        # Resolved now so a misspelt handler name fails at load time.
        self.router = Router(((method, pattern, getattr(self, name))
                              for method, pattern, name in self.routes),
                             hidden=self.hidden_routes)

    @webob.dec.wsgify
    def __call__(self, request):
        """Route ``request`` to its handler method."""
        (handler, pattern), params = self.router.resolve(request.method,
                                                         request.path_info)
        request.environ[hooks.ROUTE_KEY] = (
            (request.script_name + pattern).rstrip('/') or '/')
        return handler(request, **params)
