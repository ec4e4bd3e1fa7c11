"""EC2 credentials (``OS-EC2``) and ``POST /v3/ec2tokens``.

``/v3/users/{user_id}/credentials/OS-EC2`` makes a user an access key and
secret for one project (stored as an ``ec2`` credential, encrypted at
rest), lists them, shows or deletes one by access key. As in Keystone the
owner sees the secret again in GET (EC2 clients fetch it there); nothing
else returns or logs it.

A service that received a request signed with such a key (AWS signature
version 2 or 4) asks ``/v3/ec2tokens``, with its own token, for a token of
the key's user on the key's project: 200 with ``X-Subject-Token``, as
Keystone answers. That token carries the ``ec2credential`` method: other
services accept it, this one refuses it (403) for anything but being
validated, and it cannot be exchanged for another token.
"""

import datetime
import json
import logging
import secrets

from keystone_like import api
from keystone_like.api import context
from keystone_like.api import credentials as credential_api
from keystone_like.api import resources
from keystone_like.api.schemas import credentials as schema
from keystone_like.credential import ec2_signature
from keystone_like import exceptions
from keystone_like.store import credentials
from keystone_like.store import projects
from keystone_like.store import users
from keystone_like.token import delegation

LOG = logging.getLogger(__name__)
_COLLECTION = '/users/{user_id}/credentials/OS-EC2'
_MEMBER = _COLLECTION + '/{credential_id}'
# Delegations an EC2 blob may name; tokens for them are not issued here.
_DELEGATIONS = ('trust_id', 'app_cred_id', 'access_token_id')
# The body of POST /ec2tokens is checked by hand, in Keystone's words.
ANY_OBJECT = {'type': ['object', 'null']}


def _blob(ref):
    try:
        loaded = json.loads(ref['blob'])
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def ec2_view(ref):
    """Return an ``ec2`` credential as OS-EC2 shows it."""
    blob = _blob(ref)
    return {'user_id': ref['user_id'], 'tenant_id': ref['project_id'],
            'access': blob.get('access'), 'secret': blob.get('secret'),
            'trust_id': blob.get('trust_id')}


class Ec2CredentialResource:
    """Handlers of a user's OS-EC2 credentials and of ``/v3/ec2tokens``."""

    public_routes = (
        ('POST', _COLLECTION, 'create_ec2_credential'),
        ('GET', _COLLECTION, 'list_ec2_credentials'),
        ('GET', _MEMBER, 'get_ec2_credential'),
        ('DELETE', _MEMBER, 'delete_ec2_credential'),
        ('POST', '/ec2tokens', 'issue_ec2_token'),
    )
    management_routes = ()

    def _ec2_entity(self, request, ref):
        view = ec2_view(ref)
        view['links'] = {'self': resources.v3_url(
            request, self.interface, 'users/%s/credentials/OS-EC2/%s'
            % (view['user_id'], view['access']))}
        return view

    def create_ec2_credential(self, request, user_id):
        """POST: 201 with a new access key and secret for ``tenant_id``."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:ec2_create_credential',
                           {'credential': {'user_id': user_id}},
                           user_id=user_id)
            users.get_user(session, user_id)
            body = resources.json_body(request, schema.EC2_CREATE) or {}
            project_id = body.get('tenant_id')
            if project_id is None:
                raise exceptions.NotFound('Could not find project: None.')
            projects.get_project(session, project_id)
            credential_api.require_primary_auth(token)
            # 128 random bits each, in the 32 hex digits Keystone uses.
            blob = {'access': secrets.token_hex(16),
                    'secret': secrets.token_hex(16), 'trust_id': None}
            ref = credentials.create_credential(
                session, self.backends.credential_keys.get(),
                {'id': credential_api.hash_access_key(blob['access']),
                 'user_id': user_id, 'project_id': project_id,
                 'type': credential_api.EC2, 'blob': json.dumps(blob)},
                user_limit=self.backends.conf.credential.user_limit)
        return api.json_response(
            {'credential': self._ec2_entity(request, ref)}, status=201)

    def list_ec2_credentials(self, request, user_id):
        """GET: the user's EC2 credentials, secrets included (as Keystone)."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:ec2_list_credentials',
                           user_id=user_id)
            credential_api.require_primary_auth(token)
            users.get_user(session, user_id)
            refs = credentials.list_credentials(
                session, self.backends.credential_keys.get(),
                user_id=user_id, type=credential_api.EC2)
        document = resources.collection(
            request, self.interface, 'credentials', [],
            path='users/%s/credentials/OS-EC2' % user_id)
        document['credentials'] = [self._ec2_entity(request, ref)
                                   for ref in refs]
        return api.json_response(document)

    def _ec2_existing(self, session, request, action, user_id,
                      credential_id):
        """Return the EC2 credential of access key ``credential_id``.

        As Keystone: an unknown key is 404 before policy, an unknown user
        404 after it, a credential of another type 401.
        """
        token = self.authenticate(session, request)
        keyring = self.backends.credential_keys.get()
        ref = credentials.get_credential(
            session, keyring, credential_api.hash_access_key(credential_id))
        self.authorize(token, action,
                       {'credential': credential_api.without_blob(ref)},
                       user_id=user_id, credential_id=credential_id)
        users.get_user(session, user_id)
        if ref['type'] != credential_api.EC2:
            raise exceptions.Unauthorized()
        credential_api.require_primary_auth(token)
        return ref

    def get_ec2_credential(self, request, user_id, credential_id):
        """GET by access key."""
        with self.session() as session:
            ref = self._ec2_existing(
                session, request, 'identity:ec2_get_credential', user_id,
                credential_id)
        return api.json_response(
            {'credential': self._ec2_entity(request, ref)})

    def delete_ec2_credential(self, request, user_id, credential_id):
        """DELETE by access key: 204."""
        with self.session() as session:
            ref = self._ec2_existing(
                session, request, 'identity:ec2_delete_credential', user_id,
                credential_id)
            credentials.delete_credential(session, ref['id'])
        return resources.no_content()

    def issue_ec2_token(self, request):
        """POST /v3/ec2tokens: a token for a correctly signed request."""
        with self.session() as session:
            caller = self.authenticate(session, request)
            self.authorize(caller, 'identity:ec2tokens_validate')
        signed = _signed_request(request)
        with self.session() as session:
            ref = _ec2_credential(session, self.backends, signed['access'])
            _check(ref, signed, self.backends.conf.credential.auth_ttl)
            try:
                token = self.backends.tokens.issue(
                    session, ref['user_id'], [delegation.EC2_METHOD],
                    project_id=ref['project_id'])
            except exceptions.Unauthorized:
                _refuse(ref, 'the user or project is disabled, or the user '
                             'has no role on the project')
            document = self.backends.tokens.body(session, token)
        return api.json_response(
            document, headers=[(context.SUBJECT_HEADER, token.id)])


