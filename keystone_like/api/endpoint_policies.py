"""Policies: ``/v3/policies`` and their OS-ENDPOINT-POLICY associations.

As in Keystone, policy is checked first, then each entity named is loaded
(404), then the association. Where we differ on purpose: an endpoint's
policy links to ``/v3/policies/{id}`` (Keystone 30: ``/v3/endpoints/{id}``)
and a policy's endpoint list names each endpoint once.
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.store import endpoint_policies
from keystone_like.store import endpoints
from keystone_like.store import regions
from keystone_like.store import services

COLLECTION = 'policies'
_PROPERTIES = {'blob': {'type': 'string'},
               'type': {'type': 'string', 'maxLength': 255}}
CREATE = {'type': 'object', 'required': ['policy'], 'properties': {
    'policy': {'type': 'object', 'properties': _PROPERTIES,
               'required': ['blob', 'type']}}}
UPDATE = {'type': 'object', 'required': ['policy'], 'properties': {
    'policy': {'type': 'object', 'properties': _PROPERTIES,
               'minProperties': 1}}}
_ASSOCIATION = '/policies/{policy_id}/OS-ENDPOINT-POLICY'
_ENDPOINT = _ASSOCIATION + '/endpoints/{endpoint_id}'
_SERVICE = _ASSOCIATION + '/services/{service_id}'
_REGION = _SERVICE + '/regions/{region_id}'
_VERBS = {'PUT': 'create', 'GET': 'check', 'HEAD': 'check',
          'DELETE': 'delete'}


class EndpointPolicyResource:
    """Handlers of policies and of their associations."""

    public_routes = ()
    management_routes = (
        ('POST', '/policies', 'create_policy'),
        ('GET', '/policies', 'list_policies'),
        ('GET', '/policies/{policy_id}', 'get_policy'),
        ('PATCH', '/policies/{policy_id}', 'update_policy'),
        ('DELETE', '/policies/{policy_id}', 'delete_policy'),
        ('GET', _ASSOCIATION + '/endpoints', 'list_endpoints_for_policy'),
        ('PUT', _ENDPOINT, 'endpoint_association'),
        ('GET', _ENDPOINT, 'endpoint_association'),
        ('DELETE', _ENDPOINT, 'endpoint_association'),
        ('PUT', _SERVICE, 'service_association'),
        ('GET', _SERVICE, 'service_association'),
        ('DELETE', _SERVICE, 'service_association'),
        ('PUT', _REGION, 'region_association'),
        ('GET', _REGION, 'region_association'),
        ('DELETE', _REGION, 'region_association'),
        ('GET', '/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy',
         'get_policy_for_endpoint'),
    )

    def _policy_may(self, session, request, action):
        self.authorize(self.authenticate(session, request),
                       'identity:' + action)

    def _policy_response(self, request, ref, status=200):
        return api.json_response({'policy': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def create_policy(self, request):
        """POST /v3/policies: 201."""
        with self.session() as session:
            self._policy_may(session, request, 'create_policy')
            ref = dict(resources.json_body(request, CREATE)['policy'])
            ref.pop('id', None)  # Keystone assigns ids itself.
            ref = endpoint_policies.create_policy(session, ref)
        return self._policy_response(request, ref, status=201)

    def list_policies(self, request):
        """GET /v3/policies with ``?type=``."""
        pager = pagination.Pager(request, self.backends.conf)
        with self.session() as session:
            self._policy_may(session, request, 'list_policies')
            refs = endpoint_policies.list_policies(
                session, type=resources.query(request, 'type'),
                page=pager.page())
        return api.json_response(pager.collection(self.interface, COLLECTION,
                                                  refs))

    def get_policy(self, request, policy_id):
        """GET /v3/policies/{policy_id}."""
        with self.session() as session:
            self._policy_may(session, request, 'get_policy')
            ref = endpoint_policies.get_policy(session, policy_id)
        return self._policy_response(request, ref)

    def update_policy(self, request, policy_id):
        """PATCH /v3/policies/{policy_id}."""
        with self.session() as session:
            self._policy_may(session, request, 'update_policy')
            changes = resources.json_body(request, UPDATE)['policy']
            ref = endpoint_policies.update_policy(session, policy_id, changes)
        return self._policy_response(request, ref)

    def delete_policy(self, request, policy_id):
        """DELETE /v3/policies/{policy_id}: 204; its associations go too."""
        with self.session() as session:
            self._policy_may(session, request, 'delete_policy')
            endpoint_policies.delete_policy(session, policy_id)
        return resources.no_content()

    def list_endpoints_for_policy(self, request, policy_id):
        """GET /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints."""
        with self.session() as session:
            self._policy_may(session, request, 'list_endpoints_for_policy')
            endpoint_policies.get_policy(session, policy_id)
            refs = endpoint_policies.endpoints_for_policy(session, policy_id)
        for ref in refs:
            ref.pop('region', None)  # Keystone shows region_id only here.
        return api.json_response(resources.collection(
            request, self.interface, 'endpoints', refs,
            path=request.path_info))

    def _associate(self, request, kind, policy_id, **target):
        """PUT, GET/HEAD or DELETE one association: 204 (or 404)."""
        verb = _VERBS[request.method]
        with self.session() as session:
            self._policy_may(session, request,
                             '%s_policy_association_for_%s' % (verb, kind))
            endpoint_policies.get_policy(session, policy_id)
            for name, load in (('endpoint_id', endpoints.get_endpoint),
                               ('service_id', services.get_service),
                               ('region_id', regions.get_region)):
                if name in target:
                    load(session, target[name])
            action = {'create': endpoint_policies.associate,
                      'check': endpoint_policies.check_association,
                      'delete': endpoint_policies.dissociate}[verb]
            action(session, policy_id, **target)
        return resources.no_content()

    def endpoint_association(self, request, policy_id, endpoint_id):
        """.../OS-ENDPOINT-POLICY/endpoints/{endpoint_id}."""
        return self._associate(request, 'endpoint', policy_id,
                               endpoint_id=endpoint_id)

    def service_association(self, request, policy_id, service_id):
        """.../OS-ENDPOINT-POLICY/services/{service_id}."""
        return self._associate(request, 'service', policy_id,
                               service_id=service_id)

    def region_association(self, request, policy_id, service_id, region_id):
        """.../OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}."""
        return self._associate(request, 'region_and_service', policy_id,
                               service_id=service_id, region_id=region_id)

    def get_policy_for_endpoint(self, request, endpoint_id):
        """GET /v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy."""
        with self.session() as session:
            self._policy_may(session, request, 'get_policy_for_endpoint')
            ref = endpoint_policies.policy_for_endpoint(session, endpoint_id)
        return self._policy_response(request, ref)
