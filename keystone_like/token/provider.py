"""Issuing and validating tokens: the payload, the keys and the database.

A Fernet token carries only who, how, which scope (a project, a domain or
the system), until when and its audit ids. Everything else — that the
user, its domain and the scope still exist and are enabled, which roles
the user holds there now (directly, through groups, inherited, implied),
whether an event has revoked it — is what the database says at the
validation: each validation reads the database's revision and answers from
the process's cache of that revision (:mod:`keystone_like.token.cache`),
so every process and every node sharing the database agrees at once.
Tokens of a trust or an application credential are resolved from the
database each time (their validity also depends on the clock).
"""

import collections
import datetime
import json

from keystone_like.common import metrics
from keystone_like import db
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
from keystone_like.token import cache as token_cache
from keystone_like.token import formats
from keystone_like.token.resolved import OWN_FIELDS
from keystone_like.token.resolved import Token
from keystone_like.trust import scope as trust_scope


class TokenNotFound(exceptions.NotFound):
    """The token is invalid, expired or revoked (Keystone answers 404)."""

    # Never echo the token itself, unlike older Keystone releases.
    default_message = 'Could not find token.'


class _Refused(Exception):
    """A scope that does not resolve (cached like a resolution)."""


# What a token's user and scope resolve to, as cached between writes.
_SCOPE_FIELDS = ('user', 'user_domain', 'project', 'domain', 'scope_domain',
                 'roles', 'is_admin_project')
_REFUSED = 'refused'


def utcnow():
    """Return the current UTC time."""
    return datetime.datetime.now(datetime.timezone.utc)


