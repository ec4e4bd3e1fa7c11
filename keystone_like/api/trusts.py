"""Trusts (OS-TRUST): ``/v3/OS-TRUST/trusts`` and the roles they delegate.

Served with the authentication routes (self-service: users create their
own trusts, services such as Heat use them on the public endpoint),
guarded by Keystone 30's rules. As in Keystone a trust is looked up before
policy (an unknown one is 404 for anybody), expired or used-up trusts are
not found by id, and tokens of a delegated method (application
credentials) cannot manage trusts at all.

Where we differ on purpose: ``roles_links.self`` is the real URL of the
trust's roles (Keystone's misses ``OS-TRUST/trusts``); a list filters by
trustor and trustee together when both are given and ignores unknown
query parameters (Keystone uses the trustor alone, and answers an empty
list to any other parameter); an expired or used-up trust can still be
deleted by whoever may delete it (Keystone answers 404 and keeps it).
"""

import logging

from keystone_like import api
from keystone_like.api import resources
from keystone_like.api.schemas import trust as schema
from keystone_like import exceptions
from keystone_like.store import roles
from keystone_like.store import trusts
from keystone_like.token import formats
from keystone_like.trust import rules
from keystone_like.trust import scope as trust_scope

LOG = logging.getLogger(__name__)
COLLECTION = 'OS-TRUST/trusts'
_TRUST = '/OS-TRUST/trusts/{trust_id}'
# Methods that authenticate a user directly (Keystone's primary methods
# among ours); any other method is delegated and manages no trust.
PRIMARY_METHODS = frozenset({'password', 'token'})


def refuse_delegated(token):
    """403 for a token from a delegated credential (Keystone 30)."""
    if set(token.payload.methods) - PRIMARY_METHODS:
        raise rules.forbidden_action('Delegated tokens cannot manage trusts')


def _trust_ref(request, interface, trust, role_refs=None):
    """Return ``trust`` in Keystone's shape; with roles for one trust."""
    ref = {key: value for key, value in trust.items() if key != 'role_ids'}
    if ref['expires_at'] is not None:
        ref['expires_at'] = formats.format_time(ref['expires_at'])
    ref['deleted_at'] = None
    ref = resources.entity(request, interface, COLLECTION, ref)
    if role_refs is not None:
        ref['roles'] = role_refs
        ref['roles_links'] = _roles_links(request, interface, trust['id'])
    return ref


def _roles_links(request, interface, trust_id):
    return {'self': resources.v3_url(
        request, interface, '%s/%s/roles' % (COLLECTION, trust_id)),
        'previous': None, 'next': None}


def _role_refs(request, interface, session, trust):
    """The delegated roles that still exist, each with its link."""
    return [resources.entity(request, interface, 'roles', role)
            for role in roles.list_roles(session, ids=trust['role_ids'])]


