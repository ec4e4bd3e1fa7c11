"""Unified limits: ``/v3/registered_limits``, ``/v3/limits`` and
``/v3/limits/model``, what services read with oslo.limit.

As in Keystone, creating takes a list (all or none is created, 201 with
the list); anyone with a token reads registered limits and the model;
limits are listed in full to system-scoped callers and to holders of the
``admin`` or ``service`` role, a domain's and its projects' to a
domain-scoped caller, a project's own to a project-scoped caller; only
admins write.
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import limits as schema
from keystone_like import exceptions
from keystone_like.store import hierarchy
from keystone_like.store import limit_models
from keystone_like.store import limits
from keystone_like.store import projects

_REGISTERED = 'registered_limits'
_LIMITS = 'limits'
_FILTERS = ('service_id', 'region_id', 'resource_name')
_LIMIT_FILTERS = _FILTERS + ('project_id', 'domain_id')
_SUPER_ROLES = ('admin', 'service')


class LimitResource:
    """Handlers of registered limits, limits and the enforcement model."""

    public_routes = ()
    management_routes = (
        ('POST', '/registered_limits', 'create_registered_limits'),
        ('GET', '/registered_limits', 'list_registered_limits'),
        ('GET', '/registered_limits/{registered_limit_id}',
         'get_registered_limit'),
        ('PATCH', '/registered_limits/{registered_limit_id}',
         'update_registered_limit'),
        ('DELETE', '/registered_limits/{registered_limit_id}',
         'delete_registered_limit'),
        # Before /limits/{limit_id}, which would match "model".
        ('GET', '/limits/model', 'get_limit_model'),
        ('POST', '/limits', 'create_limits'),
        ('GET', '/limits', 'list_limits'),
        ('GET', '/limits/{limit_id}', 'get_limit'),
        ('PATCH', '/limits/{limit_id}', 'update_limit'),
        ('DELETE', '/limits/{limit_id}', 'delete_limit'),
    )

    @property
    def _limit_model(self):
        return self.backends.conf.unified_limit.enforcement_model

    def _allowed(self, session, request, action, target=None):
        token = self.authenticate(session, request)
        self.authorize(token, 'identity:' + action, target)
        return token

    def _entity(self, request, collection, member, ref, status=200):
        return api.json_response({member: resources.entity(
            request, self.interface, collection, ref)}, status=status)

    def _created(self, request, collection, refs):
        # As Keystone: the list without list links.
        return api.json_response({collection: [
            resources.entity(request, self.interface, collection, ref)
            for ref in refs]}, status=201)

    def _limit_pager(self, request):
        return pagination.Pager(request, self.backends.conf, 'unified_limit')

    # Registered limits.

    def create_registered_limits(self, request):
        """POST /v3/registered_limits: 201 with every one created."""
        with self.session() as session:
            self._allowed(session, request, 'create_registered_limits')
            body = resources.json_body(request, schema.REGISTERED_CREATE)
            refs = limits.create_registered_limits(session,
                                                   body[_REGISTERED])
        return self._created(request, _REGISTERED, refs)

    def list_registered_limits(self, request):
        """GET /v3/registered_limits: ``?service_id= &region_id=
        &resource_name=``."""
        pager = self._limit_pager(request)
        with self.session() as session:
            self._allowed(session, request, 'list_registered_limits')
            refs = limits.list_registered_limits(
                session, page=pager.page(), **_query(request, _FILTERS))
        return api.json_response(pager.collection(self.interface,
                                                  _REGISTERED, refs))

    def get_registered_limit(self, request, registered_limit_id):
        """GET /v3/registered_limits/{registered_limit_id}."""
        with self.session() as session:
            self._allowed(session, request, 'get_registered_limit')
            ref = limits.get_registered_limit(session, registered_limit_id)
        return self._entity(request, _REGISTERED, 'registered_limit', ref)

    def update_registered_limit(self, request, registered_limit_id):
        """PATCH /v3/registered_limits/{registered_limit_id}."""
        with self.session() as session:
            self._allowed(session, request, 'update_registered_limit')
            changes = resources.json_body(
                request, schema.REGISTERED_UPDATE)['registered_limit']
            ref = limits.update_registered_limit(session,
                                                 registered_limit_id, changes)
        return self._entity(request, _REGISTERED, 'registered_limit', ref)

    def delete_registered_limit(self, request, registered_limit_id):
        """DELETE /v3/registered_limits/{registered_limit_id}: 204."""
        with self.session() as session:
            self._allowed(session, request, 'delete_registered_limit')
            limits.delete_registered_limit(session, registered_limit_id)
        return resources.no_content()

    # Limits.

    def get_limit_model(self, request):
        """GET /v3/limits/model: the enforcement model in force."""
        with self.session() as session:
            self._allowed(session, request, 'get_limit_model')
        return api.json_response(
            {'model': limit_models.describe(self._limit_model)})

    def create_limits(self, request):
        """POST /v3/limits: 201 with every one created."""
        with self.session() as session:
            self._allowed(session, request, 'create_limits')
            body = resources.json_body(request, schema.LIMITS_CREATE)
            refs = limits.create_limits(session, body[_LIMITS],
                                        model=self._limit_model)
        return self._created(request, _LIMITS, refs)

    def list_limits(self, request):
        """GET /v3/limits with Keystone's filters, and only what the
        caller's scope may see."""
        pager = self._limit_pager(request)
        filters = _query(request, _LIMIT_FILTERS)
        with self.session() as session:
            token = self._allowed(session, request, 'list_limits')
            if (token.system or set(_SUPER_ROLES) & set(token.role_names)):
                refs = limits.list_limits(session, page=pager.page(),
                                          **filters)
            elif token.domain_id is not None:
                refs = self._domain_limits(session, token.domain_id, pager,
                                           filters)
            elif token.project_id is not None:
                refs = self._project_limits(session, token.project_id, pager,
                                            filters)
            else:
                refs = []
        return api.json_response(pager.collection(self.interface, _LIMITS,
                                                  refs))

    def _domain_limits(self, session, domain_id, pager, filters):
        in_domain = set(hierarchy.ids_in_domain(session, domain_id))
        return pager.select([
            ref for ref in limits.list_limits(session, **filters)
            if ref['project_id'] in in_domain
            or ref['domain_id'] == domain_id])

    def _project_limits(self, session, project_id, pager, filters):
        if filters.get('project_id') not in (None, project_id):
            return []
        filters['project_id'] = project_id
        return limits.list_limits(session, page=pager.page(), **filters)

    def _limit_target(self, session, limit_id):
        """Keystone's target: the limit with its project or domain."""
        try:
            limit = dict(limits.get_limit(session, limit_id))
        except exceptions.NotFound:
            return {}
        if limit['project_id']:
            limit['project'] = projects.get_project(session,
                                                    limit['project_id'])
        elif limit['domain_id']:
            limit['domain'] = {'id': limit['domain_id']}
        return {'limit': limit}

    def get_limit(self, request, limit_id):
        """GET /v3/limits/{limit_id}."""
        with self.session() as session:
            self._allowed(session, request, 'get_limit',
                          self._limit_target(session, limit_id))
            ref = limits.get_limit(session, limit_id)
        return self._entity(request, _LIMITS, 'limit', ref)

    def update_limit(self, request, limit_id):
        """PATCH /v3/limits/{limit_id}: ``resource_limit``,
        ``description``."""
        with self.session() as session:
            self._allowed(session, request, 'update_limit')
            changes = resources.json_body(request,
                                          schema.LIMIT_UPDATE)['limit']
            ref = limits.update_limit(session, limit_id, changes,
                                      model=self._limit_model)
        return self._entity(request, _LIMITS, 'limit', ref)

    def delete_limit(self, request, limit_id):
        """DELETE /v3/limits/{limit_id}: 204."""
        with self.session() as session:
            self._allowed(session, request, 'delete_limit')
            limits.delete_limit(session, limit_id)
        return resources.no_content()


def _query(request, names):
    return {name: resources.query(request, name) for name in names}
