"""Catalog services: ``{'id', 'type', 'name', 'description', 'enabled'}``.

As in Keystone, a service shows no ``description`` until one is given
(an explicit null shows as null). Deleting a service deletes its
endpoints.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import paging

KIND = 'service'
COLUMNS = ('id', 'type', 'name', 'description', 'enabled')
IMMUTABLE = {'id': 'Cannot change service ID.'}


def to_dict(row):
    """Return a Service row in API shape."""
    result = common.render(row, COLUMNS)
    explicit_null = 'description' in (row.extra or {})
    if result['description'] is None and not explicit_null:
        del result['description']
    return result


def _split(ref):
    core, extra = common.split(ref, COLUMNS, immutable={'id'})
    if 'description' in core and core['description'] is None:
        # Remembered so that the service shows it, as Keystone does.
        extra['description'] = None
    return core, extra


def create_service(session, ref):
    """Create a service from an API body (``type`` required); return it."""
    common.require(ref, 'type')
    core, extra = _split(ref)
    core['name'] = core.get('name') or ''
    row = common.build(models.Service, core, extra)
    return to_dict(common.add(session, row, exceptions.Conflict()))


def get_service(session, service_id):
    """Return the service ``service_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Service, service_id, KIND))


def list_services(session, type=None, name=None, enabled=None, page=None):
    """Return the services matching every filter given."""
    table = models.Service
    query = sa.select(table).order_by(table.type, table.name, table.id)
    if type is not None:
        query = query.where(table.type == type)
    if name is not None:
        query = query.where(table.name == name)
    if enabled is not None:
        query = query.where(table.enabled == enabled)
    query = paging.apply(session, query, table, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_service(session, service_id, ref):
    """Change the given attributes of a service; return it."""
    row = common.get_row(session, models.Service, service_id, KIND)
    common.check_unchanged(ref, {'id': row.id}, IMMUTABLE)
    core, extra = _split(ref)
    if 'name' in core and core['name'] is None:
        core['name'] = ''
    common.apply(row, core, extra)
    session.flush()
    return to_dict(row)


def delete_service(session, service_id):
    """Delete a service and its endpoints."""
    row = common.get_row(session, models.Service, service_id, KIND)
    session.execute(sa.delete(models.Endpoint).where(
        models.Endpoint.service_id == service_id))
    session.delete(row)
    session.flush()
