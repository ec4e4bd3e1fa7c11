"""Reading revocation events back, which only the tests need to do."""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like.store import revocations


def list_events(session):
    """Return every revocation event as a dict, oldest first."""
    table = models.RevocationEvent
    query = sa.select(table).order_by(table.revoked_at, table.id)
    return [revocations.to_dict(row) for row in session.scalars(query)]
