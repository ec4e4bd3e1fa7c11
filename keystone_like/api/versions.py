"""Version discovery at ``/``: 300 Multiple Choices listing Identity v3.

The version document is built here and shared with :mod:`.v3`. Its fields
and values follow Keystone's discovery API, which clients
(keystoneauth) parse. A client preferring ``application/json-home`` gets
the JSON-Home document of the listener's /v3 routes instead (200).
"""

from keystone_like import api
from keystone_like.api import json_home
from keystone_like import conf

V3_ID = 'v3.14'
V3_STATUS = 'stable'
V3_UPDATED = '2020-04-07T00:00:00Z'
V3_MEDIA_TYPE = 'application/vnd.openstack.identity-v3+json'
V3_MOUNT = '/v3'
# Discovery answers depend on Accept (JSON or JSON-Home).
VARY = ('Vary', 'Accept')


def base_url(request, interface, mount=''):
    """Return the identity root URL for links, without a trailing slash.

    The configured ``<interface>_endpoint`` wins; otherwise the URL the
    request came in on, minus ``mount`` (the app's own urlmap prefix).
    """
    endpoint = conf.CONF['%s_endpoint' % interface]
    if endpoint:
        return endpoint.rstrip('/')
    url = request.application_url
    if mount and url.endswith(mount):
        url = url[:-len(mount)]
    return url


def v3_version(root):
    """Return the v3 entry of the discovery document for ``root``."""
    return {
        'id': V3_ID,
        'status': V3_STATUS,
        'updated': V3_UPDATED,
        'links': [{'rel': 'self', 'href': root + '/v3/'}],
        'media-types': [{'base': 'application/json',
                         'type': V3_MEDIA_TYPE}],
    }


class VersionsApp(api.Application):
    """The discovery app mounted at ``/``."""

    routes = (('GET', '/', 'list_versions'),)

    def __init__(self, interface, v3_routes=()):
        self.v3_routes = v3_routes
        super().__init__(interface)

    def list_versions(self, request):
        """Answer 300 with every version and ``Location`` of the newest."""
        if json_home.wanted(request):
            return json_home.response(self.v3_routes, prefix=V3_MOUNT)
        v3 = v3_version(base_url(request, self.interface))
        return api.json_response(
            {'versions': {'values': [v3]}}, status=300,
            headers=[('Location', v3['links'][0]['href']), VARY])


def _v3_routes(interface):
    # Imported here: the v3 module imports this one.
    from keystone_like.api import v3
    return v3.v3_class(interface).routes


def public_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``public_version_service``."""
    return VersionsApp('public', _v3_routes('public'))


def admin_app_factory(global_conf, **local_conf):
    """paste.deploy factory of ``admin_version_service``."""
    return VersionsApp('admin', _v3_routes('admin'))
