"""Role grants as stored: a role given to a user or a group on a project, a
domain or the system, optionally inherited to the projects below.

A grant is a :class:`Grant`; listings return Keystone's assignment dicts,
the shape :mod:`keystone_like.store.effective` expands and the API
formats::

    {'role_id', 'user_id' | 'group_id',
     'project_id' | 'domain_id' | 'system': 'all',
     'inherited_to_projects': bool}
"""

import dataclasses

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import roles

SYSTEM_ALL = 'all'
_ACTORS = {'user': models.User, 'group': models.Group}
_TARGETS = {'project': models.Project, 'domain': models.Domain,
            'system': None}
_INSERTS = {'postgresql': pg_dialect.insert, 'sqlite': sqlite_dialect.insert}


@dataclasses.dataclass(frozen=True)
class Grant:
    """One grant: who (actor), where (target), which role, inherited?"""

    actor_kind: str     # 'user' or 'group'
    actor_id: str
    target_kind: str    # 'project', 'domain' or 'system'
    target_id: str      # ignored for the system
    role_id: str
    inherited: bool = False

    def __post_init__(self):
        if self.actor_kind not in _ACTORS:
            raise ValueError('actor_kind must be user or group')
        if self.target_kind not in _TARGETS:
            raise ValueError('target_kind must be project, domain or system')
        if self.target_kind == 'system':
            object.__setattr__(self, 'target_id', models.SYSTEM_TARGET)
            if self.inherited:
                raise exceptions.ValidationError(
                    'System role assignments cannot be inherited.')

    @property
    def type(self):
        """The stored assignment type, e.g. ``GroupProject``."""
        return models.assignment_type(self.actor_kind, self.target_kind)

    def key(self):
        """The row's primary key, in column order."""
        return (self.type, self.actor_id, self.target_id, self.role_id,
                self.inherited)


def to_dict(row):
    """Return an Assignment row as an assignment dict."""
    actor_kind, target_kind = models.ASSIGNMENT_KINDS[row.type]
    entry = {'role_id': row.role_id, actor_kind + '_id': row.actor_id,
             'inherited_to_projects': bool(row.inherited)}
    if target_kind == 'system':
        entry['system'] = SYSTEM_ALL
    else:
        entry[target_kind + '_id'] = row.target_id
    return entry


def _check_parts(session, grant):
    """Raise NotFound for an unknown actor, target or role; return the
    role and target rows (the target None for the system)."""
    role = common.get_row(session, models.Role, grant.role_id, 'role')
    common.get_row(session, _ACTORS[grant.actor_kind], grant.actor_id,
                   grant.actor_kind)
    model = _TARGETS[grant.target_kind]
    if model is None:
        return role, None
    return role, common.get_row(session, model, grant.target_id,
                                grant.target_kind)


def create_grant(session, grant):
    """Store ``grant``; idempotent. NotFound if any part is unknown. A
    domain-specific role is 403 on a project of another domain and 400 on
    the system, as in Keystone."""
    role, target = _check_parts(session, grant)
    if grant.target_kind == 'system' and role.domain_id is not None:
        raise exceptions.ValidationError(
            'Role %s is a domain-specific role. Unable to use a '
            'domain-specific role in a system assignment.' % grant.role_id)
    if grant.target_kind == 'project' and role.domain_id not in (
            None, target.domain_id):
        raise exceptions.Forbidden(
            'Project %s must be in the same domain as the role %s being '
            'assigned.' % (grant.target_id, grant.role_id))
    values = dict(zip(('type', 'actor_id', 'target_id', 'role_id',
                       'inherited'), grant.key()))
    insert = _INSERTS.get(session.get_bind().dialect.name)
    if insert is not None:
        # Two concurrent grants of the same role both succeed.
        session.execute(insert(models.Assignment).values(**values)
                        .on_conflict_do_nothing())
    elif session.get(models.Assignment, grant.key()) is None:
        common.add(session, models.Assignment(**values),
                   exceptions.Conflict())


def _not_found(grant):
    return exceptions.NotFound(
        'Could not find role assignment with role: %s, user or group: %s, '
        'project, domain, or system: %s.'
        % (grant.role_id, grant.actor_id, grant.target_id))


def check_grant(session, grant):
    """Return the granted role dict; NotFound if not granted (or unknown)."""
    role = roles.get_role(session, grant.role_id)
    if session.get(models.Assignment, grant.key()) is None:
        _check_parts(session, grant)
        raise _not_found(grant)
    return role


def delete_grant(session, grant):
    """Remove ``grant``; NotFound if it does not exist."""
    roles.get_role(session, grant.role_id)
    row = session.get(models.Assignment, grant.key())
    if row is None:
        _check_parts(session, grant)
        raise _not_found(grant)
    session.delete(row)
    session.flush()


def list_granted_roles(session, actor_kind, actor_id, target_kind,
                       target_id=None, inherited=False):
    """Return the role dicts granted to one actor on one target, by name.

    NotFound if the actor or the target does not exist.
    """
    common.get_row(session, _ACTORS[actor_kind], actor_id, actor_kind)
    if _TARGETS[target_kind] is not None:
        common.get_row(session, _TARGETS[target_kind], target_id,
                       target_kind)
    grant = Grant(actor_kind, actor_id, target_kind, target_id or '',
                  '', inherited)
    table = models.Assignment
    query = (sa.select(models.Role)
             .join(table, table.role_id == models.Role.id)
             .where(table.type == grant.type, table.actor_id == actor_id,
                    table.target_id == grant.target_id,
                    table.inherited == bool(inherited))
             .order_by(models.Role.name, models.Role.id))
    return [roles.to_dict(row) for row in session.scalars(query)]


def list_assignments(session, actor_kind=None, actor_ids=None,
                     target_kind=None, target_ids=None, role_id=None,
                     inherited=None):
    """Return assignment dicts matching every filter given.

    ``actor_ids``/``target_ids`` are lists of ids of ``actor_kind`` /
    ``target_kind``; ``inherited`` None means both kinds of grants.
    """
    table = models.Assignment
    query = sa.select(table).where(table.type.in_(
        models.assignment_types(actor_kind, target_kind)))
    if actor_ids is not None:
        query = query.where(table.actor_id.in_(list(actor_ids)))
    if target_ids is not None:
        query = query.where(table.target_id.in_(list(target_ids)))
    if role_id is not None:
        query = query.where(table.role_id == role_id)
    if inherited is not None:
        query = query.where(table.inherited == bool(inherited))
    query = query.order_by(table.type, table.actor_id, table.target_id,
                           table.role_id, table.inherited)
    return [to_dict(row) for row in session.scalars(query)]


def has_assignments(session, group_id):
    """Return True if any role is granted to group ``group_id``."""
    table = models.Assignment
    return session.scalar(sa.select(table.role_id).where(
        table.type.in_(models.assignment_types('group')),
        table.actor_id == group_id).limit(1)) is not None
