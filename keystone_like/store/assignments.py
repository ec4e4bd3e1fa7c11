"""Role assignments: a role granted to a user on a project or a domain.

Listings use Keystone's ``role_assignments`` entry shape::

    {'role': {'id'}, 'user': {'id'}, 'scope': {'project': {'id'}}}
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles

USER_PROJECT = models.USER_PROJECT
USER_DOMAIN = models.USER_DOMAIN
_SCOPE = {USER_PROJECT: 'project', USER_DOMAIN: 'domain'}
_TARGETS = {USER_PROJECT: (models.Project, 'project'),
            USER_DOMAIN: (models.Domain, 'domain')}
_INSERTS = {'postgresql': pg_dialect.insert, 'sqlite': sqlite_dialect.insert}


def to_dict(row):
    """Return an Assignment row as a role_assignments entry."""
    return _entry(row.type, row.actor_id, row.target_id, row.role_id)


def _entry(assignment_type, actor_id, target_id, role_id):
    return {'role': {'id': role_id}, 'user': {'id': actor_id},
            'scope': {_SCOPE[assignment_type]: {'id': target_id}}}


def _check_type(assignment_type):
    if assignment_type not in _TARGETS:
        raise exceptions.ValidationError(
            'Invalid assignment type %r; expected one of %s.'
            % (assignment_type, ', '.join(models.ASSIGNMENT_TYPES)))


def _key(assignment_type, actor_id, target_id, role_id):
    return {'type': assignment_type, 'actor_id': actor_id,
            'target_id': target_id, 'role_id': role_id}


def grant(session, assignment_type, actor_id, target_id, role_id):
    """Grant ``role_id`` to user ``actor_id`` on the target; idempotent.

    Raises NotFound for an unknown user, project, domain or role.
    """
    _check_type(assignment_type)
    common.get_row(session, models.User, actor_id, 'user')
    model, kind = _TARGETS[assignment_type]
    common.get_row(session, model, target_id, kind)
    common.get_row(session, models.Role, role_id, 'role')
    values = _key(assignment_type, actor_id, target_id, role_id)
    insert = _INSERTS.get(session.get_bind().dialect.name)
    if insert is not None:
        # Two concurrent grants of the same role both succeed.
        session.execute(insert(models.Assignment).values(**values)
                        .on_conflict_do_nothing())
    elif session.get(models.Assignment, tuple(values.values())) is None:
        common.add(session, models.Assignment(**values),
                   exceptions.Conflict())
    return _entry(assignment_type, actor_id, target_id, role_id)


def _not_found(actor_id, target_id, role_id):
    return exceptions.NotFound(
        'Could not find role assignment with role: %s, user or group: %s, '
        'project, domain, or system: %s.' % (role_id, actor_id, target_id))


def check_grant(session, assignment_type, actor_id, target_id, role_id):
    """Return the assignment entry, or raise NotFound if it is not granted."""
    _check_type(assignment_type)
    row = session.get(models.Assignment,
                      (assignment_type, actor_id, target_id, role_id))
    if row is None:
        raise _not_found(actor_id, target_id, role_id)
    return to_dict(row)


def revoke_grant(session, assignment_type, actor_id, target_id, role_id):
    """Remove a grant; raise NotFound if it does not exist."""
    _check_type(assignment_type)
    row = session.get(models.Assignment,
                      (assignment_type, actor_id, target_id, role_id))
    if row is None:
        raise _not_found(actor_id, target_id, role_id)
    session.delete(row)
    session.flush()


def list_assignments(session, user_id=None, project_id=None, domain_id=None,
                     role_id=None):
    """Return role_assignments entries matching every filter given."""
    if project_id is not None and domain_id is not None:
        raise exceptions.ValidationError(
            'Specify a project or a domain scope, not both.')
    table = models.Assignment
    query = sa.select(table).order_by(table.type, table.actor_id,
                                      table.target_id, table.role_id)
    if user_id is not None:
        query = query.where(table.actor_id == user_id)
    if project_id is not None:
        query = query.where(table.type == USER_PROJECT,
                            table.target_id == project_id)
    if domain_id is not None:
        query = query.where(table.type == USER_DOMAIN,
                            table.target_id == domain_id)
    if role_id is not None:
        query = query.where(table.role_id == role_id)
    return [to_dict(row) for row in session.scalars(query)]


def _roles_for(session, assignment_type, user_id, target_id):
    query = (sa.select(models.Role).join(
        models.Assignment, models.Assignment.role_id == models.Role.id)
        .where(models.Assignment.type == assignment_type,
               models.Assignment.actor_id == user_id,
               models.Assignment.target_id == target_id)
        .order_by(models.Role.name))
    return [roles.to_dict(row) for row in session.scalars(query)]


def roles_for_user_on_project(session, user_id, project_id):
    """Return the role dicts granted to the user on the project, by name."""
    return _roles_for(session, USER_PROJECT, user_id, project_id)


def roles_for_user_on_domain(session, user_id, domain_id):
    """Return the role dicts granted to the user on the domain, by name."""
    return _roles_for(session, USER_DOMAIN, user_id, domain_id)


def _targets_of(user_id, assignment_type):
    return (sa.select(models.Assignment.target_id)
            .where(models.Assignment.type == assignment_type,
                   models.Assignment.actor_id == user_id))


def projects_for_user(session, user_id, enabled=None):
    """Return projects where the user has a role, by name.

    ``enabled=True`` keeps only enabled projects of enabled domains (what
    ``GET /v3/auth/projects`` shows).
    """
    query = (sa.select(models.Project)
             .where(models.Project.id.in_(_targets_of(user_id, USER_PROJECT)))
             .order_by(models.Project.name, models.Project.id))
    if enabled:
        query = query.join(models.Domain).where(
            models.Project.enabled.is_(True), models.Domain.enabled.is_(True))
    return [projects.to_dict(row) for row in session.scalars(query)]


def domains_for_user(session, user_id, enabled=None):
    """Return domains where the user has a role, by name (``enabled`` too)."""
    query = (sa.select(models.Domain)
             .where(models.Domain.id.in_(_targets_of(user_id, USER_DOMAIN)))
             .order_by(models.Domain.name))
    if enabled:
        query = query.where(models.Domain.enabled.is_(True))
    return [domains.to_dict(row) for row in session.scalars(query)]
