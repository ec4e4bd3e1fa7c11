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
ATTEMPTS = 3
# prometheus_client's exposition.CONTENT_TYPE_LATEST (text format 0.0.4).
CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'


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
        body = render(directory)
        start_response('200 OK', [
            ('Content-Type', CONTENT_TYPE),
            ('Content-Length', str(len(body))),
            ('Cache-Control', 'no-store')])
        return [b''] if environ['REQUEST_METHOD'] == 'HEAD' else [body]


def render(directory, attempts=ATTEMPTS):
    """The text format of every process's values in ``directory``.

    The master may fold a dead worker's file into the archive between
    the collector's listing and its read: read again then.
    """
    from prometheus_client import CollectorRegistry
    from prometheus_client import exposition
    from prometheus_client import multiprocess
    for attempt in range(attempts):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        try:
            return exposition.generate_latest(registry)
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of the admin listener's ``/metrics``."""
    return MetricsApp()
