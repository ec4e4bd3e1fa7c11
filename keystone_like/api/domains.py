"""Domains: ``/v3/domains`` on the admin listener.

Disabling or deleting a domain records a revocation event by domain id, so
every token of its users or scoped to it stops validating at once (they
would fail anyway on the disabled domain; the event makes it explicit and
outlives a re-enable). Deleting one also revokes the tokens of the members
of its groups that held roles, as deleting those groups does.
"""

import uuid


from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import resource as schema
from keystone_like.api import targets
from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import revocations

COLLECTION = 'domains'


def _new_domain(ref):
    ref = dict(ref)
    # Keystone assigns ids itself and ignores one given in the body; a
    # chosen id comes as explicit_domain_id and must look like a UUID.
    ref.pop('id', None)
    ref.setdefault('description', '')
    explicit = ref.pop('explicit_domain_id', None)
    if explicit is not None:
        try:
            uuid.UUID(explicit)
        except ValueError:
            raise exceptions.ValidationError(
                'Domain ID does not conform to required UUID format.'
            ) from None
        ref['id'] = explicit
    return ref


class DomainResource:
    """Handlers of ``/v3/domains``: create, list, show, update, delete."""

    public_routes = ()
    management_routes = (
        ('POST', '/domains', 'create_domain'),
        ('GET', '/domains', 'list_domains'),
        ('GET', '/domains/{domain_id}', 'get_domain'),
        ('PATCH', '/domains/{domain_id}', 'update_domain'),
        ('DELETE', '/domains/{domain_id}', 'delete_domain'),
    )

    def _domain_response(self, request, ref, status=200):
        return api.json_response({'domain': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def _authorize_domain(self, session, request, action, domain_id):
        """Authorize ``identity:<action>`` on domain ``domain_id``.

        Reading hides whether the domain exists from unauthorized callers;
        updating and deleting answer 404 first, as in Keystone.
        """
        token = self.authenticate(session, request)
        target = (targets.build(session, domain=domain_id)
                  if action == 'get_domain'
                  else targets.existing(session, 'domain', domain_id))
        self.authorize(token, 'identity:' + action, target,
                       domain_id=domain_id)

    def create_domain(self, request):
        """POST /v3/domains: 201 with the new domain."""
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.DOMAIN_CREATE)
            self.authorize(token, 'identity:create_domain',
                           {'domain': body['domain']})
            ref = domains.create_domain(session, _new_domain(body['domain']))
        return self._domain_response(request, ref, status=201)

    def list_domains(self, request):
        """GET /v3/domains with ``?name=`` and ``?enabled=``, paged."""
        pager = pagination.Pager(request, self.backends.conf, 'resource')
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_domains', {
                'domain': {'id': token.domain_id}} if token.domain_id
                else None)
            if token.domain_id is not None:
                # A domain-scoped reader sees its own domain only.
                refs = domains.list_domains(
                    session, ids=[token.domain_id],
                    name=resources.query(request, 'name'),
                    enabled=resources.query_bool(request, 'enabled'))
            else:
                refs = domains.list_domains(
                    session, name=resources.query(request, 'name'),
                    enabled=resources.query_bool(request, 'enabled'),
                    page=pager.page())
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def get_domain(self, request, domain_id):
        """GET /v3/domains/{domain_id}."""
        with self.session() as session:
            self._authorize_domain(session, request, 'get_domain',
                                   domain_id)
            ref = domains.get_domain(session, domain_id)
        return self._domain_response(request, ref)

    def update_domain(self, request, domain_id):
        """PATCH /v3/domains/{domain_id}; disabling revokes its tokens."""
        with self.session() as session:
            self._authorize_domain(session, request, 'update_domain',
                                   domain_id)
            changes = resources.json_body(
                request, schema.DOMAIN_UPDATE)['domain']
            ref = domains.update_domain(session, domain_id, changes)
            if changes.get('enabled') is False:
                revocations.add_event(session, domain_id=domain_id)
        return self._domain_response(request, ref)

    def delete_domain(self, request, domain_id):
        """DELETE /v3/domains/{domain_id}: 204; 403 while it is enabled."""
        with self.session() as session:
            self._authorize_domain(session, request, 'delete_domain',
                                   domain_id)
            record_deletion(session, domain_id,
                            domains.delete_domain(session, domain_id))
        return resources.no_content()


def record_deletion(session, domain_id, gone):
    """Record the revocation events of a deleted domain: by domain id, and
    by user for the members of its groups that held roles."""
    revocations.add_event(session, domain_id=domain_id)
    for user_id in gone['group_members']:
        revocations.add_event(session, user_id=user_id)
