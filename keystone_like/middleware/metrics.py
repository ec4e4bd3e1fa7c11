"""``GET /metrics``: Prometheus text format, summed over every process.

Mounted on the admin listener only (the shipped paste ini; the public
factory does not exist on purpose). Under ``service-all`` with
``[metrics] enabled`` every process of the service -- all workers of
every live generation, their leaders and the master -- writes to one
multiprocess directory (``keystone_like.server.hooks.metrics_dir``);
a scrape reads them all with prometheus_client's
``MultiProcessCollector``. Without that directory (metrics off, or
another WSGI server) the answer is 404 like any unknown path.
"""

import http

from keystone_like.middleware import errors
from keystone_like.server import hooks

ROUTE = '/metrics'


class MetricsApp:
    """Answers GET and HEAD with the current metrics of the service."""

    def __call__(self, environ, start_response):
        """Render the multiprocess metrics, or 404 when they are off."""
        environ[hooks.ROUTE_KEY] = ROUTE
        directory = hooks.metrics_dir()
        if directory is None or environ.get('PATH_INFO', '') not in ('',
                                                                     '/'):
            return errors.error_response(
                http.HTTPStatus.NOT_FOUND)(environ, start_response)
        if environ['REQUEST_METHOD'] not in ('GET', 'HEAD'):
            return errors.error_response(
                http.HTTPStatus.METHOD_NOT_ALLOWED)(environ, start_response)
        from prometheus_client import CollectorRegistry
        from prometheus_client import exposition
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        body = exposition.generate_latest(registry)
        start_response('200 OK', [
            ('Content-Type', exposition.CONTENT_TYPE_LATEST),
            ('Content-Length', str(len(body))),
            ('Cache-Control', 'no-store')])
        return [b''] if environ['REQUEST_METHOD'] == 'HEAD' else [body]


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of the admin listener's ``/metrics``."""
    return MetricsApp()
