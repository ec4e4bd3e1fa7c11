"""Unified limits: registered (default) limits and project/domain limits.

A registered limit: ``{'id', 'service_id', 'region_id', 'resource_name',
'default_limit', 'description'}``, one per (service, region, resource).
A limit overrides it for one project or one domain: ``{'id',
'project_id', 'domain_id', 'resource_limit', 'description', 'service_id',
'region_id', 'resource_name'}`` (the last three are its registered
limit's). A limit needs its registered limit (403 otherwise, as in
Keystone); a registered limit with limits cannot change or go (403).
Limits go with their project, domain, service or region.

``model`` (``flat`` or ``strict_two_level``) checks new and changed limits
against the project tree: see :mod:`.limit_models`.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import limit_models
from keystone_like.store import paging

REGISTERED_COLUMNS = ('id', 'service_id', 'region_id', 'resource_name',
                      'default_limit', 'description')
_REFERENCED = ('Unable to update or delete registered limit %s because there '
               'are project limits associated with it.')
_NO_REFERENCE = ('Unable to create a limit that has no corresponding '
                 'registered limit.')


def _duplicate(kind):
    return common.conflict(kind, 'Duplicate entry.')


def registered_to_dict(row):
    """Return a RegisteredLimit row in API shape."""
    return {column: getattr(row, column) for column in REGISTERED_COLUMNS}


def limit_to_dict(row, registered):
    """Return a Limit row (with its RegisteredLimit row) in API shape."""
    return {'id': row.id, 'project_id': row.project_id,
            'domain_id': row.domain_id, 'resource_limit': row.resource_limit,
            'description': row.description,
            'service_id': registered.service_id,
            'region_id': registered.region_id,
            'resource_name': registered.resource_name}


def _check_exists(session, ref, kind, names):
    """400 ("Expecting to find <name> in <kind>") for a missing reference;
    a ``project_id`` naming a domain becomes ``domain_id``."""
    found = {'service_id': models.Service, 'region_id': models.Region,
             'project_id': models.Project, 'domain_id': models.Domain}
    if ref.get('project_id') is not None and session.get(
            models.Project, ref['project_id']) is None and session.get(
            models.Domain, ref['project_id']) is not None:
        ref['domain_id'] = ref.pop('project_id')
    for name in names:
        if ref.get(name) is not None and session.get(
                found[name], ref[name]) is None:
            raise exceptions.expecting(name, kind)
    return ref


def _find_registered(session, service_id, region_id, resource_name):
    table = models.RegisteredLimit
    region = (table.region_id.is_(None) if region_id is None
              else table.region_id == region_id)
    return session.scalars(sa.select(table).where(
        table.service_id == service_id, region,
        table.resource_name == resource_name)).first()


# Registered limits.

def create_registered_limits(session, refs):
    """Create every registered limit of ``refs`` (all or none)."""
    created = []
    for ref in refs:
        ref = _check_exists(session, dict(ref), 'registered_limit',
                            ('service_id', 'region_id'))
        if _find_registered(session, ref['service_id'], ref.get('region_id'),
                            ref['resource_name']) is not None:
            raise _duplicate('registered_limit')
        row = models.RegisteredLimit(**{
            column: ref.get(column) for column in REGISTERED_COLUMNS
            if column != 'id'})
        created.append(common.add(session, row,
                                  _duplicate('registered_limit')))
    return [registered_to_dict(row) for row in created]


def get_registered_limit(session, registered_limit_id):
    """Return the registered limit or NotFound."""
    return registered_to_dict(_registered_row(session, registered_limit_id))


def _registered_row(session, registered_limit_id):
    row = session.get(models.RegisteredLimit, registered_limit_id)
    if row is None:
        raise exceptions.NotFound('Could not find registered limit for %s.'
                                  % registered_limit_id)
    return row


def list_registered_limits(session, page=None, **filters):
    """Return the registered limits matching ``service_id``, ``region_id``
    and ``resource_name`` (those given)."""
    table = models.RegisteredLimit
    query = sa.select(table).order_by(table.id)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(table, name) == value)
    query = paging.apply(session, query, table, page)
    return [registered_to_dict(row) for row in session.scalars(query)]


def _check_unreferenced(session, row):
    if session.scalar(sa.select(models.Limit.id).where(
            models.Limit.registered_limit_id == row.id).limit(1)):
        raise exceptions.Forbidden(_REFERENCED % row.id)


def update_registered_limit(session, registered_limit_id, changes):
    """Change a registered limit that no limit uses yet; return it."""
    row = _registered_row(session, registered_limit_id)
    _check_unreferenced(session, row)
    changes = _check_exists(session, dict(changes), 'registered_limit',
                            ('service_id', 'region_id'))
    merged = dict(registered_to_dict(row), **changes)
    if set(changes) & {'service_id', 'region_id', 'resource_name'}:
        other = _find_registered(session, merged['service_id'],
                                 merged['region_id'],
                                 merged['resource_name'])
        if other is not None and other.id != row.id:
            raise _duplicate('registered_limit')
    for column in REGISTERED_COLUMNS[1:]:
        setattr(row, column, merged[column])
    common.flush(session, _duplicate('registered_limit'))
    return registered_to_dict(row)


def delete_registered_limit(session, registered_limit_id):
    """Delete a registered limit that no limit uses."""
    row = _registered_row(session, registered_limit_id)
    _check_unreferenced(session, row)
    session.delete(row)
    session.flush()


# Limits of projects and domains.

def _limits_query():
    return (sa.select(models.Limit, models.RegisteredLimit)
            .join(models.RegisteredLimit, models.Limit.registered_limit_id
                  == models.RegisteredLimit.id))


def create_limits(session, refs, model=limit_models.FLAT):
    """Create every limit of ``refs`` (all or none); return them."""
    refs = [_check_exists(session, dict(ref), 'limit',
                          ('service_id', 'region_id', 'project_id',
                           'domain_id')) for ref in refs]
    limit_models.check(session, model, refs)
    created = []
    for ref in refs:
        registered = _find_registered(session, ref['service_id'],
                                      ref.get('region_id'),
                                      ref['resource_name'])
        if registered is None:
            raise exceptions.Forbidden(_NO_REFERENCE)
        owner = ('project_id' if ref.get('project_id') is not None
                 else 'domain_id')
        if session.scalar(sa.select(models.Limit.id).where(
                models.Limit.registered_limit_id == registered.id,
                getattr(models.Limit, owner) == ref[owner])):
            raise _duplicate('limit')
        row = models.Limit(registered_limit_id=registered.id,
                           project_id=ref.get('project_id'),
                           domain_id=ref.get('domain_id'),
                           resource_limit=ref['resource_limit'],
                           description=ref.get('description'))
        common.add(session, row, _duplicate('limit'))
        created.append(limit_to_dict(row, registered))
    return created


def _limit_rows(session, limit_id):
    found = session.execute(_limits_query().where(
        models.Limit.id == limit_id)).first()
    if found is None:
        raise exceptions.NotFound('Could not find limit for %s.' % limit_id)
    return found


def get_limit(session, limit_id):
    """Return the limit or NotFound."""
    return limit_to_dict(*_limit_rows(session, limit_id))


def list_limits(session, page=None, project_ids=None, **filters):
    """Return the limits matching the filters given (``service_id``,
    ``region_id``, ``resource_name``, ``project_id``, ``domain_id``);
    ``project_ids`` keeps those of these projects."""
    query = _limits_query().order_by(models.Limit.id)
    for name, value in filters.items():
        if value is None:
            continue
        table = (models.Limit if name in ('project_id', 'domain_id')
                 else models.RegisteredLimit)
        query = query.where(getattr(table, name) == value)
    if project_ids is not None:
        query = query.where(models.Limit.project_id.in_(project_ids))
    query = paging.apply(session, query, models.Limit, page)
    return [limit_to_dict(row, registered)
            for row, registered in session.execute(query)]


def update_limit(session, limit_id, changes, model=limit_models.FLAT):
    """Change ``resource_limit`` and/or ``description``; return the limit.

    Unlike Keystone 30, a limit of 0 and an empty or null description are
    stored too.
    """
    row, registered = _limit_rows(session, limit_id)
    merged = dict(limit_to_dict(row, registered), **changes)
    limit_models.check(session, model, [merged])
    for name in ('resource_limit', 'description'):
        if name in changes:
            setattr(row, name, changes[name])
    session.flush()
    return limit_to_dict(row, registered)


def delete_limit(session, limit_id):
    """Delete a limit."""
    row, _registered = _limit_rows(session, limit_id)
    session.delete(row)
    session.flush()
