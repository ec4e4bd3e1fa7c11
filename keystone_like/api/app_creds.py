"""``/v3/users/{user_id}/application_credentials``: a user's own secrets
for one project, as Keystone 30 serves them (self-service: both
listeners, even without management).

The secret is generated (or given), returned once in the create response
and stored only as a hash made like a password hash: off the hub and with
no database transaction open. It never appears in a log or in any later
response. A new credential's project is the one of the creator's token
and its roles a subset of the token's (all of them by default), implied
roles added; a token of a restricted credential cannot create or delete
credentials. For one credential, policy reads the credential's owner as
``user_id``, not the path's (Keystone's guard against reading another
user's credential through one's own path).
"""

import base64
import datetime
import secrets

from keystone_like import api
from keystone_like.api import delegation
from keystone_like.api import resources
from keystone_like.api.schemas import app_creds as schema
from keystone_like import exceptions
from keystone_like.identity import passwords
from keystone_like.store import access_rules
from keystone_like.store import app_creds
from keystone_like.store import effective
from keystone_like.store import roles
from keystone_like.token import formats

MEMBER = 'application_credential'
COLLECTION = 'application_credentials'
SECRET_BYTES = 64
_CREATE = 'identity:create_application_credential'
_TAIL = (' The server could not comply with the request since it is either '
         'malformed or otherwise incorrect. The client is assumed to be in '
         'error.')
BAD_TIMESTAMP = 'Timestamp not in expected format.' + _TAIL
PAST_EXPIRY = "The 'expires_at' must not be before now." + _TAIL
UNASSIGNED_ROLE = ('Invalid application credential: Cannot create an '
                   'application credential with unassigned role')


def generate_secret():
    """Return a new secret: 64 random bytes, url-safe base64, unpadded."""
    raw = secrets.token_bytes(SECRET_BYTES)
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


def parse_expiry(text, now=None):
    """Return ``expires_at`` as an aware UTC datetime (None stays None).

    A date and a time, as Keystone takes it (no offset means UTC); 400
    for anything else or a time already past.
    """
    if text is None:
        return None
    try:
        if 'T' not in text:
            raise ValueError('a date without a time')
        value = formats.parse_time(text)
    except ValueError:
        raise exceptions.ValidationError(BAD_TIMESTAMP) from None
    if value <= (now or datetime.datetime.now(datetime.timezone.utc)):
        raise exceptions.ValidationError(PAST_EXPIRY)
    return value


def render(request, interface, ref):
    """Return a credential as Keystone shows it (its ``links.self`` is
    Keystone's ``/v3/application_credentials/{id}``)."""
    ref = dict(ref)
    if ref['expires_at'] is not None:
        ref['expires_at'] = ref['expires_at'].strftime('%Y-%m-%dT%H:%M:%S.%f')
    return resources.entity(request, interface, COLLECTION, ref)


def requested_role_ids(session, token, requested):
    """Return the ids of the roles a new credential of ``token`` gets.

    Without ``requested``, every role of the token; else the roles named
    (by id, or by the name of a global role) and the roles they imply,
    all of which the token must hold (400 otherwise, as in Keystone).
    """
    held = {role['id'] for role in token.roles}
    if not requested:
        return held
    wanted = set()
    for ref in requested:
        if 'id' in ref:
            wanted.add(ref['id'])
            continue
        try:
            wanted.add(roles.get_role_by_name(session, ref['name'])['id'])
        except exceptions.NotFound:
            raise exceptions.NotFound(
                'Role %s is not defined' % ref['name']) from None
    implications = roles.implications(session)
    pending = list(wanted)
    while pending:
        for implied in implications.get(pending.pop(), ()):
            if implied not in wanted:
                wanted.add(implied)
                pending.append(implied)
    if not wanted <= held:
        raise exceptions.ValidationError(UNASSIGNED_ROLE)
    return wanted


