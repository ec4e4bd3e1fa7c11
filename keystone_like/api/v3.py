"""The Identity v3 API mounted at ``/v3``.

For now only the version document; the identity routes join
:attr:`V3App.routes` (management routes in an admin-only subclass, so the
public listener answers them 404 like any unknown path).
"""

from keystone_like import api
from keystone_like.api import versions

MOUNT = '/v3'


class V3App(api.Application):
    """The ``/v3`` app of either listener."""

    routes = (('GET', '/', 'show_version'),)

    def show_version(self, request):
        """Answer 200 with the v3 version document."""
        root = versions.base_url(request, self.interface, mount=MOUNT)
        return api.json_response({'version': versions.v3_version(root)})


def public_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``public_service``."""
    return V3App('public')


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``admin_service``."""
    return V3App('admin')
