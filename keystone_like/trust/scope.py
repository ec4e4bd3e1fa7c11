"""What a trust-scoped token stands for, recomputed at every issue and
validation, as Keystone recomputes it.

A trust-scoped token is scoped to the trust's project with the trust's
roles and the roles they imply, and is good only while

- the trust exists and has not expired (nor has any trust it was
  redelegated from), and the token's user is its trustee;
- the trustor, the trustee and every trustee up the redelegation chain
  exist and are enabled, with their domains;
- the project and its domain are enabled;
- the trustor — and, for a redelegated trust, the original trustor —
  still holds every delegated role (implied ones included) on the
  project: losing one invalidates the trust's tokens, as in Keystone.

Problems are raised as Keystone reports them when a token is issued
(:class:`exceptions.Forbidden` for the people and the roles,
:class:`exceptions.Unauthorized` for the trust and the project); the token
provider turns any of them into "token not found" at validation. Why is
logged at INFO.
"""

import dataclasses
import datetime
import logging

from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import trusts
from keystone_like.store import users

LOG = logging.getLogger(__name__)
ERRORS = (exceptions.Forbidden, exceptions.Unauthorized, exceptions.NotFound)


@dataclasses.dataclass
class TrustScope:
    """A trust in force, with the entities a token of it refers to."""

    trust: dict
    chain: list          # the trusts it was redelegated from, parent first
    trustor: dict
    trustor_domain: dict
    trustee: dict
    project: dict
    project_domain: dict
    role_ids: set        # global roles the token carries

    @property
    def impersonation(self):
        """Whether the token acts as the trustor."""
        return self.trust['impersonation']


def _forbidden(trust_id, reason):
    LOG.info('Trust %s cannot be used: %s', trust_id, reason)
    return exceptions.Forbidden()


def _unauthorized(trust_id, reason):
    LOG.info('Trust %s cannot be used: %s', trust_id, reason)
    return exceptions.Unauthorized()


def _expired(trust, now):
    return trust['expires_at'] is not None and trust['expires_at'] <= now


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def enabled_user(session, user_id, trust_id):
    """Return ``(user, its domain)``; Forbidden unless both are enabled."""
    try:
        user = users.get_user(session, user_id)
        domain = domains.get_domain(session, user['domain_id'])
    except exceptions.NotFound:
        raise _forbidden(trust_id, 'user %s is gone' % user_id) from None
    if not (user['enabled'] and domain['enabled']):
        raise _forbidden(trust_id, 'user %s or its domain is disabled'
                         % user_id)
    return user, domain


def load_chain(session, trust, now=None):
    """Return the trusts ``trust`` was redelegated from, parent first.

    Forbidden if one is gone or expired, or if its trustee is disabled
    ("one of the trust agents is disabled or deleted").
    """
    now = now or _utcnow()
    chain, seen = [], {trust['id']}
    current = trust
    while current['redelegated_trust_id']:
        parent_id = current['redelegated_trust_id']
        try:
            parent = trusts.get_trust(session, parent_id, usable=False)
        except exceptions.NotFound:
            raise _forbidden(trust['id'], 'trust %s it was redelegated '
                             'from is gone' % parent_id) from None
        if _expired(parent, now) or parent_id in seen:
            raise _forbidden(trust['id'], 'trust %s it was redelegated '
                             'from has expired' % parent_id)
        enabled_user(session, parent['trustee_user_id'], trust['id'])
        seen.add(parent_id)
        chain.append(parent)
        current = parent
    return chain


def resolve(session, trust_id, user_id, issuing=False):
    """Return the :class:`TrustScope` of ``trust_id`` used by ``user_id``.

    ``issuing``: a new token is asked for, so a trust without uses left is
    refused too; tokens already issued stay good after the last use
    (Keystone invalidates them at once, even the last one it issued).
    """
    try:
        trust = trusts.get_trust(session, trust_id, usable=issuing)
    except exceptions.NotFound:
        raise _unauthorized(trust_id, 'no such trust in force') from None
    now = _utcnow()
    if _expired(trust, now):
        raise _unauthorized(trust_id, 'it has expired')
    if trust['trustee_user_id'] != user_id:
        raise _forbidden(trust_id, 'user %s is not its trustee' % user_id)
    chain = load_chain(session, trust, now)
    trustor, trustor_domain = enabled_user(
        session, trust['trustor_user_id'], trust_id)
    trustee, _domain = enabled_user(session, user_id, trust_id)
    project, project_domain = _enabled_project(session, trust)
    scope = TrustScope(trust=trust, chain=chain, trustor=trustor,
                       trustor_domain=trustor_domain, trustee=trustee,
                       project=project, project_domain=project_domain,
                       role_ids=set())
    scope.role_ids = _delegated_roles(session, scope)
    return scope


