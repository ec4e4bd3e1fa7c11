"""One page of a list, as Keystone pages them: ordered by id, after a marker.

The API layer decides the page size (``?limit=``, ``list_limit``). The
list functions of the store modules take ``page=None``, a :class:`Page`:
without one they keep their own order and return every match; with one,
:func:`apply` orders by id and cuts.
"""

import dataclasses

import sqlalchemy as sa

from keystone_like import exceptions


@dataclasses.dataclass(frozen=True)
class Page:
    """At most ``limit`` rows (None: all) with an id after ``marker``."""

    limit: int = None
    marker: str = None


def marker_not_found(marker):
    """Return Keystone's error for a marker naming no entity (404)."""
    return exceptions.NotFound('Marker %s could not be found.' % marker)


def apply(session, query, model, page):
    """Return ``query`` limited to ``page`` and ordered by id.

    Without a page the query is returned unchanged. A marker must be the id
    of a ``model`` row (else 404, as in Keystone); the page holds the rows
    whose id sorts after it.
    """
    if page is None:
        return query
    if page.marker is not None:
        exists = session.scalar(sa.select(model.id).where(
            model.id == page.marker))
        if exists is None:
            raise marker_not_found(page.marker)
        query = query.where(model.id > page.marker)
    query = query.order_by(None).order_by(model.id)
    if page.limit is not None:
        query = query.limit(page.limit)
    return query
