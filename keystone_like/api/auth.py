"""``/v3/auth``: issue, validate, check and revoke tokens; the catalog and
the scopes a token's user may ask for. Served on both listeners.

Failed logins all look alike to the client (401, same body and headers)
and cost one password verification whatever went wrong: an unknown user
is verified against a dummy hash, and the password is checked before
whether the user and its domain are enabled. The reason goes to the log at
INFO with the user's id or name; passwords and tokens never do. Password
hashing runs with no database transaction open, so a slow hash holds no
pooled connection.
"""

import logging

import webob

from keystone_like import api
from keystone_like.api import auth_app_creds
from keystone_like.api import auth_schemas
from keystone_like.api import context
from keystone_like.api import delegation
from keystone_like.api import resources
from keystone_like.common import metrics
from keystone_like.common import offload
from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.identity import compliance
from keystone_like.identity import passwords
from keystone_like.store import catalog
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import projects
from keystone_like.store import users
from keystone_like.token import formats
from keystone_like.token import provider

LOG = logging.getLogger(__name__)


class AuthFailed(exceptions.Unauthorized):
    """Credentials did not authenticate; ``reason`` is for the log only.

    ``message`` is for the client: Keystone's generic one unless the
    account is locked or its password expired (Keystone says so).
    """

    def __init__(self, reason, message=None):
        super().__init__(message)
        self.reason = reason


