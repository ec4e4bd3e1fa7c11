"""The catalog: ``/v3/regions``, ``/v3/services``, ``/v3/endpoints`` (admin).

What tokens carry as their catalog is built by ``store.catalog`` from what
is managed here.
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import catalog as schema
from keystone_like import exceptions
from keystone_like.store import endpoints
from keystone_like.store import regions
from keystone_like.store import services


def _endpoint_ref(session, ref):
    """Return an endpoint body with the pre-3.2 ``region`` mapped.

    As Keystone does for old clients, ``region`` stands for ``region_id``
    and a region named that way that does not exist yet is created.
    """
    ref = dict(ref)
    region = ref.pop('region', None)
    if ref.get('region_id') is None and region is not None:
        ref['region_id'] = region
        try:
            regions.get_region(session, region)
        except exceptions.NotFound:
            regions.create_region(session, {'id': region})
    return ref


def _without_id(ref):
    # Keystone assigns ids itself and ignores one given in the body.
    return {key: value for key, value in ref.items() if key != 'id'}


class CatalogResource:
    """Handlers of regions, services and endpoints."""

    public_routes = ()
    management_routes = (
        ('POST', '/regions', 'create_region'),
        ('GET', '/regions', 'list_regions'),
        ('PUT', '/regions/{region_id}', 'create_region_with_id'),
        ('GET', '/regions/{region_id}', 'get_region'),
        ('PATCH', '/regions/{region_id}', 'update_region'),
        ('DELETE', '/regions/{region_id}', 'delete_region'),
        ('POST', '/services', 'create_service'),
        ('GET', '/services', 'list_services'),
        ('GET', '/services/{service_id}', 'get_service'),
        ('PATCH', '/services/{service_id}', 'update_service'),
        ('DELETE', '/services/{service_id}', 'delete_service'),
        ('POST', '/endpoints', 'create_endpoint'),
        ('GET', '/endpoints', 'list_endpoints'),
        ('GET', '/endpoints/{endpoint_id}', 'get_endpoint'),
        ('PATCH', '/endpoints/{endpoint_id}', 'update_endpoint'),
        ('DELETE', '/endpoints/{endpoint_id}', 'delete_endpoint'),
    )

    def _caller_may(self, session, request, action):
        self.authorize(self.authenticate(session, request),
                       'identity:' + action)

    def _catalog_entity(self, request, kind, ref, status=200):
        return api.json_response({kind: resources.entity(
            request, self.interface, kind + 's', ref)}, status=status)

    def _pager(self, request):
        return pagination.Pager(request, self.backends.conf, 'catalog')

    def _catalog_list(self, pager, kind, refs):
        return api.json_response(pager.collection(self.interface, kind + 's',
                                                  refs))

    def create_region(self, request):
        """POST /v3/regions: 201; the body may choose the id."""
        with self.session() as session:
            self._caller_may(session, request, 'create_region')
            ref = dict(resources.json_body(
                request, schema.REGION_CREATE)['region'])
            if not ref.get('id'):
                ref.pop('id', None)
            ref = regions.create_region(session, ref)
        return self._catalog_entity(request, 'region', ref, status=201)

    def create_region_with_id(self, request, region_id):
        """PUT /v3/regions/{region_id}: 201; creates that very id."""
        with self.session() as session:
            self._caller_may(session, request, 'create_region')
            ref = dict(resources.json_body(
                request, schema.REGION_CREATE)['region'])
            if ref.setdefault('id', region_id) != region_id:
                raise exceptions.ValidationError(
                    'Conflicting region IDs specified: "%s" != "%s"'
                    % (region_id, ref['id']))
            ref = regions.create_region(session, ref)
        return self._catalog_entity(request, 'region', ref, status=201)

    def list_regions(self, request):
        """GET /v3/regions with ``?parent_region_id=``, paged."""
        pager = self._pager(request)
        with self.session() as session:
            self._caller_may(session, request, 'list_regions')
            refs = regions.list_regions(session, parent_region_id=(
                resources.query(request, 'parent_region_id')),
                page=pager.page())
        return self._catalog_list(pager, 'region', refs)

    def get_region(self, request, region_id):
        """GET /v3/regions/{region_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'get_region')
            ref = regions.get_region(session, region_id)
        return self._catalog_entity(request, 'region', ref)

    def update_region(self, request, region_id):
        """PATCH /v3/regions/{region_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'update_region')
            changes = resources.json_body(
                request, schema.REGION_UPDATE)['region']
            ref = regions.update_region(session, region_id, changes)
        return self._catalog_entity(request, 'region', ref)

    def delete_region(self, request, region_id):
        """DELETE /v3/regions/{region_id}: 204 (409 while endpoints use it)."""
        with self.session() as session:
            self._caller_may(session, request, 'delete_region')
            regions.delete_region(session, region_id)
        return resources.no_content()

    def create_service(self, request):
        """POST /v3/services: 201 with the new service."""
        with self.session() as session:
            self._caller_may(session, request, 'create_service')
            ref = resources.json_body(request, schema.SERVICE_CREATE)
            ref = services.create_service(session,
                                          _without_id(ref['service']))
        return self._catalog_entity(request, 'service', ref, status=201)

    def list_services(self, request):
        """GET /v3/services with ``?type=`` and ``?name=``, paged."""
        pager = self._pager(request)
        with self.session() as session:
            self._caller_may(session, request, 'list_services')
            refs = services.list_services(
                session, type=resources.query(request, 'type'),
                name=resources.query(request, 'name'), page=pager.page())
        return self._catalog_list(pager, 'service', refs)

    def get_service(self, request, service_id):
        """GET /v3/services/{service_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'get_service')
            ref = services.get_service(session, service_id)
        return self._catalog_entity(request, 'service', ref)

    def update_service(self, request, service_id):
        """PATCH /v3/services/{service_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'update_service')
            changes = resources.json_body(
                request, schema.SERVICE_UPDATE)['service']
            ref = services.update_service(session, service_id, changes)
        return self._catalog_entity(request, 'service', ref)

    def delete_service(self, request, service_id):
        """DELETE /v3/services/{service_id}: 204; its endpoints go too."""
        with self.session() as session:
            self._caller_may(session, request, 'delete_service')
            services.delete_service(session, service_id)
        return resources.no_content()

    def create_endpoint(self, request):
        """POST /v3/endpoints: 201 with the new endpoint."""
        with self.session() as session:
            self._caller_may(session, request, 'create_endpoint')
            ref = resources.json_body(request, schema.ENDPOINT_CREATE)
            ref = endpoints.create_endpoint(session, _endpoint_ref(
                session, _without_id(ref['endpoint'])))
        return self._catalog_entity(request, 'endpoint', ref, status=201)

    def list_endpoints(self, request):
        """GET /v3/endpoints: ``?service_id= &interface= &region_id=``."""
        pager = self._pager(request)
        with self.session() as session:
            self._caller_may(session, request, 'list_endpoints')
            refs = endpoints.list_endpoints(session, page=pager.page(), **{
                name: resources.query(request, name)
                for name in ('service_id', 'interface', 'region_id')})
        return self._catalog_list(pager, 'endpoint', refs)

    def get_endpoint(self, request, endpoint_id):
        """GET /v3/endpoints/{endpoint_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'get_endpoint')
            ref = endpoints.get_endpoint(session, endpoint_id)
        return self._catalog_entity(request, 'endpoint', ref)

    def update_endpoint(self, request, endpoint_id):
        """PATCH /v3/endpoints/{endpoint_id}."""
        with self.session() as session:
            self._caller_may(session, request, 'update_endpoint')
            changes = resources.json_body(
                request, schema.ENDPOINT_UPDATE)['endpoint']
            ref = endpoints.update_endpoint(
                session, endpoint_id, _endpoint_ref(session, changes))
        return self._catalog_entity(request, 'endpoint', ref)

    def delete_endpoint(self, request, endpoint_id):
        """DELETE /v3/endpoints/{endpoint_id}: 204."""
        with self.session() as session:
            self._caller_may(session, request, 'delete_endpoint')
            endpoints.delete_endpoint(session, endpoint_id)
        return resources.no_content()
