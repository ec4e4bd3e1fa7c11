"""Endpoints, in Keystone's shape::

    {'id', 'service_id', 'region_id', 'region', 'interface', 'url',
     'enabled'}

``region`` is the deprecated alias of ``region_id`` that Keystone still
returns (and accepts on create).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import paging

KIND = 'endpoint'
COLUMNS = ('id', 'service_id', 'region_id', 'interface', 'url', 'enabled')
IMMUTABLE = {'id': 'Cannot change endpoint ID.'}


def to_dict(row):
    """Return an Endpoint row in API shape."""
    result = common.render(row, COLUMNS)
    result['region'] = row.region_id
    return result


def _validate(session, core):
    if core.get('interface', 'public') not in models.INTERFACES:
        raise exceptions.ValidationError(
            'Invalid interface %r; expected one of %s.'
            % (core['interface'], ', '.join(models.INTERFACES)))
    if 'service_id' in core and (core['service_id'] is None or session.get(
            models.Service, core['service_id']) is None):
        raise exceptions.expecting('endpoint service_id', 'service table')
    if core.get('region_id') is not None and session.get(
            models.Region, core['region_id']) is None:
        raise exceptions.expecting('endpoint region_id', 'region table')


def _split(ref, immutable=()):
    ref = dict(ref)
    region = ref.pop('region', None)
    if ref.get('region_id') is None and region is not None:
        ref['region_id'] = region
    return common.split(ref, COLUMNS, immutable=set(immutable))


def create_endpoint(session, ref):
    """Create an endpoint (service_id, interface, url required); return it."""
    common.require(ref, 'service_id', 'interface', 'url')
    core, extra = _split(ref, immutable={'id'})
    _validate(session, core)
    row = common.build(models.Endpoint, core, extra)
    return to_dict(common.add(session, row, exceptions.Conflict()))


def get_endpoint(session, endpoint_id):
    """Return the endpoint ``endpoint_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Endpoint, endpoint_id,
                                  KIND))


def list_endpoints(session, service_id=None, interface=None, region_id=None,
                   enabled=None, page=None):
    """Return the endpoints matching every filter given."""
    table = models.Endpoint
    query = sa.select(table).order_by(table.service_id, table.interface,
                                      table.id)
    for column, value in (('service_id', service_id),
                          ('interface', interface),
                          ('region_id', region_id), ('enabled', enabled)):
        if value is not None:
            query = query.where(getattr(table, column) == value)
    query = paging.apply(session, query, table, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_endpoint(session, endpoint_id, ref):
    """Change the given attributes of an endpoint; return it."""
    row = common.get_row(session, models.Endpoint, endpoint_id, KIND)
    common.check_unchanged(ref, {'id': row.id}, IMMUTABLE)
    core, extra = _split(ref, immutable=IMMUTABLE)
    _validate(session, core)
    common.apply(row, core, extra)
    session.flush()
    return to_dict(row)


def delete_endpoint(session, endpoint_id):
    """Delete an endpoint."""
    row = common.get_row(session, models.Endpoint, endpoint_id, KIND)
    session.delete(row)
    session.flush()