def _signed_request(request):
    """Return the signed request a service forwards; 400 or 401 if bad."""
    body = resources.json_body(request, ANY_OBJECT)
    if not body:
        raise exceptions.ValidationError(
            'request must include a request body')
    # Keystone accepts any of these names for it.
    signed = (body.get('credentials') or body.get('credential')
              or body.get('ec2Credentials') or {})
    if not isinstance(signed, dict) or not isinstance(
            signed.get('access'), str):
        LOG.info('EC2 token refused: no access key in the request')
        raise exceptions.Unauthorized()
    return signed


def _ec2_credential(session, backends, access):
    """Return the EC2 credential of ``access``; 404 as Keystone answers."""
    try:
        ref = credentials.get_credential(
            session, backends.credential_keys.get(),
            credential_api.hash_access_key(access))
    except exceptions.NotFound:
        ref = None
    if ref is None or ref['type'] != credential_api.EC2:
        raise exceptions.NotFound('EC2 access key not found.')
    return ref


def _check(ref, signed, auth_ttl):
    """401 unless the signature, its time and the credential are good."""
    blob = _blob(ref)
    try:
        ec2_signature.verify(str(blob.get('secret') or ''), signed)
    except ec2_signature.SignatureError as exc:
        _refuse(ref, str(exc))
    try:
        signed_at = ec2_signature.timestamp(signed)
    except ValueError:
        _refuse(ref, 'the signing time is not a valid time')
    if signed_at is not None:
        window = datetime.timedelta(minutes=auth_ttl)
        now = datetime.datetime.now(datetime.timezone.utc)
        # Keystone refuses old signatures only; AWS (and we) refuse
        # signatures dated too far ahead too, so none outlives the window.
        if not now - window <= signed_at <= now + window:
            _refuse(ref, 'signed at %s, outside [credential] auth_ttl = %d '
                         'minutes' % (signed_at.isoformat(), auth_ttl))
    bound = [key for key in _DELEGATIONS if blob.get(key)]
    if bound:
        _refuse(ref, 'the credential is bound to a delegation (%s)'
                % ', '.join(bound))


def _refuse(ref, reason):
    # The credential id (a hash of the access key): never the secret.
    LOG.info('EC2 token refused for credential %s: %s', ref['id'], reason)
    raise exceptions.Unauthorized()
