"""Domains: ``{'id', 'name', 'description', 'enabled', 'tags', 'options'}``.

Deleting a domain needs it disabled first (Keystone's rule) and removes its
projects, users, groups, domain-specific roles and every role assignment
on or of them.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import options as resource_options
from keystone_like.store import paging
from keystone_like.store import projects as project_store
from keystone_like.store import roles
from keystone_like.store import tags as domain_tags

KIND = 'domain'
COLUMNS = ('id', 'name', 'description', 'enabled')
IMMUTABLE = {'id': 'Cannot change domain ID.'}
_OWN = {'tags', 'options'}
ENABLED_DELETE_MESSAGE = ('Cannot delete a domain that is enabled, please '
                          'disable it first.')


def to_dict(row):
    """Return a Domain row in API shape."""
    result = common.render(row, COLUMNS)
    result['tags'] = domain_tags.names(row)
    result['options'] = dict(row.options or {})
    return result


def create_domain(session, ref):
    """Create a domain from an API body (``id`` optional); return it."""
    common.require(ref, 'name')
    core, extra = common.split(ref, COLUMNS, immutable=_OWN)
    _check_name_free(session, core['name'])
    row = common.build(models.Domain, core, extra)
    row.options = {}
    project_store.apply_tags_and_options(row, ref, KIND)
    if row.id is not None and session.get(models.Domain, row.id):
        raise common.conflict(KIND, 'Duplicate ID, %s.' % row.id)
    common.add(session, row, common.duplicate_name(KIND, core['name']))
    return to_dict(row)


def get_domain(session, domain_id):
    """Return the domain ``domain_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Domain, domain_id, KIND))


def get_domain_by_name(session, name):
    """Return the domain called ``name`` or raise NotFound."""
    row = session.scalars(sa.select(models.Domain).where(
        models.Domain.name == name)).first()
    if row is None:
        raise common.not_found(KIND, name)
    return to_dict(row)


def list_domains(session, name=None, enabled=None, ids=None, page=None,
                 tags=None):
    """Return the domains matching the given filters, by name."""
    query = domain_tags.apply_filters(
        sa.select(models.Domain).order_by(models.Domain.name),
        models.Domain, tags or {})
    if ids is not None:
        query = query.where(models.Domain.id.in_(list(ids)))
    if name is not None:
        query = query.where(models.Domain.name == name)
    if enabled is not None:
        query = query.where(models.Domain.enabled == enabled)
    query = paging.apply(session, query, models.Domain, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_domain(session, domain_id, ref):
    """Change the given attributes of a domain; return it."""
    row = common.get_row(session, models.Domain, domain_id, KIND)
    resource_options.check_update(row.options, ref, KIND, domain_id)
    common.check_unchanged(ref, {'id': row.id}, IMMUTABLE)
    core, extra = common.split(ref, COLUMNS, immutable={'id'} | _OWN)
    if 'name' in core and core['name'] != row.name:
        _check_name_free(session, core['name'])
    project_store.apply_tags_and_options(row, ref, KIND)
    common.apply(row, core, extra)
    common.flush(session, common.duplicate_name(KIND, row.name))
    return to_dict(row)


def delete_domain(session, domain_id):
    """Delete a disabled domain and its contents.

    Returns ``{'users': [ids], 'projects': [ids], 'group_members': [ids]}``
    (what went with it, and the members of its groups that held roles, for
    token revocation as Keystone's group deletion does); raises Forbidden
    while the domain is enabled.
    """
    row = common.get_row(session, models.Domain, domain_id, KIND)
    resource_options.check_delete(row.options, KIND, domain_id)
    if row.enabled:
        raise exceptions.Forbidden(ENABLED_DELETE_MESSAGE)
    _check_no_immutable_project(session, domain_id)
    users = sa.select(models.User.id).where(
        models.User.domain_id == domain_id)
    groups = sa.select(models.Group.id).where(
        models.Group.domain_id == domain_id)
    projects = sa.select(models.Project.id).where(
        models.Project.domain_id == domain_id)
    user_ids = list(session.scalars(users))
    project_ids = list(session.scalars(projects))
    group_members = _members_of_groups_with_roles(session, groups)
    common.delete_assignments(session, user_ids=users, group_ids=groups,
                              project_ids=projects, domain_ids=[domain_id])
    session.execute(sa.delete(models.Membership).where(sa.or_(
        models.Membership.user_id.in_(users),
        models.Membership.group_id.in_(groups))))
    roles.delete_domain_roles(session, domain_id)
    for model in (models.User, models.Group):
        session.execute(sa.delete(model).where(model.domain_id == domain_id))
    # One statement: the parent_id foreign key is checked once, at its end.
    session.execute(sa.delete(models.Project).where(
        models.Project.domain_id == domain_id))
    session.delete(row)
    session.flush()
    return {'users': user_ids, 'projects': project_ids,
            'group_members': group_members}


def _members_of_groups_with_roles(session, group_ids):
    """Return the ids of the members of those groups that hold a role."""
    table = models.Assignment
    holding = sa.select(table.actor_id).where(
        table.type.in_(models.assignment_types('group')),
        table.actor_id.in_(group_ids))
    return sorted(set(session.scalars(sa.select(
        models.Membership.user_id).where(
            models.Membership.group_id.in_(holding)))))


def _check_no_immutable_project(session, domain_id):
    """Refuse (403) to delete a domain holding an immutable project."""
    for project_id, options in session.execute(sa.select(
            models.Project.id, models.Project.options).where(
                models.Project.domain_id == domain_id)):
        resource_options.check_delete(options, project_store.KIND,
                                      project_id)


def _check_name_free(session, name):
    exists = session.scalar(sa.select(models.Domain.id).where(
        models.Domain.name == name))
    if exists is not None:
        raise common.duplicate_name(KIND, name)
