"""Limit enforcement models, as Keystone defines them.

- ``flat``: each limit stands alone; nothing is checked.
- ``strict_two_level``: the project tree is a domain and at most two
  levels of projects, and limits respect it: a project's limit may not
  exceed the limit of its parent domain (that domain's own limit, else the
  registered default; the limits of one request count too), and a
  domain's limit may not fall below a limit of one of its projects. A
  violation is 403, Keystone's message.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import hierarchy

FLAT = 'flat'
STRICT_TWO_LEVEL = 'strict_two_level'
MODELS = {
    FLAT: 'Limit enforcement and validation does not take project '
          'hierarchy into consideration.',
    STRICT_TWO_LEVEL: 'This model requires project hierarchy never exceeds '
                      'a depth of two',
}
# The deepest project (the domain not counted) each model allows, as
# Keystone's API lets them be created.
MAX_PROJECT_DEPTH = {FLAT: None, STRICT_TWO_LEVEL: 2}
_ERROR = ("Invalid resource limit: The resource limit (%s: %s, "
          "resource_name: %s, resource_limit: %s, service_id: %s, region_id: "
          "%s) doesn't satisfy current hierarchy model..")


def describe(model):
    """Return ``{'name', 'description'}`` of ``model`` (GET limits/model)."""
    return {'name': model, 'description': MODELS[model]}


def max_project_depth(model, configured):
    """Return the tree depth allowed: ``configured``, capped by the model."""
    cap = MAX_PROJECT_DEPTH[model]
    return configured if cap is None else min(configured, cap)


def too_deep(session, model):
    """Return the ids of projects deeper than ``model`` allows (Keystone
    refuses to start then), at most 10."""
    depth = MAX_PROJECT_DEPTH[model]
    if depth is None:
        return []
    chain = [orm.aliased(models.Project) for _ in range(depth + 1)]
    query = sa.select(chain[0].id)
    for child, parent in zip(chain, chain[1:]):
        query = query.join(parent, child.parent_id == parent.id)
    return list(session.scalars(query.order_by(chain[0].id).limit(10)))


def check_start(database, conf):
    """Raise SetupRequired when projects are deeper than the configured
    model allows (an unreachable database is someone else's message)."""
    model = conf.unified_limit.enforcement_model
    if MAX_PROJECT_DEPTH[model] is None:
        return  # nothing to check: no query at start-up
    try:
        with database.session() as session:
            deep = too_deep(session, model)
    except exceptions.ServiceUnavailable:
        return
    if deep:
        raise exceptions.SetupRequired(
            '[unified_limit] enforcement_model = %s allows projects at most '
            '%d levels below their domain, but project %s is deeper; use '
            'the flat model or move those projects up' % (
                model, MAX_PROJECT_DEPTH[model], ', '.join(deep)))


def check(session, model, limits):
    """Raise Forbidden if ``limits`` (new or changed) break ``model``."""
    if model != STRICT_TWO_LEVEL:
        return
    for limit in limits:
        if not _fits(session, limit, limits):
            owner = 'project_id' if limit.get('project_id') else 'domain_id'
            raise exceptions.Forbidden(_ERROR % (
                owner, limit[owner], limit['resource_name'],
                limit['resource_limit'], limit['service_id'],
                limit.get('region_id')))


def _same_resource(limit):
    return (limit['service_id'], limit.get('region_id'),
            limit['resource_name'])


def _fits(session, limit, batch):
    value = limit['resource_limit']
    if limit.get('project_id'):
        project = session.get(models.Project, limit['project_id'])
        parent_id = project.parent_id or project.domain_id
        for other in batch:
            if (other.get('domain_id') == parent_id
                    and _same_resource(other) == _same_resource(limit)):
                return value <= other['resource_limit']
        ceiling = _value(session, limit, domain_id=parent_id)
        # As in Keystone, a ceiling of 0 (or none) does not bind.
        return not ceiling or value <= ceiling
    for project_id in hierarchy.ids_in_domain(session, limit['domain_id']):
        floor = _value(session, limit, project_id=project_id)
        if floor and value < floor:
            return False
    return True


def _value(session, limit, project_id=None, domain_id=None):
    """The limit of this resource for the project or domain; for a domain
    without one, the registered default."""
    registered = models.RegisteredLimit
    service_id, region_id, resource_name = _same_resource(limit)
    region = (registered.region_id.is_(None) if region_id is None
              else registered.region_id == region_id)
    found = (registered.service_id == service_id, region,
             registered.resource_name == resource_name)
    owner = (models.Limit.project_id == project_id if project_id
             else models.Limit.domain_id == domain_id)
    value = session.scalar(sa.select(models.Limit.resource_limit).join(
        registered, models.Limit.registered_limit_id == registered.id)
        .where(owner, *found))
    if value is None and domain_id is not None:
        value = session.scalar(sa.select(registered.default_limit)
                               .where(*found))
    return value
