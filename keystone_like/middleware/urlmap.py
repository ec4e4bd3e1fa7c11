"""The ``urlmap`` composite: route a request to an app by path prefix.

Our own small version of Paste's urlmap, so the service does not depend on
the ``Paste`` package. The longest matching prefix wins; a prefix matches
whole path segments only (``/v3`` takes ``/v3`` and ``/v3/...``, never
``/v3x``). The matched prefix moves from ``PATH_INFO`` to ``SCRIPT_NAME``.
"""

import http

from keystone_like.middleware import errors


def normalize_prefix(prefix):
    """Return ``prefix`` without trailing slashes (``/`` becomes ``''``)."""
    if not prefix.startswith('/'):
        raise ValueError(
            'urlmap key %r is not a path; keys must start with "/", e.g. '
            '"/v3 = public_api_v3".' % prefix)
    return prefix.rstrip('/')


class URLMap:
    """WSGI app dispatching to the app mounted at the longest prefix."""

    def __init__(self, mapping):
        prefixes = {}
        for prefix, app in mapping.items():
            key = normalize_prefix(prefix)
            if key in prefixes:
                raise ValueError('urlmap prefix %r is given twice.'
                                 % (key or '/'))
            prefixes[key] = app
        self.routes = sorted(prefixes.items(), key=lambda item: len(item[0]),
                             reverse=True)

    def find(self, path):
        """Return ``(prefix, app)`` serving ``path``, or ``(None, None)``."""
        for prefix, app in self.routes:
            # The root prefix '' matches '' and every '/...' path this way.
            if path == prefix or path.startswith(prefix + '/'):
                return prefix, app
        return None, None

    def __call__(self, environ, start_response):
        """Shift the matched prefix to SCRIPT_NAME and call its app."""
        path = environ.get('PATH_INFO', '')
        prefix, app = self.find(path)
        if app is None:
            return errors.error_response(
                http.HTTPStatus.NOT_FOUND)(environ, start_response)
        # Changed in place, not copied: the server reads keys the pipeline
        # sets (the request id) from this same dict.
        environ['SCRIPT_NAME'] = environ.get('SCRIPT_NAME', '') + prefix
        environ['PATH_INFO'] = path[len(prefix):]
        return app(environ, start_response)


def urlmap_factory(loader, global_conf, **local_conf):
    """paste.deploy composite factory: ``/prefix = app name`` lines."""
    mapping = {}
    for prefix, app_name in local_conf.items():
        normalize_prefix(prefix)
        mapping[prefix] = loader.get_app(app_name, global_conf=global_conf)
    return URLMap(mapping)
