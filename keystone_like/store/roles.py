"""Roles: ``{'id', 'name', 'description', 'domain_id': None, 'options'}``.

Role names are global (domain-specific roles are not supported). Deleting a
role removes every assignment of it.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import paging

KIND = 'role'
COLUMNS = ('id', 'name', 'description')
DEFAULTS = {'domain_id': None, 'options': {}}
IMMUTABLE = {'id': 'Cannot change role ID.',
             'domain_id': 'Domain-specific roles are not supported.'}


def to_dict(row):
    """Return a Role row in API shape."""
    result = common.render(row, COLUMNS, DEFAULTS)
    result['domain_id'] = None
    return result


def create_role(session, ref):
    """Create a role from an API body; return it."""
    common.require(ref, 'name')
    if ref.get('domain_id') is not None:
        raise exceptions.ValidationError(IMMUTABLE['domain_id'])
    core, extra = common.split(ref, COLUMNS, immutable=set(IMMUTABLE))
    duplicate = common.duplicate_name(KIND, core['name'])
    if _find(session, core['name']) is not None:
        raise duplicate
    return to_dict(common.add(session, common.build(models.Role, core, extra),
                              duplicate))


def _find(session, name):
    return session.scalars(sa.select(models.Role).where(
        models.Role.name == name)).first()


def get_role(session, role_id):
    """Return the role ``role_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Role, role_id, KIND))


def get_role_by_name(session, name):
    """Return the role called ``name`` or raise NotFound."""
    row = _find(session, name)
    if row is None:
        raise common.not_found(KIND, name)
    return to_dict(row)


def list_roles(session, name=None, page=None):
    """Return the roles (only the one called ``name`` if given), by name."""
    query = sa.select(models.Role).order_by(models.Role.name)
    if name is not None:
        query = query.where(models.Role.name == name)
    query = paging.apply(session, query, models.Role, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_role(session, role_id, ref):
    """Change the given attributes of a role; return it."""
    row = common.get_row(session, models.Role, role_id, KIND)
    common.check_unchanged(ref, {'id': row.id, 'domain_id': None}, IMMUTABLE)
    core, extra = common.split(ref, COLUMNS, immutable=set(IMMUTABLE))
    duplicate = common.duplicate_name(KIND, core.get('name'))
    common.apply_renaming(session, row, core, extra, duplicate,
                          lambda name: _find(session, name))
    return to_dict(row)


def delete_role(session, role_id):
    """Delete a role and every assignment of it."""
    row = common.get_row(session, models.Role, role_id, KIND)
    common.delete_assignments(session, role_id=role_id)
    session.delete(row)
    session.flush()
