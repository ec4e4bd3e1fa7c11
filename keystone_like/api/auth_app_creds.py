"""The ``application_credential`` authentication method.

A credential is named by its id, or by its name and its user (id, or name
and domain); the secret is verified like a password: off the hub, with no
database transaction open, exactly once whatever went wrong (a dummy hash
stands in for an unknown credential), and re-hashed when the hashing
options changed. The user is always the credential's owner, whatever
else the request names. The token is scoped to the credential's project
and never outlives the credential.

As in Keystone, an unknown credential id is 404 (ids are random: nothing
is revealed); an unknown name, a wrong secret, an expired credential and
a disabled user or domain are 401, and a disabled project is 404 with
Keystone's message. Secrets never reach a log or an error message.
"""

import logging

from keystone_like import exceptions
from keystone_like.identity import passwords
from keystone_like.store import app_creds
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import users
from keystone_like.token import app_creds as app_cred_tokens

LOG = logging.getLogger(__name__)


def authenticate(backends, ref, failure):
    """Return ``(user, credential)`` if ``ref`` authenticates.

    ``failure(reason)`` is the 401 to raise (the reason is for the log).
    """
    conf = backends.conf
    with backends.database.session() as session:
        credential, user, domain, stored = _find(session, ref)
    secret = ref.get('secret')
    if stored is None or secret is None:
        passwords.dummy_verify(secret or '', conf)
        raise failure('unknown application credential' if stored is None
                      else 'no secret given')
    if not passwords.verify_password(secret, stored):
        raise failure('wrong secret')
    if app_cred_tokens.is_expired(credential):
        raise failure('the application credential has expired')
    if not (user['enabled'] and domain['enabled']):
        raise failure('the user or its domain is disabled')
    if passwords.needs_rehash(stored, conf):
        _rehash(backends, credential['id'], stored, secret)
    return user, credential


def _find(session, ref):
    """Return ``(credential, user, domain, secret hash)``; Nones if the
    named credential or user does not exist (404 for an unknown id)."""
    try:
        if ref.get('id'):
            credential = app_creds.get(session, ref['id'])
            user = users.get_user(session, credential['user_id'])
        else:
            user = _user(session, ref['user'])
            credential = app_creds.get_by_name(session, user['id'],
                                               ref['name'])
        domain = domains.get_domain(session, user['domain_id'])
    except exceptions.NotFound:
        if ref.get('id'):
            raise
        return None, None, None, None
    return (credential, user, domain,
            app_creds.get_secret_hash(session, credential['id']))


def _user(session, ref):
    if ref.get('id'):
        return users.get_user(session, ref['id'])
    domain_ref = ref['domain']
    if domain_ref.get('name'):
        domain = domains.get_domain_by_name(session, domain_ref['name'])
    else:
        domain = domains.get_domain(session, domain_ref['id'])
    return users.get_user_by_name(session, ref['name'], domain['id'])


def _rehash(backends, cred_id, stored, secret):
    """Store a hash made with the current options, if still current."""
    fresh = passwords.hash_password(secret, backends.conf)
    with backends.database.session() as session:
        try:
            if app_creds.get_secret_hash(session, cred_id) == stored:
                app_creds.set_secret_hash(session, cred_id, fresh)
                LOG.info('Re-hashed the secret of application credential %s '
                         'with the configured algorithm', cred_id)
        except exceptions.NotFound:
            pass  # deleted meanwhile: nothing to re-hash


def scope(session, credential):
    """Return ``TokenProvider.issue`` keywords for a token of the
    credential: its project, its id, its expiry.

    A disabled project or domain is 404 with Keystone's message.
    """
    project = projects.get_project(session, credential['project_id'])
    domain = domains.get_domain(session, project['domain_id'])
    for kind, entity in (('project', project), ('domain', domain)):
        if not entity['enabled']:
            LOG.info('Authentication with application credential %s '
                     'refused: its %s %s is disabled', credential['id'],
                     kind, entity['id'])
            raise exceptions.NotFound(
                'Unable to validate token because %s %s is disabled'
                % (kind, entity['id']))
    return {'project_id': project['id'], 'app_cred_id': credential['id'],
            'not_after': credential['expires_at']}
