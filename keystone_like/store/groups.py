"""Groups and their members, in Keystone's shape::

    {'id', 'name', 'domain_id', 'description', **extra}

Roles granted to a group reach every member. Deleting a group removes its
memberships and its role assignments; the caller records the revocation.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common

KIND = 'group'
COLUMNS = ('id', 'name', 'domain_id', 'description')
# Keystone's own words (no full stop).
IMMUTABLE = {'id': 'Cannot change ID',
             'domain_id': 'Cannot change Domain ID'}


def to_dict(row):
    """Return a Group row in API shape."""
    result = common.render(row, COLUMNS)
    if result['description'] is None:
        result['description'] = ''
    return result


def create_group(session, ref):
    """Create a group from an API body; return it."""
    common.require(ref, 'name', 'domain_id')
    core, extra = common.split(ref, COLUMNS, immutable={'id'})
    common.get_row(session, models.Domain, core['domain_id'], 'domain')
    duplicate = common.duplicate_name(KIND, core['name'], core['domain_id'])
    if _find(session, core['name'], core['domain_id']) is not None:
        raise duplicate
    return to_dict(common.add(session, common.build(models.Group, core,
                                                    extra), duplicate))


def _find(session, name, domain_id):
    return session.scalars(sa.select(models.Group).where(
        models.Group.name == name,
        models.Group.domain_id == domain_id)).first()


def get_group(session, group_id):
    """Return the group ``group_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Group, group_id, KIND))


def list_groups(session, name=None, domain_id=None, user_id=None):
    """Return the groups matching every filter given, by name.

    ``user_id`` keeps the groups that user is a member of.
    """
    table = models.Group
    query = sa.select(table).order_by(table.name, table.id)
    if name is not None:
        query = query.where(table.name == name)
    if domain_id is not None:
        query = query.where(table.domain_id == domain_id)
    if user_id is not None:
        query = query.where(table.id.in_(_groups_of(user_id)))
    return [to_dict(row) for row in session.scalars(query)]


def update_group(session, group_id, ref):
    """Change the given attributes of a group; return it."""
    row = common.get_row(session, models.Group, group_id, KIND)
    common.check_unchanged(ref, {'id': row.id, 'domain_id': row.domain_id},
                           IMMUTABLE)
    core, extra = common.split(ref, COLUMNS, immutable=set(IMMUTABLE))
    duplicate = common.duplicate_name(KIND, core.get('name'), row.domain_id)
    common.apply_renaming(session, row, core, extra, duplicate,
                          lambda name: _find(session, name, row.domain_id))
    return to_dict(row)


def delete_group(session, group_id):
    """Delete a group, its memberships and its assignments.

    Returns the ids of its members (their tokens may have held roles
    through it).
    """
    row = common.get_row(session, models.Group, group_id, KIND)
    members = member_ids(session, group_id)
    session.execute(sa.delete(models.Membership).where(
        models.Membership.group_id == group_id))
    common.delete_assignments(session, group_ids=[group_id])
    session.delete(row)
    session.flush()
    return members


def _groups_of(user_id):
    return sa.select(models.Membership.group_id).where(
        models.Membership.user_id == user_id)


def group_ids_for_user(session, user_id):
    """Return the ids of the groups ``user_id`` belongs to."""
    return list(session.scalars(_groups_of(user_id)))


def member_ids(session, group_id):
    """Return the ids of the members of ``group_id``."""
    return list(session.scalars(sa.select(models.Membership.user_id).where(
        models.Membership.group_id == group_id)))


def add_member(session, group_id, user_id):
    """Add ``user_id`` to ``group_id``; idempotent; NotFound if unknown."""
    common.get_row(session, models.Group, group_id, KIND)
    common.get_row(session, models.User, user_id, 'user')
    if session.get(models.Membership, (user_id, group_id)) is None:
        common.add(session, models.Membership(user_id=user_id,
                                              group_id=group_id),
                   common.conflict(KIND, 'membership exists'))


def check_member(session, group_id, user_id):
    """Raise NotFound unless ``user_id`` is a member of ``group_id``."""
    common.get_row(session, models.Group, group_id, KIND)
    common.get_row(session, models.User, user_id, 'user')
    if session.get(models.Membership, (user_id, group_id)) is None:
        raise _not_member(group_id, user_id)


def remove_member(session, group_id, user_id):
    """Remove ``user_id`` from ``group_id``; NotFound if not a member."""
    check_member(session, group_id, user_id)
    session.delete(session.get(models.Membership, (user_id, group_id)))
    session.flush()


def _not_member(group_id, user_id):
    return exceptions.NotFound("User '%s' not found in group '%s'"
                               % (user_id, group_id))
