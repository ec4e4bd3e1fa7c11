"""What an application credential makes of a token, read at validation.

A token obtained with an application credential names it (the payload's
``app_cred_id``). At every validation the credential must still exist
(it goes with its user, its project and any role it names), be unexpired,
belong to the token's user and project, and the token carries only the
credential's roles that the user still holds on the project — Keystone's
rule: losing a role takes it out of the credential's tokens at once,
and losing every one of them invalidates them.
"""

import datetime

from keystone_like import exceptions
from keystone_like.store import app_creds


def restrict(session, payload, role_ids, error):
    """Return ``(credential, role ids)`` for an application credential
    token: its credential and the roles of ``role_ids`` (the user's on the
    project) it may use. Raise ``error`` if the credential no longer
    holds."""
    try:
        credential = app_creds.get(session, payload.app_cred_id)
    except exceptions.NotFound:
        raise error() from None
    if (credential['user_id'] != payload.user_id
            or credential['project_id'] != payload.project_id
            or is_expired(credential)):
        raise error()
    allowed = {role['id'] for role in credential['roles']}
    return credential, {role_id for role_id in role_ids if role_id in allowed}


def is_expired(credential, now=None):
    """Return whether the credential has expired (at ``now``)."""
    expires_at = credential.get('expires_at')
    if expires_at is None:
        return False
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now >= expires_at


def document(credential):
    """Return the token body's ``application_credential`` member."""
    body = {'id': credential['id'], 'name': credential['name'],
            'restricted': not credential['unrestricted']}
    if credential.get('access_rules'):
        body['access_rules'] = [dict(rule) for rule in
                                credential['access_rules']]
    return body


def access_rules(token):
    """Return the access rules the token is limited to, or None."""
    credential = getattr(token, 'application_credential', None)
    if credential is None:
        return None
    return credential.get('access_rules') or None