def _enabled_project(session, trust):
    """Return the trust's project and domain; Unauthorized unless enabled.

    A trust without a project delegates no role: it gives no token
    (Keystone answers 404 "Could not find project: None").
    """
    if trust['project_id'] is None:
        raise _unauthorized(trust['id'], 'it names no project')
    try:
        project = projects.get_project(session, trust['project_id'])
        domain = domains.get_domain(session, project['domain_id'])
    except exceptions.NotFound:
        raise _unauthorized(trust['id'], 'its project is gone') from None
    if not (project['enabled'] and domain['enabled']):
        raise _unauthorized(trust['id'], 'its project or the project\'s '
                            'domain is disabled')
    return project, domain


def _delegated_roles(session, scope):
    """Return the global role ids the token carries; Forbidden if a
    delegator no longer holds one of the (expanded) delegated roles."""
    trust = scope.trust
    delegated = effective.implied_closure(session, set(trust['role_ids']))
    delegators = {trust['trustor_user_id']}
    if scope.chain:
        delegators.add(scope.chain[-1]['trustor_user_id'])
    for delegator_id in sorted(delegators):
        held = effective.role_ids_on_project(
            session, delegator_id, scope.project['id'],
            scope.project_domain['id'], domain_specific=True)
        missing = delegated - held
        if missing:
            raise _forbidden(trust['id'], 'user %s no longer holds the '
                             'delegated role(s) %s' % (
                                 delegator_id, ', '.join(sorted(missing))))
    return delegated - roles.domain_specific_ids(session)


def token_limits(session, trust_id, expires):
    """Return the project a new token of the trust is scoped to and its
    expiry (never after the trust's); Unauthorized without such a trust."""
    try:
        trust = trusts.get_trust(session, trust_id)
    except exceptions.NotFound:
        raise _unauthorized(trust_id, 'no such trust in force') from None
    if trust['expires_at'] is not None:
        expires = min(expires, trust['expires_at'])
    return trust['project_id'], expires


def resolve_for_token(session, token, error):
    """Fill in a trust token's trust, project and its domain; return the
    role ids it carries. While issuing (no token id yet) the refusal is
    Keystone's 401 or 403; at validation it is ``error``."""
    payload = token.payload
    issuing = token.id is None
    try:
        scope = resolve(session, payload.trust_id, payload.user_id,
                        issuing=issuing)
    except ERRORS as exc:
        if issuing and not isinstance(exc, exceptions.NotFound):
            raise
        raise error() from None
    if scope.project['id'] != payload.project_id:
        raise error()
    token.trust = scope
    token.project, token.scope_domain = scope.project, scope.project_domain
    return scope.role_ids


def _ref(entity):
    return {'id': entity['id'], 'name': entity['name']}


def document(scope):
    """Return the token body keys of a trust scope, as Keystone renders
    them: the trust, the project (without ``is_domain``) and, with
    impersonation, the trustor as the token's user."""
    body = {
        'OS-TRUST:trust': {
            'id': scope.trust['id'],
            'trustor_user': {'id': scope.trustor['id']},
            'trustee_user': {'id': scope.trustee['id']},
            'impersonation': scope.impersonation},
        'project': dict(_ref(scope.project),
                        domain=_ref(scope.project_domain)),
    }
    if scope.impersonation:
        body['user'] = dict(_ref(scope.trustor),
                            domain=_ref(scope.trustor_domain),
                            password_expires_at=scope.trustor.get(
                                'password_expires_at'))
    return body


def role_document(role):
    """Return a role as a trust token lists it (in full, as Keystone)."""
    return {key: value for key, value in role.items() if key != 'links'}
