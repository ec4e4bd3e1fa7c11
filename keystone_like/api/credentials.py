"""Credentials: ``/v3/credentials``, blobs encrypted at rest.

As in Keystone 30: owners manage their own credentials, lists show only
what the caller may read, an ``ec2`` credential's id is the SHA-256 of its
access key (so ``/v3/ec2tokens`` finds it) and its blob a JSON object with
an ``access``, only the blob changes in place, and a delegated token (an
application credential's, an EC2 token, a trust-scoped one) may not touch
credentials at all. Blobs never reach the log.
"""

import hashlib
import json
import uuid

from keystone_like import api
from keystone_like.api import context
from keystone_like.api import resources
from keystone_like.api.schemas import credentials as schema
from keystone_like import exceptions
from keystone_like.store import credentials
from keystone_like.token import delegation

COLLECTION = 'credentials'
EC2 = 'ec2'
# Blob keys that bind an EC2 credential to a delegation; never changed.
_BOUND_KEYS = ('trust_id', 'app_cred_id', 'access_token_id', 'access_id')


def hash_access_key(access):
    """Return the id of the EC2 credential with access key ``access``."""
    return hashlib.sha256(access.encode('utf-8')).hexdigest()


def require_primary_auth(token):
    """403 for a delegated token: credentials need the user's own login."""
    if delegation.is_delegated(token.payload):
        raise exceptions.Forbidden(
            'You are not authorized to perform the requested action: '
            'Delegated tokens cannot access credentials directly.')


def ec2_blob(blob):
    """Return an EC2 blob as a dict; 400 unless an object with ``access``."""
    try:
        loaded = json.loads(blob)
    except (TypeError, ValueError):
        raise exceptions.ValidationError(
            'Invalid blob in credential') from None
    if not loaded or not isinstance(loaded, dict):
        raise exceptions.expecting('blob', 'credential')
    if not isinstance(loaded.get('access'), str):
        raise exceptions.expecting('access', 'credential')
    return loaded


def _is_ec2(ref):
    return ref.get('type', '').lower() == EC2


def without_blob(ref):
    """The policy target: what the rules read, never the secret."""
    return {key: value for key, value in ref.items() if key != 'blob'}


class CredentialResource:
    """Handlers of ``/v3/credentials``."""

    # Self-service: owners manage their own (policy decides the rest).
    management_routes = ()
    public_routes = (
        ('POST', '/credentials', 'create_credential'),
        ('GET', '/credentials', 'list_credentials'),
        ('GET', '/credentials/{credential_id}', 'get_credential'),
        ('PATCH', '/credentials/{credential_id}', 'update_credential'),
        ('DELETE', '/credentials/{credential_id}', 'delete_credential'),
    )

    def _credential_response(self, request, ref, status=200):
        return api.json_response({'credential': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def _credential_target(self, session, credential_id):
        """Keystone's target: the credential, or nothing if it is unknown
        (the caller gets 403, or 404 once authorized)."""
        try:
            ref = credentials.get_credential(
                session, self.backends.credential_keys.get(), credential_id)
        except exceptions.NotFound:
            return {}
        return {'credential': without_blob(ref)}

    def create_credential(self, request):
        """POST /v3/credentials: 201; an EC2 credential's id is its hash."""
        with self.session() as session:
            token = self.authenticate(session, request)
            ref = dict(resources.json_body(
                request, schema.CREDENTIAL_CREATE)['credential'])
            # As in Keystone, policy sees the body as sent.
            self.authorize(token, 'identity:create_credential',
                           {'credential': without_blob(ref)})
            require_primary_auth(token)
            if _is_ec2(ref):
                ref['id'] = hash_access_key(ec2_blob(ref['blob'])['access'])
            else:
                ref['id'] = uuid.uuid4().hex  # Keystone assigns ids.
            ref = credentials.create_credential(
                session, self.backends.credential_keys.get(), ref,
                user_limit=self.backends.conf.credential.user_limit)
        return self._credential_response(request, ref, status=201)

    def list_credentials(self, request):
        """GET /v3/credentials: ``?user_id= &type=``; only what the caller
        may read (``identity:get_credential`` on each), as Keystone."""
        with self.session() as session:
            token = self.authenticate(session, request)
            target = None
            if token.system is None:
                target = {'credential': {'user_id': token.user_id}}
            self.authorize(token, 'identity:list_credentials', target)
            refs = credentials.list_credentials(
                session, self.backends.credential_keys.get(),
                user_id=resources.query(request, 'user_id'),
                type=resources.query(request, 'type'))
        policy = self.backends.policy
        visible = [] if delegation.is_delegated(token.payload) else [
            ref for ref in refs if policy.allowed(
                'identity:get_credential', token.credentials(),
                context.policy_target({'credential': without_blob(ref)}))]
        return api.json_response(resources.collection(
            request, self.interface, COLLECTION, visible))

    def get_credential(self, request, credential_id):
        """GET /v3/credentials/{credential_id}."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:get_credential',
                           self._credential_target(session, credential_id))
            ref = credentials.get_credential(
                session, self.backends.credential_keys.get(), credential_id)
            require_primary_auth(token)
        return self._credential_response(request, ref)

    def update_credential(self, request, credential_id):
        """PATCH /v3/credentials/{credential_id}: the blob only."""
        with self.session() as session:
            token = self.authenticate(session, request)
            blob = resources.json_body(
                request, schema.CREDENTIAL_UPDATE)['credential']['blob']
            target = self._credential_target(session, credential_id)
            self.authorize(token, 'identity:update_credential', target)
            keyring = self.backends.credential_keys.get()
            current = credentials.get_credential(session, keyring,
                                                 credential_id)
            require_primary_auth(token)
            if _is_ec2(current):
                _check_bound_keys(current['blob'], blob)
            ref = credentials.update_blob(session, keyring, credential_id,
                                          blob)
        return self._credential_response(request, ref)

    def delete_credential(self, request, credential_id):
        """DELETE /v3/credentials/{credential_id}: 204."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:delete_credential',
                           self._credential_target(session, credential_id))
            credentials.get_credential(
                session, self.backends.credential_keys.get(), credential_id)
            require_primary_auth(token)
            credentials.delete_credential(session, credential_id)
        return resources.no_content()


def _check_bound_keys(old_blob, new_blob):
    """400 if a new EC2 blob is not an object with ``access``, or changes
    what binds the credential to a delegation (as Keystone)."""
    new = ec2_blob(new_blob)
    try:
        old = json.loads(old_blob)
    except ValueError:
        old = {}
    if not isinstance(old, dict):
        old = {}
    for key in _BOUND_KEYS:
        if old.get(key) != new.get(key):
            raise exceptions.ValidationError(
                '%s can not be updated for credential' % key)
