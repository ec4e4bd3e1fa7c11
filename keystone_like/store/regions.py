"""Regions: ``{'id', 'description', 'parent_region_id'}`` (plus extra).

Ids are chosen by the caller (``RegionOne``) or generated. Deleting a region
deletes its sub-regions, as Keystone does; a region still used by an
endpoint is not deleted (Conflict).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import paging

KIND = 'region'
COLUMNS = ('id', 'description', 'parent_region_id')
IMMUTABLE = {'id': 'Cannot change region ID.'}


def to_dict(row):
    """Return a Region row in API shape."""
    return common.render(row, COLUMNS)


def create_region(session, ref):
    """Create a region from an API body (``id`` optional); return it."""
    core, extra = common.split(ref, COLUMNS)
    duplicate = common.conflict(KIND, 'Duplicate ID, %s.' % core.get('id'))
    if core.get('id') is not None and session.get(models.Region, core['id']):
        raise duplicate
    if core.get('parent_region_id') is not None:
        common.get_row(session, models.Region, core['parent_region_id'], KIND)
    core['description'] = core.get('description') or ''
    row = common.build(models.Region, core, extra)
    return to_dict(common.add(session, row, duplicate))


def get_region(session, region_id):
    """Return the region ``region_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Region, region_id, KIND))


def list_regions(session, parent_region_id=None, page=None):
    """Return the regions (children of ``parent_region_id`` if given)."""
    query = sa.select(models.Region).order_by(models.Region.id)
    if parent_region_id is not None:
        query = query.where(
            models.Region.parent_region_id == parent_region_id)
    query = paging.apply(session, query, models.Region, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_region(session, region_id, ref):
    """Change the given attributes of a region; return it."""
    row = common.get_row(session, models.Region, region_id, KIND)
    common.check_unchanged(ref, {'id': row.id}, IMMUTABLE)
    core, extra = common.split(ref, COLUMNS, immutable=set(IMMUTABLE))
    parent_id = core.get('parent_region_id')
    if parent_id is not None and parent_id != row.parent_region_id:
        _check_no_cycle(session, region_id, parent_id)
    if core.get('description', '') is None:
        core['description'] = ''
    common.apply(row, core, extra)
    session.flush()
    return to_dict(row)


def _check_no_cycle(session, region_id, parent_id):
    seen = set()
    current = parent_id
    while current is not None and current not in seen:
        if current == region_id:
            raise exceptions.ValidationError(
                'The specified parent region %s would create a circular '
                'region hierarchy.' % parent_id)
        seen.add(current)
        current = common.get_row(session, models.Region, current,
                                 KIND).parent_region_id


def _subtree(session, region_id):
    """Return ``region_id`` and its descendants' ids, parents first."""
    ids, frontier = [region_id], [region_id]
    while frontier:
        frontier = list(session.scalars(sa.select(models.Region.id).where(
            models.Region.parent_region_id.in_(frontier))))
        frontier = [i for i in frontier if i not in ids]
        ids.extend(frontier)
    return ids


def delete_region(session, region_id):
    """Delete a region and its sub-regions; Conflict if endpoints use them."""
    common.get_row(session, models.Region, region_id, KIND)
    ids = _subtree(session, region_id)
    used = session.scalar(sa.select(models.Endpoint.id).where(
        models.Endpoint.region_id.in_(ids)).limit(1))
    if used is not None:
        raise exceptions.Conflict(
            'Cannot delete region %s: endpoint %s is in it or in one of its '
            'sub-regions; delete or move the endpoints first.'
            % (region_id, used))
    for child_id in reversed(ids):
        session.delete(session.get(models.Region, child_id))
        session.flush()