class AuthResource:
    """The /v3/auth handlers (public routes: both listeners)."""

    public_routes = (
        ('POST', '/auth/tokens', 'issue_token'),
        ('GET', '/auth/tokens', 'validate_token'),   # and HEAD: check
        ('DELETE', '/auth/tokens', 'revoke_token'),
        ('GET', '/auth/catalog', 'get_auth_catalog'),
        ('GET', '/auth/projects', 'get_auth_projects'),
        ('GET', '/auth/domains', 'get_auth_domains'),
        ('GET', '/auth/system', 'get_auth_system'),
    )
    management_routes = ()

    def issue_token(self, request):
        """POST /auth/tokens: authenticate; 201 with ``X-Subject-Token``."""
        auth = auth_schemas.parse(request, self.backends.conf)
        try:
            # The session is opened at its first query: a password or a
            # secret is verified before, holding no database connection;
            # a token method alone is validated in the same transaction
            # as the issue (one revision read, one connection).
            with self.session() as session:
                hashing = auth.user is not None or auth.app_cred is not None
                user, parent, credential = self._identify(
                    auth, None if hashing else session)
                if credential is not None:
                    scope = auth_app_creds.scope(session, credential)
                else:
                    scope = _scope_ids(session, auth.scope, user)
                methods = set(auth.methods)
                if parent is not None:
                    methods.update(parent.payload.methods)
                token = self.backends.tokens.issue(
                    session, user['id'], sorted(methods),
                    parent=parent.payload if parent is not None else None,
                    **scope)
                document = self.backends.tokens.issued_json(
                    session, token, include_catalog=_with_catalog(request))
        except AuthFailed as exc:
            LOG.info('Authentication failed for %s: %s',
                     auth.describe_user(), exc.reason)
            metrics.token_issue_failed('authentication')
            raise
        except exceptions.TooManyRequests:
            LOG.info('Authentication refused for %s: too many password '
                     'checks queued for this account or client',
                     auth.describe_user())
            raise
        except exceptions.Unauthorized:
            LOG.info('Authentication failed for %s: scope %s not granted',
                     auth.describe_user(), _describe_scope(auth.scope))
            metrics.token_issue_failed('scope')
            raise
        metrics.token_issued(auth.methods)
        return api.json_response(document, status=201,
                                 headers=[(context.SUBJECT_HEADER, token.id)])

    def validate_token(self, request):
        """GET (validate) or HEAD (check) /auth/tokens: 200 or 404."""
        action = ('identity:check_token' if request.method == 'HEAD'
                  else 'identity:validate_token')
        allow_expired = resources.query_bool(request, 'allow_expired')
        with self.session() as session:
            subject = self._subject(session, request, action,
                                    allow_expired=bool(allow_expired))
            # HEAD answers the same headers (webob drops the body).
            document = self.backends.tokens.body_json(
                session, subject, include_catalog=_with_catalog(request))
        return api.json_response(
            document, headers=[(context.SUBJECT_HEADER, subject.id)])

    def revoke_token(self, request):
        """DELETE /auth/tokens: revoke the subject token; 204."""
        with self.session() as session:
            subject = self._subject(session, request,
                                    'identity:revoke_token')
            self.backends.tokens.revoke(session, subject)
        return webob.Response(status=204, content_type=None)

    def get_auth_catalog(self, request):
        """GET /auth/catalog: the catalog of a project-scoped token."""
        with self.session() as session:
            caller = self.authenticate(session, request)
            self.authorize(caller, 'identity:get_auth_catalog')
            if caller.project_id is None:
                raise exceptions.Forbidden(
                    'A project-scoped token is required to produce a '
                    'service catalog.')
            entries = catalog.catalog(
                session, user_id=caller.user_id, project_id=caller.project_id,
                return_all=self.backends.conf.endpoint_filter
                .return_all_endpoints_if_no_filter)
        return api.json_response({'catalog': entries, 'links': {
            'self': resources.v3_url(request, self.interface,
                                     'auth/catalog')}})

    def get_auth_projects(self, request):
        """GET /auth/projects: the projects the caller has a role on.

        As in Keystone, disabled projects and projects of disabled domains
        are listed too, each with its own ``enabled``.
        """
        with self.session() as session:
            caller = self.authenticate(session, request)
            self.authorize(caller, 'identity:get_auth_projects')
            refs = effective.projects_for_user(session, caller.user_id)
        return api.json_response(resources.collection(
            request, self.interface, 'projects', refs, path='auth/projects'))

    def get_auth_domains(self, request):
        """GET /auth/domains: the domains the caller has a role on, the
        disabled ones too (as in Keystone)."""
        with self.session() as session:
            caller = self.authenticate(session, request)
            self.authorize(caller, 'identity:get_auth_domains')
            refs = effective.domains_for_user(session, caller.user_id)
        return api.json_response(resources.collection(
            request, self.interface, 'domains', refs, path='auth/domains'))

    def get_auth_system(self, request):
        """GET /auth/system: ``[{"all": true}]`` if the caller may scope
        to the system (a role there, directly or through a group)."""
        with self.session() as session:
            caller = self.authenticate(session, request)
            self.authorize(caller, 'identity:get_auth_system')
            granted = effective.role_ids_on_system(session, caller.user_id)
        return api.json_response({
            'system': [{'all': True}] if granted else [],
            'links': {'self': resources.v3_url(request, self.interface,
                                               'auth/system')}})

    def _subject(self, session, request, action, allow_expired=False):
        """Return the valid ``X-Subject-Token`` the caller may act on.

        401 for a bad caller token, then 404 for a bad subject, then 403,
        in Keystone's order. ``allow_expired`` (validation only, as
        Keystone's ``?allow_expired``) accepts a subject that expired within
        ``[token] allow_expired_window``.
        """
        caller = self.authenticate(session, request)
        token_id = request.headers.get(context.SUBJECT_HEADER)
        if not token_id:
            raise provider.TokenNotFound('No token in the request')
        subject = self.backends.tokens.validate(
            session, token_id, allow_expired=allow_expired)
        delegation.check_rules_support(request, subject)
        self.authorize(caller, action,
                       {'token': {'user_id': subject.user_id}})
        return subject

    def _identify(self, auth, session=None):
        """Return ``(user, parent token or None, application credential or
        None)`` the methods agree on; the token method validates in
        ``session`` if given, else in a session of its own."""
        parent = user = credential = None
        if auth.token_id is not None:
            parent = self._token_identity(auth.token_id, session)
            user = parent.user
        identities = []
        if auth.app_cred is not None:
            identities.append(auth_app_creds.authenticate(
                self.backends, auth.app_cred, AuthFailed))
        if auth.user is not None:
            identities.append((self._password_identity(auth), None))
        for other, found in identities:
            if user is not None and user['id'] != other['id']:
                raise AuthFailed('the methods name different users')
            user, credential = other, found or credential
        return user, parent, credential

    def _token_identity(self, token_id, session=None):
        """Return the valid Token ``token_id``; 404 as Keystone answers."""
        try:
            if session is not None:
                parent = self.backends.tokens.validate(session, token_id)
            else:
                with self.session() as own:
                    parent = self.backends.tokens.validate(own, token_id)
        except provider.TokenNotFound:
            LOG.info('Authentication failed for the token method: the token '
                     'is invalid, expired or revoked')
            raise
        if parent.payload.trust_id is not None:
            # As Keystone: a trust token is never exchanged, even for a
            # token of the same trust (that would dodge remaining_uses).
            raise exceptions.Forbidden(
                'You are not authorized to perform the requested action: '
                'Using trust-scoped token to create another token. Create a '
                'new trust-scoped token instead.')
        delegation.refuse_rescoping(parent)
        if (parent.payload.scope is not None
                and not self.backends.conf.token.allow_rescope_scoped_token):
            raise exceptions.Forbidden(
                'You are not authorized to perform the requested action: '
                'rescope a scoped token.')
        return parent

    def _password_identity(self, auth):
        """Return the user the password method authenticates, or AuthFailed.

        Exactly one verification runs whatever the outcome.
        """
        user, stored = check_password(self.backends, auth.user, auth.password,
                                      client=auth.client)
        if passwords.needs_rehash(stored, self.backends.conf):
            self._rehash(user['id'], stored, auth.password)
        return user

    def _rehash(self, user_id, stored, password):
        """Store a hash made with the current options, if still current."""
        fresh = passwords.hash_password(password, self.backends.conf)
        with self.session() as session:
            # The password may have changed while we were hashing.
            if users.get_password_hash(session, user_id) == stored:
                users.rehash_password(session, user_id, fresh)
                LOG.info('Re-hashed the password of user %s with the '
                         'configured algorithm', user_id)


