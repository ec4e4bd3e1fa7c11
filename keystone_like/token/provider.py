"""Issuing and validating tokens: the payload, the keys and the database.

A Fernet token carries only who, how, which scope (a project, a domain or
the system), until when and its audit ids. Everything else — that the
user, its domain and the scope still exist and are enabled, which roles
the user holds there now (directly, through groups, inherited, implied),
whether an event has revoked it — is read from the database at every
validation, so every process and every node sharing the database agrees
at once.
"""

import dataclasses
import datetime

from keystone_like.common import metrics
from keystone_like import exceptions
from keystone_like.store import catalog
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import projects
from keystone_like.store import revocations
from keystone_like.store import roles as role_store
from keystone_like.store import trusts as trust_store
from keystone_like.store import users
from keystone_like.token import app_creds
from keystone_like.token import formats
from keystone_like.trust import scope as trust_scope


class TokenNotFound(exceptions.NotFound):
    """The token is invalid, expired or revoked (Keystone answers 404)."""

    # Never echo the token itself, unlike older Keystone releases.
    default_message = 'Could not find token.'


@dataclasses.dataclass
class Token:
    """A valid token with what it refers to, as read at validation time."""

    id: str
    payload: formats.TokenPayload
    user: dict
    user_domain: dict
    project: dict = None
    domain: dict = None
    scope_domain: dict = None   # the project's domain, or the scoped domain
    roles: list = dataclasses.field(default_factory=list)
    # True/False for project tokens when [resource] admin_project_name is
    # set; None otherwise (policy then sees True, as Keystone's does).
    is_admin_project: bool = None
    # The application credential of the token, if obtained with one.
    application_credential: dict = None
    # The trust of a trust-scoped token (a trust_scope.TrustScope).
    trust: object = None

    @property
    def user_id(self):
        """The id of the token's user."""
        return self.payload.user_id

    @property
    def project_id(self):
        """The id of the scoped project, or None."""
        return self.payload.project_id

    @property
    def domain_id(self):
        """The id of the scoped domain, or None."""
        return self.payload.domain_id

    @property
    def system(self):
        """``'all'`` for a system-scoped token, else None."""
        return self.payload.system

    @property
    def acting_user(self):
        """The user the token acts as: the trustor when a trust allows
        impersonation, else the token's own user."""
        if self.trust is not None and self.trust.impersonation:
            return self.trust.trustor
        return self.user

    @property
    def role_names(self):
        """The names of the roles the user holds on the scope."""
        return [role['name'] for role in self.roles]

    def credentials(self):
        """Return the credentials policy checks see, as Keystone's context
        gives them (``token`` is the token document, without catalog)."""
        project_domain = (self.scope_domain['id']
                          if self.project is not None else None)
        is_admin_project = self.is_admin_project
        if is_admin_project is None:
            is_admin_project = self.domain is None
        trust = self.trust
        return {'user_id': self.acting_user['id'],
                'user_domain_id': self.acting_user['domain_id'],
                'system_scope': self.system, 'domain_id': self.domain_id,
                'project_id': self.project_id,
                'project_domain_id': project_domain,
                'roles': self.role_names,
                'is_admin_project': is_admin_project,
                'service_user_id': None, 'service_user_domain_id': None,
                'service_project_id': None,
                'service_project_domain_id': None, 'service_roles': [],
                'trust_id': self.payload.trust_id,
                'trustor_id': trust and trust.trustor['id'],
                'trustee_id': trust and trust.trustee['id'],
                'token': self.document()}

    def document(self):
        """Return the token's ``{...}`` body without the catalog."""
        payload = self.payload
        body = {
            'methods': list(payload.methods),
            'user': {'id': self.user['id'], 'name': self.user['name'],
                     'domain': _ref(self.user_domain),
                     'password_expires_at': None},
            'audit_ids': list(payload.audit_ids),
            'expires_at': formats.format_time(payload.expires_at),
            'issued_at': formats.format_time(payload.issued_at),
        }
        if self.system is not None:
            body['system'] = {'all': True}
        elif self.domain is not None:
            body['domain'] = _ref(self.domain)
        elif self.trust is not None:
            body.update(trust_scope.document(self.trust))
        elif self.project is not None:
            body['project'] = dict(_ref(self.project),
                                   domain=_ref(self.scope_domain))
            body['is_domain'] = False
            if self.is_admin_project is not None:
                body['is_admin_project'] = self.is_admin_project
        if self.trust is not None:
            # Keystone shows a trust token's roles in full.
            body['roles'] = [trust_scope.role_document(role)
                             for role in self.roles]
        elif payload.scope is not None:
            body['roles'] = [_ref(role) for role in self.roles]
        if self.application_credential is not None:
            body['application_credential'] = app_creds.document(
                self.application_credential)
        return body


def utcnow():
    """Return the current UTC time."""
    return datetime.datetime.now(datetime.timezone.utc)