class ApplicationCredentialResource:
    """Handlers of a user's application credentials."""

    public_routes = (
        ('POST', '/users/{user_id}/application_credentials',
         'create_application_credential'),
        ('GET', '/users/{user_id}/application_credentials',
         'list_application_credentials'),
        ('GET', '/users/{user_id}/application_credentials/'
         '{application_credential_id}', 'get_application_credential'),
        ('DELETE', '/users/{user_id}/application_credentials/'
         '{application_credential_id}', 'delete_application_credential'),
    )
    management_routes = ()

    def create_application_credential(self, request, user_id):
        """POST: 201 with the credential and, this once, its secret."""
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.CREATE)[MEMBER]
            self.authorize(token, _CREATE, user_id=user_id)
            delegation.check_app_cred_management(token, changes=True)
            if token.user_id != user_id:
                raise delegation.forbidden_action(
                    'Cannot create an application credential for another '
                    'user.')
            if token.project_id is None:
                # What scope enforcement answers; Keystone without it
                # would store a credential for no project.
                raise delegation.forbidden_action(_CREATE)
            ref, role_ids = self._new_credential(session, token, body)
        secret = body.get('secret') or generate_secret()
        secret_hash = self._hash(secret)
        with self.session() as session:
            # The user may have lost a role while we were hashing.
            held = effective.role_ids_on_project(
                session, user_id, token.project_id,
                token.scope_domain['id'])
            if not role_ids <= held:
                raise exceptions.ValidationError(UNASSIGNED_ROLE)
            created = app_creds.create(session, ref, secret_hash, role_ids,
                                       body.get('access_rules') or ())
        created['secret'] = secret
        return api.json_response(
            {MEMBER: render(request, self.interface, created)}, status=201)

    def _new_credential(self, session, token, body):
        """Return ``(columns, role ids)`` of a valid new credential."""
        limit = self.backends.conf.application_credential.user_limit
        if 0 <= limit <= app_creds.count_for_user(session, token.user_id):
            raise exceptions.Forbidden(
                'Unable to create additional application credentials, '
                'maximum of %d already exceeded for user.' % limit)
        if app_creds.name_taken(session, token.user_id, body['name']):
            raise app_creds.duplicate(body['name'])
        access_rules.check(session, token.user_id,
                           body.get('access_rules') or ())
        ref = {'name': body['name'], 'user_id': token.user_id,
               'project_id': token.project_id,
               'description': body.get('description'),
               'expires_at': parse_expiry(body.get('expires_at')),
               'unrestricted': body.get('unrestricted'),
               'system': body.get('system')}
        return ref, requested_role_ids(session, token, body.get('roles'))

    def _hash(self, secret):
        """Hash a secret as passwords are hashed (no transaction open)."""
        try:
            passwords.check_length(secret, self.backends.conf)
        except exceptions.ValidationError:
            raise exceptions.ValidationError(
                'Invalid application credential: the secret is longer than '
                'the maximum of %d bytes.'
                % self.backends.conf.identity.max_password_length) from None
        return passwords.hash_password(secret, self.backends.conf)

    def list_application_credentials(self, request, user_id):
        """GET: the user's credentials (``?name=``), without secrets."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_application_credentials',
                           user_id=user_id)
            delegation.check_app_cred_management(token)
            refs = app_creds.list_for_user(
                session, user_id, name=resources.query(request, 'name'))
        self_url = resources.v3_url(request, self.interface,
                                    'users/%s/%s' % (user_id, COLLECTION))
        if request.query_string:
            self_url += '?' + request.query_string
        return api.json_response({
            COLLECTION: [render(request, self.interface, ref)
                         for ref in refs],
            'links': {'self': self_url, 'previous': None, 'next': None}})

    def _one(self, session, request, action, user_id, cred_id, changes):
        """Authorize ``action`` on one credential; return it (or 404).

        Policy sees the credential's owner as ``user_id`` when it exists,
        the path's otherwise, as in Keystone.
        """
        token = self.authenticate(session, request)
        try:
            ref = app_creds.get(session, cred_id)
            owner = ref['user_id']
        except exceptions.NotFound:
            ref, owner = None, user_id
        self.authorize(token, action, {'user_id': owner}, user_id=owner)
        delegation.check_app_cred_management(token, changes=changes)
        if ref is None:
            raise app_creds.not_found(cred_id)
        return ref

    def get_application_credential(self, request, user_id,
                                   application_credential_id):
        """GET (and HEAD): one credential, without its secret."""
        with self.session() as session:
            ref = self._one(session, request,
                            'identity:get_application_credential', user_id,
                            application_credential_id, changes=False)
        return api.json_response(
            {MEMBER: render(request, self.interface, ref)})

    def delete_application_credential(self, request, user_id,
                                      application_credential_id):
        """DELETE: 204; the credential's tokens stop validating at once."""
        with self.session() as session:
            self._one(session, request,
                      'identity:delete_application_credential', user_id,
                      application_credential_id, changes=True)
            app_creds.delete(session, application_credential_id)
        return resources.no_content()
