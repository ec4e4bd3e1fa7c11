"""Helpers shared by the store modules: lookups, errors, ``extra``, times."""

import datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from keystone_like.db import models
from keystone_like import exceptions

# Keys of API bodies that are never kept in a resource's ``extra``.
ALWAYS_DROPPED = frozenset({'links'})


def not_found(kind, resource_id):
    """Return Keystone's NotFound for ``kind`` (user, project, ...)."""
    return exceptions.NotFound('Could not find %s: %s.' % (kind, resource_id))


def conflict(kind, details):
    """Return Keystone's Conflict: storing ``kind`` failed for ``details``."""
    return exceptions.Conflict(
        'Conflict occurred attempting to store %s - %s' % (kind, details))


def duplicate_name(kind, name, domain_id=None):
    """Return the Conflict for a duplicate name (optionally in a domain)."""
    if domain_id is None:
        return conflict(kind, 'Duplicate entry found with name %s.' % name)
    return conflict(kind, 'Duplicate entry found with name %s at domain ID '
                          '%s.' % (name, domain_id))


def get_row(session, model, resource_id, kind):
    """Return the row of ``model`` with ``resource_id`` or raise NotFound."""
    row = session.get(model, resource_id) if resource_id is not None else None
    if row is None:
        raise not_found(kind, resource_id)
    return row


def add(session, row, error):
    """Add ``row`` and flush; a constraint violation raises ``error``.

    Callers check for duplicates first for a precise message; this catches
    the race where two requests insert the same name at once.
    """
    session.add(row)
    flush(session, error)
    return row


def flush(session, error):
    """Flush pending changes; a constraint violation raises ``error``."""
    try:
        session.flush()
    except sa_exc.IntegrityError:
        raise error from None


def require(ref, *keys):
    """Raise ValidationError unless every key of ``keys`` is in ``ref``."""
    for key in keys:
        if ref.get(key) is None:
            raise exceptions.ValidationError(
                "'%s' is a required property." % key)


def split(ref, columns, immutable=()):
    """Split an API body into column values and ``extra`` (the rest)."""
    core, extra = {}, {}
    for key, value in ref.items():
        if key in immutable:
            continue
        if key in columns:
            core[key] = value
        elif key not in ALWAYS_DROPPED:
            extra[key] = value
    return core, extra


def check_unchanged(ref, current, messages):
    """Raise ValidationError if ``ref`` changes a key of ``messages``."""
    for key, message in messages.items():
        if key in ref and ref[key] != current.get(key):
            raise exceptions.ValidationError(message)


def render(row, columns, defaults=None):
    """Return ``row`` as an API dict: defaults, then extra, then columns."""
    result = dict(defaults or {})
    result.update(row.extra or {})
    for column in columns:
        result[column] = getattr(row, column)
    return result


def check_not_null(model, core):
    """Raise ValidationError if ``core`` nulls a non-nullable column."""
    for key, value in core.items():
        if value is None and not model.__table__.c[key].nullable:
            raise exceptions.ValidationError(
                "Invalid input for field '%s': None is not allowed." % key)


def build(model, core, extra):
    """Return a new ``model`` row from column values and ``extra``."""
    check_not_null(model, core)
    return model(extra=extra, **core)


def apply(row, core, extra):
    """Set column values and merge ``extra`` into the row's."""
    check_not_null(type(row), core)
    for key, value in core.items():
        setattr(row, key, value)
    if extra:
        # A new dict, so the JSON column is seen as changed.
        row.extra = {**(row.extra or {}), **extra}


def apply_renaming(session, row, core, extra, duplicate, find):
    """Apply an update; a new name ``find(name)`` returns is ``duplicate``.

    Checked first for a clear error, and again by the unique constraint at
    flush for concurrent renames.
    """
    if core.get('name', row.name) != row.name:
        if find(core['name']) is not None:
            raise duplicate
    apply(row, core, extra)
    flush(session, duplicate)


def to_storage_time(value):
    """Return ``value`` as naive UTC (naive input is taken as UTC)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def to_api_time(value):
    """Return a stored naive UTC datetime as an aware UTC one."""
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc)


def delete_assignments(session, user_ids=None, group_ids=None,
                       project_ids=None, domain_ids=None, role_id=None):
    """Delete assignments of any of the actors, targets or the role.

    The id arguments are lists or SELECTs of ids (cascades of deletes).
    """
    table = models.Assignment
    conditions = []
    for ids, actor, target in ((user_ids, 'user', None),
                               (group_ids, 'group', None),
                               (project_ids, None, 'project'),
                               (domain_ids, None, 'domain')):
        if ids is not None:
            column = table.actor_id if actor else table.target_id
            conditions.append(sa.and_(
                table.type.in_(models.assignment_types(actor, target)),
                column.in_(ids)))
    if role_id is not None:
        conditions.append(table.role_id == role_id)
    if conditions:
        session.execute(sa.delete(table).where(sa.or_(*conditions)))