class TokenProvider:
    """Issues, validates and revokes Fernet tokens."""

    def __init__(self, conf, key_cache):
        self.conf = conf
        self.keys = key_cache

    def issue(self, session, user_id, methods, project_id=None,
              domain_id=None, system=None, parent=None, app_cred_id=None,
              not_after=None, trust_id=None):
        """Return a new :class:`Token`; Unauthorized if the scope is not ok.

        ``parent`` is the payload of the token exchanged for this one: the
        new token never outlives it and joins its audit chain. Nor does it
        outlive ``not_after`` (an application credential's expiry). A token
        of trust ``trust_id`` is scoped to the trust's project, never
        outlives the trust and spends one of its uses (in ``session``'s
        transaction); refusals are 401 or, as in Keystone, 403.
        """
        now = utcnow()
        expires = now + datetime.timedelta(seconds=self.conf.token.expiration)
        for limit in (getattr(parent, 'expires_at', None), not_after):
            if limit is not None:
                expires = min(expires, limit)
        if trust_id is not None:
            project_id, expires = trust_scope.token_limits(
                session, trust_id, expires)
        payload = formats.TokenPayload(
            user_id=user_id, methods=methods, project_id=project_id,
            domain_id=domain_id, system=system, issued_at=now,
            expires_at=expires, app_cred_id=app_cred_id, trust_id=trust_id,
            audit_ids=formats.new_audit_ids(
                parent.audit_ids if parent is not None else None))
        token = self._resolve(session, payload, None, exceptions.Unauthorized)
        if trust_id is not None:
            trust_store.consume_use(session, trust_id)
        token.id = formats.encrypt(payload, self.keys.get())
        return token

    def validate(self, session, token_id, allow_expired=False):
        """Return the :class:`Token` ``token_id`` names, or TokenNotFound.

        With ``allow_expired`` a token that expired less than ``[token]
        allow_expired_window`` seconds ago still validates (services use it
        to finish long operations started with a user's token).
        """
        try:
            payload = formats.decrypt(token_id, self.keys.get())
        except formats.InvalidToken:
            metrics.token_validated('invalid')
            raise TokenNotFound() from None
        now = utcnow()
        if allow_expired:
            now -= datetime.timedelta(
                seconds=self.conf.token.allow_expired_window)
        if formats.is_expired(payload, now):
            metrics.token_validated('expired')
            raise TokenNotFound()
        token = self._resolve(session, payload, token_id, _unresolved)
        if revocations.is_revoked(
                session, payload.issued_at, audit_ids=payload.audit_ids,
                user_id=payload.user_id, user_ids=_trustor_ids(token),
                project_id=payload.project_id,
                domain_ids=_domain_ids(token),
                role_ids=[role['id'] for role in token.roles]):
            metrics.token_validated('revoked')
            raise TokenNotFound()
        metrics.token_validated('valid')
        return token

    def revoke(self, session, token):
        """Revoke ``token`` alone (by its own audit id)."""
        revocations.add_event(session, audit_id=token.payload.audit_id)

    def _resolve(self, session, payload, token_id, error):
        """Load what the payload refers to; ``error`` if any is not ok."""
        try:
            user = users.get_user(session, payload.user_id)
            user_domain = domains.get_domain(session, user['domain_id'])
        except exceptions.NotFound:
            raise error() from None
        if not (user['enabled'] and user_domain['enabled']):
            raise error()
        token = Token(id=token_id, payload=payload, user=user,
                      user_domain=user_domain)
        role_ids = ()
        if payload.trust_id is not None:
            role_ids = trust_scope.resolve_for_token(session, token, error)
        elif payload.project_id is not None:
            token.project, token.scope_domain = _enabled_project(
                session, payload.project_id, error)
            role_ids = effective.role_ids_on_project(
                session, payload.user_id, payload.project_id,
                token.scope_domain['id'])
            token.is_admin_project = self._is_admin_project(token)
        elif payload.domain_id is not None:
            token.domain = token.scope_domain = _enabled_domain(
                session, payload.domain_id, error)
            role_ids = effective.role_ids_on_domain(
                session, payload.user_id, payload.domain_id)
        elif payload.system is not None:
            role_ids = effective.role_ids_on_system(session, payload.user_id)
        if payload.app_cred_id is not None:
            token.application_credential, role_ids = app_creds.restrict(
                session, payload, role_ids, error)
        if role_ids:
            token.roles = role_store.list_roles(session, ids=role_ids)
        if payload.scope is not None and not token.roles:
            raise error()
        return token

    def _is_admin_project(self, token):
        """Keystone's is_admin_project: None unless an admin project is set."""
        group = self.conf.resource
        if not (group.admin_project_name and group.admin_project_domain_name):
            return None
        return (token.project['name'] == group.admin_project_name
                and token.scope_domain['name']
                == group.admin_project_domain_name)

    def body(self, session, token, include_catalog=True):
        """Return Keystone's ``{"token": {...}}`` document for ``token``."""
        body = token.document()
        if token.payload.scope is not None and include_catalog:
            # A trust token's catalog is the trustor's, as in Keystone.
            user_id = (token.trust.trustor['id'] if token.trust is not None
                       else token.user_id)
            body['catalog'] = catalog.catalog(
                session, user_id=user_id, project_id=token.project_id,
                return_all=self.conf.endpoint_filter
                .return_all_endpoints_if_no_filter)
        return {'token': body}


def _unresolved():
    """TokenNotFound for a token whose user, scope or trust is not ok."""
    metrics.token_validated('unresolved')
    return TokenNotFound()


def _ref(entity):
    return {'id': entity['id'], 'name': entity['name']}


def _enabled_project(session, project_id, error):
    try:
        project = projects.get_project(session, project_id)
        domain = domains.get_domain(session, project['domain_id'])
    except exceptions.NotFound:
        raise error() from None
    if not (project['enabled'] and domain['enabled']):
        raise error()
    return project, domain


def _enabled_domain(session, domain_id, error):
    try:
        domain = domains.get_domain(session, domain_id)
    except exceptions.NotFound:
        raise error() from None
    if not domain['enabled']:
        raise error()
    return domain


def _domain_ids(token):
    ids = {token.user['domain_id']}
    if token.scope_domain is not None:
        ids.add(token.scope_domain['id'])
    if token.trust is not None:
        ids.add(token.trust.trustor['domain_id'])
    return sorted(ids)


def _trustor_ids(token):
    """Events revoking the trustor's tokens revoke its trusts' tokens."""
    return [token.trust.trustor['id']] if token.trust is not None else []
