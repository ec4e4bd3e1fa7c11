"""Trusts (OS-TRUST) as stored, in this shape::

    {'id', 'trustor_user_id', 'trustee_user_id', 'project_id',
     'impersonation', 'expires_at', 'remaining_uses', 'redelegated_trust_id',
     'redelegation_count', 'role_ids', **extra}

``expires_at`` is an aware UTC datetime (whole seconds) or None. The rules
a new trust must follow are checked by the caller
(:mod:`keystone_like.trust.rules`); this module only stores, finds, counts
down and deletes. A trust is deleted for good (Keystone marks it deleted);
deleting a trust deletes the trusts redelegated from it, and deleting its
trustor, trustee or project deletes it, through the database's cascades.
"""

import datetime

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common

KIND = 'trust'
COLUMNS = ('id', 'trustor_user_id', 'trustee_user_id', 'project_id',
           'impersonation', 'expires_at', 'remaining_uses',
           'redelegated_trust_id', 'redelegation_count')
# Keys of a request body that are never stored in ``extra``.
_NOT_EXTRA = frozenset({'roles', 'roles_links', 'allow_redelegation',
                        'deleted_at'})


class UsesExhausted(exceptions.Unauthorized):
    """The trust has no remaining uses left (a token cannot be issued)."""


def not_found(trust_id):
    """Return Keystone's 404 for a trust."""
    return common.not_found(KIND, trust_id)


def to_dict(row, role_ids):
    """Return a Trust row in store shape."""
    result = dict(row.extra or {})
    for column in COLUMNS:
        result[column] = getattr(row, column)
    result['expires_at'] = common.to_api_time(row.expires_at)
    result['role_ids'] = list(role_ids)
    return result


def create_trust(session, ref, role_ids):
    """Store a trust from ``ref`` delegating ``role_ids``; return it.

    409 for a duplicate (same trustor, trustee, project, impersonation and
    expiry time).
    """
    core, extra = common.split(ref, COLUMNS, immutable=_NOT_EXTRA)
    core['id'] = models.new_id()
    core['expires_at'] = common.to_storage_time(core.get('expires_at'))
    duplicate = common.conflict(KIND, 'Duplicate entry.')
    row = common.add(session, common.build(models.Trust, core, extra),
                     duplicate)
    for role_id in dict.fromkeys(role_ids):
        session.add(models.TrustRole(trust_id=row.id, role_id=role_id))
    common.flush(session, duplicate)
    return to_dict(row, dict.fromkeys(role_ids))


def _role_ids(session, trust_id):
    table = models.TrustRole
    return list(session.scalars(sa.select(table.role_id).where(
        table.trust_id == trust_id).order_by(table.role_id)))


def is_usable(trust, now=None):
    """Return False for an expired trust or one with no uses left."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if trust['expires_at'] is not None and trust['expires_at'] <= now:
        return False
    return trust['remaining_uses'] is None or trust['remaining_uses'] > 0


def get_trust(session, trust_id, usable=True):
    """Return the trust ``trust_id``; NotFound if there is none.

    With ``usable`` (as Keystone's look-ups) an expired trust, or one
    whose uses are all consumed, is not found either.
    """
    row = session.get(models.Trust, trust_id) if trust_id else None
    if row is None:
        raise not_found(trust_id)
    trust = to_dict(row, _role_ids(session, trust_id))
    if usable and not is_usable(trust):
        raise not_found(trust_id)
    return trust


def list_trusts(session, trustor_user_id=None, trustee_user_id=None):
    """Return the trusts matching both filters given (without roles)."""
    table = models.Trust
    query = sa.select(table).order_by(table.id)
    if trustor_user_id is not None:
        query = query.where(table.trustor_user_id == trustor_user_id)
    if trustee_user_id is not None:
        query = query.where(table.trustee_user_id == trustee_user_id)
    return [to_dict(row, ()) for row in session.scalars(query)]


def delete_trust(session, trust_id):
    """Delete a trust and, through the cascade, those redelegated from it.

    Returns the ids of every trust deleted.
    """
    row = common.get_row(session, models.Trust, trust_id, KIND)
    deleted = [trust_id] + descendant_ids(session, trust_id)
    session.delete(row)
    session.flush()
    return deleted


def descendant_ids(session, trust_id):
    """Return the ids of the trusts redelegated from ``trust_id``, deeply."""
    table = models.Trust
    found, pending = [], [trust_id]
    while pending:
        children = list(session.scalars(sa.select(table.id).where(
            table.redelegated_trust_id.in_(pending))))
        found += children
        pending = children
    return found


def consume_use(session, trust_id):
    """Count one use of a limited trust down; UsesExhausted if none is left.

    One conditional UPDATE: of two concurrent requests for the last use
    the database lets exactly one decrement the row (the other waits for
    its commit, then matches nothing), so a use is never spent twice.
    """
    table = models.Trust
    result = session.execute(
        sa.update(table)
        .where(table.id == trust_id, table.remaining_uses.is_not(None),
               table.remaining_uses > 0)
        .values(remaining_uses=table.remaining_uses - 1),
        execution_options={'synchronize_session': False})
    if result.rowcount == 1:
        return
    # Nothing matched: an unlimited trust, or one used up (or deleted)
    # meanwhile.
    remaining = session.execute(sa.select(table.remaining_uses).where(
        table.id == trust_id)).first()
    if remaining is None or remaining[0] is not None:
        raise UsesExhausted()


def flush_trusts(session, before, project_id=None, trustor_user_id=None,
                 trustee_user_id=None):
    """Delete trusts that expired before ``before`` or have no uses left.

    Optionally only those of a project, trustor or trustee; returns how
    many trusts were deleted (counting those redelegated from them).
    """
    table = models.Trust
    query = sa.select(table.id).where(sa.or_(
        table.expires_at < common.to_storage_time(before),
        table.remaining_uses <= 0))
    for column, value in ((table.project_id, project_id),
                          (table.trustor_user_id, trustor_user_id),
                          (table.trustee_user_id, trustee_user_id)):
        if value is not None:
            query = query.where(column == value)
    deleted = set()
    for trust_id in list(session.scalars(query)):
        if trust_id not in deleted:
            deleted.update(delete_trust(session, trust_id))
    return len(deleted)