def _with_catalog(request):
    return 'nocatalog' not in request.GET


def check_password(backends, ref, password, client=None,
                   allow_expired=False):
    """Return ``(user, stored hash)`` if ``password`` is the user's.

    ``ref`` names the user as the password method does (id, or name and
    domain). Raise AuthFailed for an unknown user, a wrong or missing
    password, or a disabled user or domain, after exactly one password
    verification whatever went wrong, with no transaction open meanwhile
    -- except for a locked-out user, refused (as Keystone) before any
    hashing. An expired password fails unless ``allow_expired`` (a
    password change). The verification is charged to the user name and
    ``client`` (its address): see :func:`fair_hashing`.
    """
    rules = compliance.from_conf(backends.conf)
    # Admitted (or refused with 429) before any database work: a flood
    # over the cap costs the service no more than parsing its requests.
    with fair_hashing(backends.conf, ref, client):
        with backends.database.session() as session:
            user, domain, stored, facts = _find_user(session, ref)
        if facts is not None and compliance.is_locked(rules, facts,
                                                      models.utcnow()):
            raise AuthFailed('the account is locked out',
                             compliance.locked_error(user['id']).message)
        if stored is None or password is None:
            passwords.dummy_verify(password or '', backends.conf)
            raise AuthFailed('unknown user' if user is None
                             else 'no password given or set')
        matched = passwords.verify_password(password, stored)
    if not matched:
        if rules.lockout_failure_attempts:
            with backends.database.session() as session:
                users.record_failure(session, user['id'])
        raise AuthFailed('wrong password')
    if not (user['enabled'] and domain['enabled']):
        raise AuthFailed('the user or its domain is disabled')
    if compliance.is_expired(facts, models.utcnow()):
        if not allow_expired:
            raise AuthFailed('the password has expired',
                             compliance.expired_error(user['id']).message)
        return user, stored
    with backends.database.session() as session:
        users.record_success(session, user['id'], facts)
    return user, stored


