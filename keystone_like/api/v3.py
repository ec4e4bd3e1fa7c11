"""The Identity v3 API mounted at ``/v3``, composed from resource modules.

Each resource module defines a mixin with handler methods and two route
tables: ``public_routes`` (authentication and self-service) and
``management_routes`` (everything else). As in Keystone both listeners
serve both, guarded by policy. An operator who segments networks can keep
management off the public listener (``management = false`` in the paste
section of ``public_service``): there it then answers 404 like any unknown
path.
"""

import webob

from keystone_like import api
from keystone_like.api import access_rules
from keystone_like.api import app_creds
from keystone_like.api import auth
from keystone_like.api import catalog
from keystone_like.api import context
from keystone_like.api import credentials
from keystone_like.api import domains
from keystone_like.api import ec2
from keystone_like.api import endpoint_filter
from keystone_like.api import endpoint_policies
from keystone_like.api import grants
from keystone_like.api import groups
from keystone_like.api import json_home
from keystone_like.api import limits
from keystone_like.api import project_tags
from keystone_like.api import projects
from keystone_like.api import role_assignments
from keystone_like.api import roles
from keystone_like.api import trusts
from keystone_like.api import users
from keystone_like.api import versions
from keystone_like import backends as ks_backends
from keystone_like import conf
from keystone_like import exceptions

MOUNT = versions.V3_MOUNT
RESOURCES = (auth.AuthResource, users.UserResource, groups.GroupResource,
             projects.ProjectResource, domains.DomainResource,
             roles.RoleResource, grants.GrantResource,
             role_assignments.RoleAssignmentResource,
             catalog.CatalogResource, credentials.CredentialResource,
             ec2.Ec2CredentialResource,
             app_creds.ApplicationCredentialResource,
             access_rules.AccessRuleResource, trusts.TrustResource,
             project_tags.ProjectTagResource, limits.LimitResource,
             endpoint_filter.EndpointFilterResource,
             endpoint_policies.EndpointPolicyResource)


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

    def authorize(self, token, action, target=None, **params):
        """Raise 403 unless the caller may do ``action`` on ``target``.

        ``params`` are path parameters some rules read (``user_id``).
        """
        context.authorize(self.backends, token, action, target, params)

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


class V3(*RESOURCES, V3Base):
    """The /v3 app: authentication, self-service and management."""

    routes = V3Base.routes + _routes('public_routes') + _routes(
        'management_routes')


class AuthOnlyV3(*RESOURCES, V3Base):
    """The /v3 app without management routes (the opt-in public app)."""

    routes = V3Base.routes + _routes('public_routes')
    # PATCH /users/{id} is then 404 like any unknown route, not 405 next
    # to the self-service GET.
    hidden_routes = tuple((method, path) for method, path, _name
                          in _routes('management_routes'))


def v3_class(interface):
    """Return the /v3 app class of a listener (its routes feed JSON-Home).

    Both listeners serve the whole API by default.
    """
    return V3


def public_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``public_service``.

    ``management = false`` in its section serves authentication and
    self-service only.
    """
    management = local_conf.get('management', 'true')
    if management.strip().lower() not in ('true', 'false'):
        raise ValueError('management = %r in the paste section of '
                         'public_service is not valid; use true or false'
                         % management)
    app = V3 if management.strip().lower() == 'true' else AuthOnlyV3
    return app('public', ks_backends.get(conf.CONF))


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``admin_service``."""
    return V3('admin', ks_backends.get(conf.CONF))
