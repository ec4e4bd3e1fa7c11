"""``GET /healthcheck``: oslo.middleware's healthcheck with our backends.

The shipped paste ini mounts it at ``/healthcheck`` in front of both
listeners' urlmaps (no token needed: balancers and kubelets probe it).
oslo.middleware answers 200 ``OK`` when every backend does and 503 with
the reasons otherwise; its backends are plugins (the
``oslo.middleware.healthcheck`` entry points). The shipped pipelines use:

- ``keystone_like_draining`` (here): 503 ``DRAINING`` once this process
  has begun its graceful stop (SIGTERM, a reload's old generation), as
  the launcher says through ``keystone_like.server.hooks.draining``;
- ``disable_by_file`` (oslo.middleware's): 503 ``DISABLED BY FILE`` while
  ``[healthcheck] disable_by_file_path`` exists;
- ``keystone_like_database`` (here): 503 ``DATABASE UNREACHABLE`` when
  ``SELECT 1`` fails or takes longer than ``[healthcheck]
  database_timeout``.

The ``detailed`` view (Python, GC and thread stacks) is for the admin
listener only: :func:`public_app_factory` refuses ``detailed = true``.
"""

import logging

from oslo_middleware import healthcheck as oslo_healthcheck
from oslo_middleware.healthcheck import pluginbase

from keystone_like import conf as ks_conf
from keystone_like import db
from keystone_like import exceptions
from keystone_like.server import hooks

LOG = logging.getLogger(__name__)
TRUE = ('true', '1', 'yes', 'on')
ROUTE = '/healthcheck'


class DrainingHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Unavailable while the serving process drains."""

    def healthcheck(self, server_port):
        """503 ``DRAINING`` once the launcher began a graceful stop."""
        if hooks.draining():
            return pluginbase.HealthcheckResult(
                available=False, reason='DRAINING',
                details='this process is finishing its requests and stops')
        return pluginbase.HealthcheckResult(available=True, reason='OK')


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Unavailable when the identity database does not answer ``SELECT 1``.

    A small pool of its own, bounded by ``[healthcheck] database_timeout``
    at every step (pool wait, connect, statement), so probes neither wait
    behind requests nor take their connections. One per process: it is
    dropped after a fork (each worker connects for itself) and on reload.
    """

    _databases = {}

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        hooks.after_fork(DatabaseHealthcheck.forget)
        hooks.before_reload(DatabaseHealthcheck.forget)

    @classmethod
    def forget(cls):
        """Drop the pool without closing the parent's connections."""
        for database in cls._databases.values():
            database.dispose(close=False)
        cls._databases.clear()

    @classmethod
    def database(cls, conf):
        """This process's health-check Database for ``conf``."""
        found = cls._databases.get(id(conf))
        if found is None:
            timeout = conf.healthcheck.database_timeout
            found = db.Database.from_url(
                db.connection_url(conf), pool_size=1, max_overflow=4,
                pool_timeout=timeout, connect_timeout=timeout,
                statement_timeout=timeout, busy_timeout=timeout)
            cls._databases[id(conf)] = found
        return found

    def healthcheck(self, server_port):
        """503 ``DATABASE UNREACHABLE`` unless ``SELECT 1`` answers."""
        try:
            self.database(ks_conf.CONF).ping()
        except exceptions.ServiceUnavailable as exc:
            return pluginbase.HealthcheckResult(
                available=False, reason='DATABASE UNREACHABLE',
                details=getattr(exc, 'detail', None) or str(exc))
        return pluginbase.HealthcheckResult(available=True, reason='OK')


def _factory(local_conf, detailed_allowed):
    options = dict(local_conf)
    detailed = str(options.get('detailed', 'false')).strip().lower() in TRUE
    if detailed and not detailed_allowed:
        raise ValueError('detailed = true in the public listener\'s '
                         'healthcheck section would show thread stacks to '
                         'anyone; set it in the admin listener\'s only')
    options['detailed'] = 'true' if detailed else 'false'
    checker = oslo_healthcheck.Healthcheck.app_factory(None, **options)

    def healthcheck(environ, start_response):
        environ[hooks.ROUTE_KEY] = ROUTE     # the metrics' route label
        return checker(environ, start_response)
    healthcheck.checker = checker
    return healthcheck


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of the admin listener's health check."""
    return _factory(local_conf, detailed_allowed=True)


def public_app_factory(global_conf, **local_conf):
    """paste.deploy factory of the public listener's health check."""
    return _factory(local_conf, detailed_allowed=False)
