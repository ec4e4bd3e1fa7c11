"""Token revocation events, shared by every worker and node via the database.

An event revokes every token issued at or before ``issued_before`` that
matches all of its non-null fields (audit id, user, project, domain, role),
as Keystone's revocation events do. Event dicts::

    {'id', 'audit_id', 'user_id', 'project_id', 'domain_id', 'role_id',
     'issued_before', 'revoked_at'}

Datetimes come back timezone-aware in UTC; naive datetimes given to these
functions are taken as UTC.

Events are pruned as new ones are added: one whose ``issued_before`` lies
further back than the session's retention (``[token] expiration`` +
``allow_expired_window`` + ``[revoke] expiration_buffer``) can only match
tokens that no longer validate, so deleting it opens no window.
"""

import datetime

import sqlalchemy as sa

from keystone_like.common import metrics
from keystone_like import db
from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common

FIELDS = ('audit_id', 'user_id', 'project_id', 'domain_id', 'role_id')


def to_dict(row):
    """Return a RevocationEvent row as a dict with aware UTC datetimes."""
    result = {'id': row.id}
    result.update((field, getattr(row, field)) for field in FIELDS)
    result['issued_before'] = common.to_api_time(row.issued_before)
    result['revoked_at'] = common.to_api_time(row.revoked_at)
    return result


def add_event(session, audit_id=None, user_id=None, project_id=None,
              domain_id=None, role_id=None, issued_before=None,
              revoked_at=None):
    """Record an event (``issued_before``/``revoked_at`` default to now)."""
    selectors = {'audit_id': audit_id, 'user_id': user_id,
                 'project_id': project_id, 'domain_id': domain_id,
                 'role_id': role_id}
    if all(value is None for value in selectors.values()):
        # An event without a selector would revoke every token.
        raise exceptions.ValidationError(
            'A revocation event needs at least one of %s.'
            % ', '.join(FIELDS))
    now = models.utcnow()
    row = models.RevocationEvent(
        issued_before=common.to_storage_time(issued_before) or now,
        revoked_at=common.to_storage_time(revoked_at) or now, **selectors)
    session.add(row)
    session.flush()
    metrics.revocation_recorded(
        name for name, value in selectors.items() if value is not None)
    retention = session.info.get(db.REVOCATION_RETENTION)
    if retention is not None:
        prune(session, now - datetime.timedelta(seconds=retention))
    return to_dict(row)


def prune(session, horizon):
    """Delete the events of tokens issued before ``horizon``; return how
    many went.

    Only events no live token can match may go, so this changes no
    token's meaning and does not move the revision (validators' in-memory
    copies drop them by the same rule).
    """
    table = models.RevocationEvent
    horizon = common.to_storage_time(horizon)
    # revoked_at (indexed) is never before issued_before for events made
    # here, so it narrows the scan without keeping any event longer.
    result = session.execute(
        sa.delete(table).where(table.revoked_at < horizon,
                               table.issued_before < horizon),
        execution_options={'quiet_revision': True,
                           'synchronize_session': False})
    return result.rowcount


def events_after(session, after, upto):
    """Return the events of revisions in ``(after, upto]``, oldest first."""
    table = models.RevocationEvent
    rows = session.scalars(
        sa.select(table).where(table.revision > after,
                               table.revision <= upto)
        .order_by(table.revision, table.id))
    return [to_dict(row) for row in rows]


def is_revoked(session, issued_at, attributes):
    """Return True if an event revokes a token issued at ``issued_at``.

    ``attributes`` maps each field to the token's values of it: its audit
    chain, its user (and a trust token's trustor, as Keystone matches
    both), its project, every domain it relates to (the user's, the
    project's, the scope's) and its roles. An event matches when each of
    its set fields names one of them.
    """
    table = models.RevocationEvent

    def matches(column, values):
        values = [v for v in values if v is not None]
        if not values:
            return column.is_(None)
        return sa.or_(column.is_(None), column.in_(values))

    query = sa.select(table.id).where(
        table.issued_before >= common.to_storage_time(issued_at),
        *(matches(getattr(table, field), attributes.get(field, ()))
          for field in FIELDS)).limit(1)
    return session.scalar(query) is not None
