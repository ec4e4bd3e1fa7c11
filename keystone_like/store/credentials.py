"""Credentials, in Keystone's shape::

    {'id', 'user_id', 'project_id', 'type', 'blob', **extra}

The blob is encrypted at rest: every function takes the credential
:class:`~keystone_like.credential.crypto.Keyring` and stores the blob as a
Fernet token of its primary key with that key's hash. Other attributes a
client sends are kept in ``extra`` as Keystone keeps them. A credential
belongs to an existing user (and project, if any): deleting either deletes
it (the foreign keys cascade).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common

KIND = 'credential'
COLUMNS = ('id', 'user_id', 'project_id', 'type')
# Never kept in extra: the blob is encrypted apart, the others are ours.
_NOT_EXTRA = {'blob', 'encrypted_blob', 'key_hash'}


class LimitExceeded(exceptions.Forbidden):
    """The user already holds ``[credential] user_limit`` credentials."""


def to_dict(row, keyring):
    """Return a Credential row in API shape, its blob decrypted."""
    result = common.render(row, COLUMNS)
    result['blob'] = keyring.decrypt(row.encrypted_blob, row.id)
    return result


def create_credential(session, keyring, ref, user_limit=-1):
    """Store a credential (``ref`` has its id); return it.

    An unknown user or project is 400, a second credential with the same
    id (an EC2 access key used twice) 409, one credential more than
    ``user_limit`` (unless -1) 403.
    """
    common.require(ref, 'id', 'user_id', 'type', 'blob')
    for model, key, kind in ((models.User, 'user_id', 'user'),
                             (models.Project, 'project_id', 'project')):
        if ref.get(key) is not None and session.get(model, ref[key]) is None:
            raise exceptions.ValidationError(
                'Could not find %s: %s.' % (kind, ref[key]))
    if user_limit >= 0 and _count(session, ref['user_id']) >= user_limit:
        raise LimitExceeded(
            'Unable to create additional credentials, maximum of %d already '
            'exceeded for user.' % user_limit)
    duplicate = common.conflict(
        KIND, 'Duplicate entry found with ID %s.' % ref['id'])
    if session.get(models.Credential, ref['id']) is not None:
        raise duplicate
    core, extra = common.split(ref, COLUMNS, immutable=_NOT_EXTRA)
    encrypted, key_hash = keyring.encrypt(ref['blob'])
    row = common.build(models.Credential, core, extra)
    row.encrypted_blob, row.key_hash = encrypted, key_hash
    common.add(session, row, duplicate)
    result = common.render(row, COLUMNS)
    result['blob'] = ref['blob']
    return result


def _count(session, user_id):
    return session.scalar(sa.select(sa.func.count()).where(
        models.Credential.user_id == user_id))


def get_credential(session, keyring, credential_id):
    """Return the credential ``credential_id`` or raise NotFound."""
    return to_dict(_row(session, credential_id), keyring)


def _row(session, credential_id):
    return common.get_row(session, models.Credential, credential_id, KIND)


def list_credentials(session, keyring, user_id=None, type=None):
    """Return the credentials matching every filter given, by id."""
    table = models.Credential
    query = sa.select(table).order_by(table.id)
    if user_id is not None:
        query = query.where(table.user_id == user_id)
    if type is not None:
        query = query.where(table.type == type)
    return [to_dict(row, keyring) for row in session.scalars(query)]


def update_blob(session, keyring, credential_id, blob):
    """Replace a credential's blob (encrypted with the primary key)."""
    row = _row(session, credential_id)
    row.encrypted_blob, row.key_hash = keyring.encrypt(blob)
    session.flush()
    result = common.render(row, COLUMNS)
    result['blob'] = blob
    return result


def delete_credential(session, credential_id):
    """Delete a credential; NotFound if there is none."""
    session.delete(_row(session, credential_id))
    session.flush()


def count_by_key_hash(session):
    """Return ``{key hash: number of credentials encrypted with it}``."""
    table = models.Credential
    return {key_hash: number for key_hash, number in session.execute(
        sa.select(table.key_hash, sa.func.count()).group_by(table.key_hash))}


def reencrypt_stale(session, keyring, batch=100):
    """Encrypt every blob not under the primary key with it; return how many.

    Works in batches of ``batch`` rows so a large table is never held in
    memory at once; the caller commits.
    """
    table = models.Credential
    done = 0
    while True:
        rows = session.scalars(
            sa.select(table).where(table.key_hash != keyring.primary_hash)
            .order_by(table.id).limit(batch)).all()
        if not rows:
            return done
        for row in rows:
            blob = keyring.decrypt(row.encrypted_blob, row.id)
            row.encrypted_blob, row.key_hash = keyring.encrypt(blob)
        session.flush()
        done += len(rows)
