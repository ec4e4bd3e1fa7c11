"""Roles (global and domain-specific) and role inference rules.

``/v3/roles`` with ``domain_id`` in the body or the query works on
domain-specific roles (their own policy actions, as in Keystone);
``/v3/roles/{prior}/implies/{implied}`` and ``/v3/role_inferences`` manage
which roles a role brings with it. Deleting a role takes its grants and
rules with it; every validation recomputes a token's roles, so the next
one no longer shows it (a token left with no role stops validating).
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import assignment as schema
from keystone_like.store import app_creds
from keystone_like.store import roles

COLLECTION = 'roles'
_RULE = '/roles/{prior_role_id}/implies/{implied_role_id}'


def _action(verb, role):
    """``identity:<verb>_role`` or ``..._domain_role`` for ``role``."""
    kind = 'domain_role' if role and role.get('domain_id') else 'role'
    return 'identity:%s_%s' % (verb, kind)


class RoleResource:
    """Handlers of ``/v3/roles`` and of role inference rules."""

    public_routes = ()
    management_routes = (
        ('POST', '/roles', 'create_role'),
        ('GET', '/roles', 'list_roles'),
        ('GET', '/roles/{role_id}', 'get_role'),
        ('PATCH', '/roles/{role_id}', 'update_role'),
        ('DELETE', '/roles/{role_id}', 'delete_role'),
        ('GET', '/roles/{prior_role_id}/implies', 'list_implied_roles'),
        ('PUT', _RULE, 'create_implied_role'),
        ('GET', _RULE, 'get_implied_role'),
        ('DELETE', _RULE, 'delete_implied_role'),
        ('GET', '/role_inferences', 'list_role_inference_rules'),
    )

    def _role_response(self, request, ref, status=200):
        return api.json_response({'role': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def create_role(self, request):
        """POST /v3/roles: 201; ``domain_id`` makes a domain-specific role."""
        with self.session() as session:
            token = self.authenticate(session, request)
            ref = dict(resources.json_body(
                request, schema.ROLE_CREATE)['role'])
            self.authorize(token, _action('create', ref), {'role': ref})
            ref.pop('id', None)  # Keystone assigns ids; it ignores one given.
            ref = roles.create_role(session, ref)
        return self._role_response(request, ref, status=201)

    def list_roles(self, request):
        """GET /v3/roles: global roles, or a domain's with ``?domain_id=``."""
        domain_id = resources.query(request, 'domain_id')
        pager = pagination.Pager(request, self.backends.conf, 'role')
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_domain_roles' if domain_id
                           else 'identity:list_roles')
            refs = roles.list_roles(session, domain_id=domain_id or None,
                                    name=resources.query(request, 'name'),
                                    page=pager.page())
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def _existing(self, session, request, verb, role_id):
        """Authorize ``verb`` on the role; return it.

        As in Keystone the role is loaded first: an unknown one is 404
        whoever asks.
        """
        token = self.authenticate(session, request)
        role = roles.get_role(session, role_id)
        self.authorize(token, _action(verb, role), {'role': role})
        return role

    def get_role(self, request, role_id):
        """GET /v3/roles/{role_id}."""
        with self.session() as session:
            ref = self._existing(session, request, 'get', role_id)
        return self._role_response(request, ref)

    def update_role(self, request, role_id):
        """PATCH /v3/roles/{role_id}; an immutable role only unlocks."""
        with self.session() as session:
            self._existing(session, request, 'update', role_id)
            changes = resources.json_body(request, schema.ROLE_UPDATE)['role']
            ref = roles.update_role(session, role_id, changes)
        return self._role_response(request, ref)

    def delete_role(self, request, role_id):
        """DELETE /v3/roles/{role_id}: 204; its grants and rules go too,
        and the application credentials that may use it (as Keystone)."""
        with self.session() as session:
            self._existing(session, request, 'delete', role_id)
            app_creds.delete_for_role(session, role_id)
            roles.delete_role(session, role_id)
        return resources.no_content()

    # Inference rules.

    def _rule_target(self, session, request, action, prior_role_id,
                     implied_role_id=None):
        token = self.authenticate(session, request)
        target = {'prior_role': roles.get_role(session, prior_role_id)}
        if implied_role_id is not None:
            target['implied_role'] = roles.get_role(session, implied_role_id)
        self.authorize(token, action, target)

    def _brief(self, request, role):
        return {'id': role['id'], 'name': role['name'],
                'links': {'self': resources.v3_url(
                    request, self.interface, 'roles/%s' % role['id'])}}

    def _inference(self, request, prior, implies, path):
        return {'role_inference': {'prior_role': self._brief(request, prior),
                                   'implies': implies},
                'links': {'self': resources.v3_url(request, self.interface,
                                                   path)}}

    def _one_rule(self, request, session, prior_role_id, implied_role_id):
        rule = roles.get_rule(session, prior_role_id, implied_role_id)
        return self._inference(
            request, rule['prior_role'],
            self._brief(request, rule['implies']),
            'roles/%s/implies/%s' % (prior_role_id, implied_role_id))

    def list_implied_roles(self, request, prior_role_id):
        """GET /v3/roles/{prior_role_id}/implies: what the role brings."""
        with self.session() as session:
            self._rule_target(session, request, 'identity:list_implied_roles',
                              prior_role_id)
            prior = roles.get_role(session, prior_role_id)
            implied = [self._brief(request, roles.to_dict(row))
                       for _prior, row in roles.list_rules(
                           session, prior_id=prior_role_id)]
        return api.json_response(self._inference(
            request, prior, implied, 'roles/%s/implies' % prior_role_id))

    def create_implied_role(self, request, prior_role_id, implied_role_id):
        """PUT /v3/roles/{prior}/implies/{implied}: 201 with the rule, 409
        if it exists."""
        prohibited = self.backends.conf.assignment.prohibited_implied_role
        with self.session() as session:
            self._rule_target(session, request, 'identity:create_implied_role',
                              prior_role_id, implied_role_id)
            roles.create_rule(session, prior_role_id, implied_role_id,
                              prohibited=prohibited, exist_ok=False)
            document = self._one_rule(request, session, prior_role_id,
                                      implied_role_id)
        return api.json_response(document, status=201)

    def get_implied_role(self, request, prior_role_id, implied_role_id):
        """GET (200 with the rule) or HEAD (204) of one inference rule."""
        action = ('identity:check_implied_role' if request.method == 'HEAD'
                  else 'identity:get_implied_role')
        with self.session() as session:
            self._rule_target(session, request, action, prior_role_id,
                              implied_role_id)
            document = self._one_rule(request, session, prior_role_id,
                                      implied_role_id)
        if request.method == 'HEAD':
            return resources.no_content()
        return api.json_response(document)

    def delete_implied_role(self, request, prior_role_id, implied_role_id):
        """DELETE /v3/roles/{prior}/implies/{implied}: 204."""
        with self.session() as session:
            self._rule_target(session, request, 'identity:delete_implied_role',
                              prior_role_id, implied_role_id)
            roles.delete_rule(session, prior_role_id, implied_role_id)
        return resources.no_content()

    def list_role_inference_rules(self, request):
        """GET /v3/role_inferences: every rule, grouped by prior role."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_role_inference_rules')
            grouped = {}
            for prior, implied in roles.list_rules(session):
                entry = grouped.setdefault(prior.id, {
                    'prior_role': self._brief(request, roles.to_dict(prior)),
                    'implies': []})
                entry['implies'].append(
                    self._brief(request, roles.to_dict(implied)))
        return api.json_response(
            {'role_inferences': list(grouped.values())})