def fair_hashing(conf, ref, client):
    """Charge the hashing done within to the user name and ``client``.

    Each may keep only ``[identity] max_queued_hashes_per_user`` /
    ``_per_address`` verifications admitted; one more is 429 (after
    ``hash_refusal_delay``) before any database work, and the hashing
    slots are shared between user names by fair queuing.
    """
    name = ref.get('name')
    if name:
        domain = ref.get('domain') or {}
        account = ('user', domain.get('id'), domain.get('name'), name)
    else:
        account = ('user', ref.get('id'))
    limits = [(account, conf.identity.max_queued_hashes_per_user)]
    if client:
        limits.append((('address', client),
                       conf.identity.max_queued_hashes_per_address))
    return offload.keyed(limits, conf.identity.hash_refusal_delay)


def _find_user(session, ref):
    """Return ``(user, user's domain, password hash, LoginFacts)``; Nones
    if unknown.

    As in Keystone, a name (with its domain) wins over an id.
    """
    try:
        if ref.get('name'):
            domain = _lookup_domain(session, ref['domain'])
            user = users.get_user_by_name(session, ref['name'], domain['id'])
        else:
            user = users.get_user(session, ref['id'])
            domain = domains.get_domain(session, user['domain_id'])
    except exceptions.NotFound:
        return None, None, None, None
    return (user, domain, users.get_password_hash(session, user['id']),
            users.login_facts(session, user['id']))


def _lookup_domain(session, ref):
    if ref.get('name'):
        return domains.get_domain_by_name(session, ref['name'])
    return domains.get_domain(session, ref['id'])


def _scope_ids(session, scope, user):
    """Return the scope asked for as ``TokenProvider.issue`` keywords.

    Unknown projects and domains are 401 like a scope without a role, so
    the answer tells nothing about what exists. The provider checks that
    the scope exists (so an id is passed on unread), is enabled and that
    the user has a role on it.
    """
    if scope is None:
        project_id = _default_project(session, user)
        return {'project_id': project_id} if project_id else {}
    kind, ref = scope
    try:
        if kind == 'project':
            if not ref.get('name'):
                return {'project_id': ref['id']}
            domain = _lookup_domain(session, ref['domain'])
            project = projects.get_project_by_name(
                session, ref['name'], domain['id'])
            return {'project_id': project['id']}
        if kind == 'domain':
            if not ref.get('name'):
                return {'domain_id': ref['id']}
            return {'domain_id': _lookup_domain(session, ref)['id']}
    except exceptions.NotFound:
        raise exceptions.Unauthorized() from None
    if kind == 'system':
        return {'system': formats.SYSTEM_ALL}
    if kind == 'unscoped':
        return {}
    # OS-TRUST:trust: the provider scopes the token to the trust's project.
    return {'trust_id': ref['id']}


def _default_project(session, user):
    """Return the user's default project id if it can scope a token.

    Keystone scopes a request without a scope to the default project when
    it exists, is enabled and the user has a role there; else the token
    is unscoped.
    """
    project_id = user.get('default_project_id')
    if not project_id:
        return None
    try:
        project = projects.get_project(session, project_id)
        domain = domains.get_domain(session, project['domain_id'])
    except exceptions.NotFound:
        return None
    if not (project['enabled'] and domain['enabled']):
        return None
    if not effective.role_ids_on_project(session, user['id'], project_id,
                                         project['domain_id']):
        return None
    return project_id


def _describe_scope(scope):
    if scope is None:
        return 'the default project'
    kind, ref = scope
    return '%s %r' % (kind, ref)
