"""The Identity v3 API mounted at ``/v3``, composed from resource modules.

Each resource module defines a mixin with handler methods and two route
tables: ``public_routes`` (served on both listeners: authentication and
self-service) and ``admin_routes`` (management, admin listener only). The
public app has no management routes at all, so there they answer 404 like
any unknown path.
"""

import webob

from keystone_like import api
from keystone_like.api import auth
from keystone_like.api import catalog
from keystone_like.api import context
from keystone_like.api import domains
from keystone_like.api import json_home
from keystone_like.api import projects
from keystone_like.api import roles
from keystone_like.api import users
from keystone_like.api import versions
from keystone_like import backends as ks_backends
from keystone_like import conf
from keystone_like import exceptions

MOUNT = versions.V3_MOUNT
RESOURCES = (auth.AuthResource, users.UserResource,
             projects.ProjectResource, domains.DomainResource,
             roles.RoleResource, catalog.CatalogResource)


class V3Base(api.Application):
    """What every /v3 handler shares: backends, sessions, identity."""

    routes = (('GET', '/', 'show_version'),)

    def __init__(self, interface, backends):
        self.backends = backends
        super().__init__(interface)

    def __call__(self, environ, start_response):
        """Route the request; 401s carry ``WWW-Authenticate``."""
        try:
            return super().__call__(environ, start_response)
        except exceptions.Unauthorized as exc:
            exc.headers = [context.www_authenticate(
                webob.Request(environ), MOUNT)]
            raise

    def session(self):
        """Return a database session context (one transaction)."""
        return self.backends.database.session()

    def authenticate(self, session, request):
        """Return the caller's validated token (401 without one)."""
        return context.authenticate(self.backends, session, request)

    def authorize(self, token, action, target=None):
        """Raise 403 unless the caller may do ``action``."""
        context.authorize(self.backends, token, action, target)

    def show_version(self, request):
        """Answer 200 with the v3 version document (or JSON-Home)."""
        if json_home.wanted(request):
            return json_home.response(self.routes)
        root = versions.base_url(request, self.interface, mount=MOUNT)
        return api.json_response({'version': versions.v3_version(root)},
                                 headers=[versions.VARY])


def _routes(kind):
    return tuple(route for resource in RESOURCES
                 for route in getattr(resource, kind))


class PublicV3(*RESOURCES, V3Base):
    """The /v3 app of the public listener: auth and self-service."""

    routes = V3Base.routes + _routes('public_routes')
    # PATCH /users/{id} exists only on admin: here it is 404 like any
    # unknown route, not 405 next to the self-service GET.
    hidden_routes = tuple((method, path)
                          for method, path, _name in _routes('admin_routes'))


class AdminV3(PublicV3):
    """The /v3 app of the admin listener: everything, management too."""

    routes = PublicV3.routes + _routes('admin_routes')
    hidden_routes = ()


def v3_class(interface):
    """Return the /v3 app class of a listener (its routes feed JSON-Home)."""
    return AdminV3 if interface == 'admin' else PublicV3


def public_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``public_service``."""
    return v3_class('public')('public', ks_backends.get(conf.CONF))


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``admin_service``."""
    return v3_class('admin')('admin', ks_backends.get(conf.CONF))