class TrustResource:
    """Handlers of ``/v3/OS-TRUST/trusts``."""

    public_routes = (
        ('POST', '/OS-TRUST/trusts', 'create_trust'),
        ('GET', '/OS-TRUST/trusts', 'list_trusts'),
        ('GET', _TRUST, 'get_trust'),
        ('DELETE', _TRUST, 'delete_trust'),
        ('GET', _TRUST + '/roles', 'list_roles_for_trust'),
        ('GET', _TRUST + '/roles/{role_id}', 'get_role_for_trust'),
    )
    management_routes = ()

    def _full_trust(self, request, session, trust, status=200):
        document = {'trust': _trust_ref(
            request, self.interface, trust,
            _role_refs(request, self.interface, session, trust))}
        return api.json_response(document, status=status)

    def create_trust(self, request):
        """POST /v3/OS-TRUST/trusts: the caller is the trustor; 201.

        A trust-scoped caller redelegates its trust (see trust.rules).
        """
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.TRUST_CREATE)['trust']
            self.authorize(token, 'identity:create_trust', {'trust': body})
            refuse_delegated(token)
            trust = rules.create(session, self.backends.conf, body,
                                 parent_trust_id=token.payload.trust_id)
            LOG.info('Trust %s created: user %s delegates to user %s on '
                     'project %s', trust['id'], trust['trustor_user_id'],
                     trust['trustee_user_id'], trust['project_id'])
            return self._full_trust(request, session, trust, status=201)

    def list_trusts(self, request):
        """GET /v3/OS-TRUST/trusts: ``?trustor_user_id= &trustee_user_id=``.

        Without a filter only admins and system readers may list, as in
        Keystone; the trustor (trustee) may list by itself.
        """
        trustor = resources.query(request, 'trustor_user_id')
        trustee = resources.query(request, 'trustee_user_id')
        with self.session() as session:
            token = self.authenticate(session, request)
            if trustor:
                self.authorize(token, 'identity:list_trusts_for_trustor',
                               {'trust': {'trustor_user_id': trustor}})
            elif trustee:
                self.authorize(token, 'identity:list_trusts_for_trustee',
                               {'trust': {'trustee_user_id': trustee}})
            else:
                self.authorize(token, 'identity:list_trusts')
            refuse_delegated(token)
            refs = trusts.list_trusts(session, trustor_user_id=trustor,
                                      trustee_user_id=trustee)
        document = resources.collection(request, self.interface, 'trusts',
                                        [], path=COLLECTION)
        document['trusts'] = [_trust_ref(request, self.interface, ref)
                              for ref in refs]
        return api.json_response(document)

    def _authorized_trust(self, session, request, action, trust_id,
                          usable=True):
        """Return the trust, 404 first (as Keystone loads it before
        policy), then 403 unless the caller may do ``action``."""
        token = self.authenticate(session, request)
        trust = trusts.get_trust(session, trust_id, usable=usable)
        if usable:
            # A trust whose chain is broken is refused as Keystone does.
            trust_scope.load_chain(session, trust)
        self.authorize(token, action, {'trust': trust})
        refuse_delegated(token)
        return trust

    def get_trust(self, request, trust_id):
        """GET (or HEAD) /v3/OS-TRUST/trusts/{trust_id}, with its roles."""
        with self.session() as session:
            trust = self._authorized_trust(session, request,
                                           'identity:get_trust', trust_id)
            return self._full_trust(request, session, trust)

    def delete_trust(self, request, trust_id):
        """DELETE /v3/OS-TRUST/trusts/{trust_id}: 204; the trusts
        redelegated from it go too, and every token of them stops
        validating."""
        with self.session() as session:
            self._authorized_trust(session, request, 'identity:delete_trust',
                                   trust_id, usable=False)
            deleted = trusts.delete_trust(session, trust_id)
        LOG.info('Trust %s deleted, with %d redelegated from it', trust_id,
                 len(deleted) - 1)
        return resources.no_content()

    def list_roles_for_trust(self, request, trust_id):
        """GET (or HEAD) /v3/OS-TRUST/trusts/{trust_id}/roles."""
        with self.session() as session:
            trust = self._authorized_trust(
                session, request, 'identity:list_roles_for_trust', trust_id)
            refs = _role_refs(request, self.interface, session, trust)
        return api.json_response({
            'roles': refs,
            'links': _roles_links(request, self.interface, trust_id)})

    def get_role_for_trust(self, request, trust_id, role_id):
        """GET (or HEAD) /v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}:
        the role if the trust delegates it, else 404."""
        with self.session() as session:
            trust = self._authorized_trust(
                session, request, 'identity:get_role_for_trust', trust_id)
            if role_id not in trust['role_ids']:
                raise exceptions.NotFound('Could not find role: %s.'
                                          % role_id)
            role = roles.get_role(session, role_id)
        return api.json_response({'role': resources.entity(
            request, self.interface, 'roles', role)})
