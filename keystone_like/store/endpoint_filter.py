"""Endpoint filtering (OS-EP-FILTER): which endpoints a project's catalog
holds.

An endpoint group is ``{'id', 'name', 'description', 'filters'}``; its
endpoints are those whose ``service_id``, ``region_id`` and ``interface``
equal every filter given. Endpoints reach a project one by one
(``project_endpoint``) or through groups (``project_endpoint_group``);
:func:`endpoint_ids_for_project` is the union, and when it is not empty a
project-scoped catalog holds only those endpoints (see
:mod:`keystone_like.store.catalog`). Associations go with their project,
endpoint or group.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import endpoints
from keystone_like.store import paging

FILTER_KEYS = ('service_id', 'region_id', 'interface')
GROUP_COLUMNS = ('id', 'name', 'description', 'filters')


def group_to_dict(row):
    """Return an EndpointGroup row in API shape."""
    return {column: getattr(row, column) for column in GROUP_COLUMNS}


def _group_row(session, group_id):
    return common.get_row(session, models.EndpointGroup, group_id,
                          'Endpoint Group')


def create_group(session, ref):
    """Create an endpoint group (``name``, ``filters``); return it."""
    row = models.EndpointGroup(name=ref['name'], filters=ref['filters'],
                               description=ref.get('description'))
    return group_to_dict(common.add(session, row, exceptions.Conflict()))


def get_group(session, group_id):
    """Return the endpoint group or NotFound."""
    return group_to_dict(_group_row(session, group_id))


def list_groups(session, name=None, page=None, ids=None):
    """Return the endpoint groups (called ``name``; among ``ids``)."""
    table = models.EndpointGroup
    query = sa.select(table).order_by(table.name, table.id)
    if name is not None:
        query = query.where(table.name == name)
    if ids is not None:
        query = query.where(table.id.in_(ids))
    query = paging.apply(session, query, table, page)
    return [group_to_dict(row) for row in session.scalars(query)]


def update_group(session, group_id, changes):
    """Change ``name``, ``description`` or ``filters``; return the group."""
    row = _group_row(session, group_id)
    for column in GROUP_COLUMNS[1:]:
        if column in changes:
            setattr(row, column, changes[column])
    session.flush()
    return group_to_dict(row)


def delete_group(session, group_id):
    """Delete an endpoint group (its project associations go too)."""
    session.delete(_group_row(session, group_id))
    session.flush()


def endpoints_in_group(session, group_id):
    """Return the endpoints matching the group's filters."""
    filters = _group_row(session, group_id).filters or {}
    return [endpoint for endpoint in endpoints.list_endpoints(session)
            if all(endpoint.get(key) == value
                   for key, value in filters.items())]


# Endpoints and groups of projects.

def _association(session, model, key, kind, message):
    row = session.get(model, key)
    if row is None and kind is None:
        raise exceptions.NotFound(message)
    if row is not None and kind is not None:
        raise common.conflict(kind, 'Duplicate entry.')
    return row


def add_endpoint(session, project_id, endpoint_id):
    """Put an endpoint in a project's catalog (409 if it already is)."""
    _association(session, models.ProjectEndpoint, (endpoint_id, project_id),
                 'project_endpoint', None)
    common.add(session, models.ProjectEndpoint(
        endpoint_id=endpoint_id, project_id=project_id),
        common.conflict('project_endpoint', 'Duplicate entry.'))


def _endpoint_association(session, project_id, endpoint_id):
    return _association(
        session, models.ProjectEndpoint, (endpoint_id, project_id), None,
        'Endpoint %s not found in project %s' % (endpoint_id, project_id))


def check_endpoint(session, project_id, endpoint_id):
    """NotFound unless the endpoint is associated with the project."""
    _endpoint_association(session, project_id, endpoint_id)


def remove_endpoint(session, project_id, endpoint_id):
    """Remove an endpoint from a project's catalog (NotFound if absent)."""
    session.delete(_endpoint_association(session, project_id, endpoint_id))
    session.flush()


def project_ids_for_endpoint(session, endpoint_id):
    """Return the ids of the projects the endpoint is associated with."""
    table = models.ProjectEndpoint
    return list(session.scalars(sa.select(table.project_id).where(
        table.endpoint_id == endpoint_id).order_by(table.project_id)))


def add_group(session, group_id, project_id):
    """Put a group's endpoints in a project's catalog (409 if they are)."""
    _association(session, models.ProjectEndpointGroup,
                 (group_id, project_id), 'project_endpoint_group', None)
    common.add(session, models.ProjectEndpointGroup(
        endpoint_group_id=group_id, project_id=project_id),
        common.conflict('project_endpoint_group', 'Duplicate entry.'))


def get_group_association(session, group_id, project_id):
    """Return ``{'endpoint_group_id', 'project_id'}`` or NotFound."""
    row = _association(session, models.ProjectEndpointGroup,
                       (group_id, project_id), None,
                       'Endpoint Group Project Association not found')
    return {'endpoint_group_id': row.endpoint_group_id,
            'project_id': row.project_id}


def remove_group(session, group_id, project_id):
    """Take a group's endpoints out of a project's catalog."""
    get_group_association(session, group_id, project_id)
    session.delete(session.get(models.ProjectEndpointGroup,
                               (group_id, project_id)))
    session.flush()


def group_ids_for_project(session, project_id):
    """Return the ids of the endpoint groups of a project."""
    table = models.ProjectEndpointGroup
    return list(session.scalars(sa.select(table.endpoint_group_id).where(
        table.project_id == project_id)))


def project_ids_for_group(session, group_id):
    """Return the ids of the projects a group is associated with."""
    table = models.ProjectEndpointGroup
    return list(session.scalars(sa.select(table.project_id).where(
        table.endpoint_group_id == group_id).order_by(table.project_id)))


def endpoint_ids_for_project(session, project_id):
    """Return the ids of every endpoint associated with the project,
    directly or through its endpoint groups."""
    table = models.ProjectEndpoint
    ids = set(session.scalars(sa.select(table.endpoint_id).where(
        table.project_id == project_id)))
    for group_id in group_ids_for_project(session, project_id):
        ids.update(e['id'] for e in endpoints_in_group(session, group_id))
    return ids
