"""Token revocation events, shared by every worker and node via the database.

An event revokes every token issued at or before ``issued_before`` that
matches all of its non-null fields (audit id, user, project, domain, role),
as Keystone's revocation events do. Event dicts::

    {'id', 'audit_id', 'user_id', 'project_id', 'domain_id', 'role_id',
     'issued_before', 'revoked_at'}

Datetimes come back timezone-aware in UTC; naive datetimes given to these
functions are taken as UTC.
"""

import sqlalchemy as sa

from keystone_like.common import metrics
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
    return to_dict(row)


def is_revoked(session, issued_at, audit_ids=(), user_id=None,
               project_id=None, domain_ids=(), role_ids=(), user_ids=()):
    """Return True if an event revokes a token with these attributes.

    ``domain_ids`` are every domain the token relates to (the user's, the
    project's, the scope's); ``audit_ids`` the token's audit chain;
    ``user_ids`` further users an event may name (a trust token's
    trustor, as Keystone matches its trustor and trustee).
    """
    table = models.RevocationEvent

    def matches(column, values):
        values = [v for v in values if v is not None]
        if not values:
            return column.is_(None)
        return sa.or_(column.is_(None), column.in_(values))

    query = sa.select(table.id).where(
        table.issued_before >= common.to_storage_time(issued_at),
        matches(table.audit_id, audit_ids),
        matches(table.user_id, [user_id, *user_ids]),
        matches(table.project_id, [project_id]),
        matches(table.domain_id, domain_ids),
        matches(table.role_id, role_ids)).limit(1)
    return session.scalar(query) is not None
