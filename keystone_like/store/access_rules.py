"""Access rules: the requests a user's application credentials may make.

A rule ``{'id', 'service', 'method', 'path'}`` belongs to one user and is
shared by every credential of the user naming it: asking again for the
same service, method and path reuses the rule, as Keystone does. A rule
outlives the credentials using it (the user deletes it) but cannot be
deleted while one still does; it goes with its user.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common

FIELDS = ('service', 'method', 'path')
IN_USE = 'May not delete access rule in use'


def to_dict(row):
    """Return an AccessRule row in API shape (without its user)."""
    return {'id': row.id, 'service': row.service, 'method': row.method,
            'path': row.path}


def not_found(rule_id):
    """Return Keystone's 404 for an access rule."""
    return exceptions.NotFound('Could not find Access Rule: %s.' % rule_id)


def get_rule(session, rule_id, user_id=None):
    """Return the rule ``rule_id`` (of ``user_id`` if given), or 404."""
    row = session.get(models.AccessRule, rule_id)
    if row is None or user_id not in (None, row.user_id):
        raise not_found(rule_id)
    return to_dict(row)


def list_rules(session, user_id, service=None, method=None, path=None):
    """Return the user's rules matching every filter given."""
    table = models.AccessRule
    query = sa.select(table).where(table.user_id == user_id).order_by(
        table.service, table.path, table.method, table.id)
    for column, value in ((table.service, service), (table.method, method),
                          (table.path, path)):
        if value is not None:
            query = query.where(column == value)
    return [to_dict(row) for row in session.scalars(query)]


def delete_rule(session, rule_id, user_id):
    """Delete one of the user's rules; 403 while a credential uses it."""
    row = session.get(models.AccessRule, rule_id)
    if row is None or row.user_id != user_id:
        raise not_found(rule_id)
    if rules_in_use(session, [rule_id]):
        raise exceptions.Forbidden(IN_USE)
    session.delete(row)
    # The foreign key still refuses a credential naming it meanwhile.
    common.flush(session, exceptions.Forbidden(IN_USE))


def rules_in_use(session, rule_ids):
    """Return which of ``rule_ids`` some application credential names."""
    link = models.ApplicationCredentialAccessRule
    return set(session.scalars(sa.select(link.access_rule_id).where(
        link.access_rule_id.in_(rule_ids))))


def check(session, user_id, requested):
    """Raise 404 unless :func:`resolve` would accept ``requested``
    (without creating anything)."""
    for wanted in requested:
        _existing(session, user_id, wanted)


def resolve(session, user_id, requested):
    """Return the rule ids a new credential of ``user_id`` asks for.

    Each requested rule is ``{'id'}`` (an existing rule of the user) or
    ``{'service', 'method', 'path'}`` (optionally with an ``id`` for a new
    one): the user's identical rule is reused, else one is created. A rule
    of another user, or an unknown id without the three fields, is 404.
    Duplicates count once; the order of first mention is kept.
    """
    ids = []
    for wanted in requested:
        row = _existing(session, user_id, wanted)
        if row is None:
            row = models.AccessRule(
                id=wanted.get('id') or models.new_id(), user_id=user_id,
                **{field: wanted[field] for field in FIELDS})
            common.add(session, row, common.conflict(
                'access_rule', 'Duplicate entry.'))
        if row.id not in ids:
            ids.append(row.id)
    return ids


def _existing(session, user_id, wanted):
    """Return the user's rule ``wanted`` names, None if it is to be made."""
    if wanted.get('id') is not None:
        row = session.get(models.AccessRule, wanted['id'])
        if row is not None:
            if row.user_id != user_id:
                raise not_found(wanted['id'])
            return row
        if not all(wanted.get(field) is not None for field in FIELDS):
            raise not_found(wanted['id'])
    table = models.AccessRule
    return session.scalars(sa.select(table).where(
        table.user_id == user_id, table.service == wanted['service'],
        table.method == wanted['method'],
        table.path == wanted['path'])).first()