class TokenProvider:
    """Issues, validates and revokes Fernet tokens."""

    def __init__(self, conf, key_cache):
        self.conf = conf
        self.keys = key_cache
        self.cache = None
        if conf.token.caching:
            self.cache = token_cache.ValidationCache(
                conf.token.cache_size, db.retention_seconds(conf))
        # Decrypted payloads of the keys in hand: (keys, {token: payload}).
        self._payloads = (None, collections.OrderedDict())

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
        token = self._resolve(session, payload, None, exceptions.Unauthorized,
                              self._sync(session))
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
        payload = self._decrypt(token_id)
        now = utcnow()
        if allow_expired:
            now -= datetime.timedelta(
                seconds=self.conf.token.allow_expired_window)
        if formats.is_expired(payload, now):
            metrics.token_validated('expired')
            raise TokenNotFound()
        seen = self._sync(session)
        token = self._resolve(session, payload, token_id, _unresolved, seen)
        if self._revoked(session, token, seen):
            metrics.token_validated('revoked')
            raise TokenNotFound()
        metrics.token_validated('valid')
        return token

    def _decrypt(self, token_id):
        """Return the payload of ``token_id`` (TokenNotFound if bad),
        remembering the payloads of the current keys."""
        keys = self.keys.get()
        known, payloads = self._payloads
        if known is not keys:
            payloads = collections.OrderedDict()
            self._payloads = (keys, payloads)
        payload = payloads.get(token_id)
        if payload is None:
            try:
                payload = formats.decrypt(token_id, keys)
            except formats.InvalidToken:
                metrics.token_validated('invalid')
                raise TokenNotFound() from None
            if self.cache is not None:
                payloads[token_id] = payload
                if len(payloads) > self.conf.token.cache_size:
                    payloads.popitem(last=False)
        return payload

    def _sync(self, session):
        """Return the revision the cache may answer for, or None."""
        return self.cache.sync(session) if self.cache is not None else None

    def _revoked(self, session, token, seen):
        """Whether a revocation event revokes ``token``."""
        payload = token.payload
        attributes = {
            'audit_id': set(payload.audit_ids),
            'user_id': {payload.user_id, *_trustor_ids(token)},
            'project_id': ({payload.project_id}
                           if payload.project_id is not None else set()),
            'domain_id': set(_domain_ids(token)),
            'role_id': {role['id'] for role in token.roles}}
        if seen is not None:
            return self.cache.events.revokes(payload.issued_at, attributes)
        return revocations.is_revoked(session, payload.issued_at,
                                      attributes)

    def revoke(self, session, token):
        """Revoke ``token`` alone (by its own audit id)."""
        revocations.add_event(session, audit_id=token.payload.audit_id)

    def _resolve(self, session, payload, token_id, error, seen=None):
        """Load what the payload refers to; ``error`` if any is not ok.

        A token without a trust or an application credential resolves
        from the cache of revision ``seen`` when it can.
        """
        if payload.trust_id is not None or payload.app_cred_id is not None:
            return self._load(session, payload, token_id, error)
        key = (payload.user_id, payload.project_id, payload.domain_id,
               payload.system)
        fields = self._cached('scope', seen, key)
        if fields is None:
            try:
                token = self._load(session, payload, token_id, _Refused)
                fields = tuple(getattr(token, name)
                               for name in _SCOPE_FIELDS)
            except _Refused:
                fields = _REFUSED
            self._keep('scope', seen, key, fields)
        if fields is _REFUSED:
            raise error()
        return Token(id=token_id, payload=payload, revision=seen,
                     **dict(zip(_SCOPE_FIELDS, fields)))

    def _load(self, session, payload, token_id, error):
        """Read what the payload refers to from the database."""
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
        return {'token': self._with_catalog(session, token, token.document(),
                                            include_catalog)}

    def _with_catalog(self, session, token, document, include_catalog):
        if token.payload.scope is not None and include_catalog:
            # A trust token's catalog is the trustor's, as in Keystone.
            user_id = (token.trust.trustor['id'] if token.trust is not None
                       else token.user_id)
            document['catalog'] = self._catalog(session, user_id,
                                                token.project_id)
        return document

    def issued_json(self, session, token, include_catalog=True):
        """Return :meth:`body` as UTF-8 JSON for a token just issued.

        Only the token's own fields are encoded each time; the rest (user,
        scope, roles, catalog) is what every token of the same user and
        scope shows, encoded once per revision.
        """
        document = token.document()
        own = {name: document.pop(name) for name in OWN_FIELDS}
        key = (token.user_id, token.project_id, token.domain_id,
               token.system, include_catalog)
        shared = self._cached('shared', token.revision, key)
        if shared is None:
            shared = json.dumps(self._with_catalog(
                session, token, document, include_catalog)).encode('utf-8')
            self._keep('shared', token.revision, key, shared)
        # '{"methods": ..., "issued_at": "..."' + ', "user": {...}, ...}'
        return b''.join((b'{"token": ', json.dumps(own)[:-1].encode('utf-8'),
                         b', ', shared[1:], b'}'))

    def body_json(self, session, token, include_catalog=True):
        """Return :meth:`body` as UTF-8 JSON, cached per revision (each
        validation of the same token answers the same bytes)."""
        key = (token.id, include_catalog)
        found = self._cached('body', token.revision, key)
        if found is None:
            found = json.dumps(self.body(session, token, include_catalog))
            found = found.encode('utf-8')
            self._keep('body', token.revision, key, found)
        return found

    def _catalog(self, session, user_id, project_id):
        """Return the catalog of a scoped token, cached per revision."""
        return_all = (self.conf.endpoint_filter
                      .return_all_endpoints_if_no_filter)
        seen = self._sync(session)
        key = (user_id, project_id, return_all)
        found = self._cached('catalog', seen, key)
        if found is None:
            found = catalog.catalog(session, user_id=user_id,
                                    project_id=project_id,
                                    return_all=return_all)
            self._keep('catalog', seen, key, found)
        return found

    def _cached(self, kind, seen, key):
        if self.cache is None or seen is None:
            return None
        return self.cache.get(kind, seen, key)

    def _keep(self, kind, seen, key, value):
        if self.cache is not None and seen is not None:
            self.cache.keep(kind, seen, key, value)


def _unresolved():
    """TokenNotFound for a token whose user, scope or trust is not ok."""
    metrics.token_validated('unresolved')
    return TokenNotFound()


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
