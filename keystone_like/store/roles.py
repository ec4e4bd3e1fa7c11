"""Roles and role inference rules.

A role: ``{'id', 'name', 'domain_id', 'description', 'options'}``. A global
role has ``domain_id`` None; a domain-specific role belongs to one domain,
only infers other roles and never appears in a token itself. The option
``immutable`` (Keystone's) forbids updates and deletion until it is set to
false on its own. Deleting a role removes its assignments and inference
rules.

An inference rule ``prior -> implied`` means holding ``prior`` also gives
``implied``; :func:`implications` returns them all for expansion.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import options as resource_options
from keystone_like.store import paging

KIND = 'role'
COLUMNS = ('id', 'name', 'domain_id', 'description')
IMMUTABLE = {'id': 'Cannot change role ID.',
             'domain_id': 'Update of `domain_id` is not allowed.'}
OPTIONS = resource_options.PROJECT


def to_dict(row):
    """Return a Role row in API shape."""
    result = common.render(row, COLUMNS)
    result['options'] = dict(row.options or {})
    return result


def _split(ref, immutable):
    core, extra = common.split(ref, COLUMNS,
                               immutable=set(immutable) | {'options'})
    return core, extra, _options(ref.get('options'))


def _options(options):
    if options is None:
        return None
    return resource_options.merge({}, options, OPTIONS, KIND)


def create_role(session, ref):
    """Create a role (global, or specific to ``domain_id``); return it."""
    common.require(ref, 'name')
    core, extra, options = _split(ref, immutable={'id'})
    if core.get('domain_id') is not None:
        common.get_row(session, models.Domain, core['domain_id'], 'domain')
    duplicate = common.duplicate_name(KIND, core['name'],
                                      core.get('domain_id'))
    if _find(session, core['name'], core.get('domain_id')) is not None:
        raise duplicate
    row = common.build(models.Role, core, extra)
    row.options = options or {}
    return to_dict(common.add(session, row, duplicate))


def _find(session, name, domain_id=None):
    table = models.Role
    domain = (table.domain_id.is_(None) if domain_id is None
              else table.domain_id == domain_id)
    return session.scalars(sa.select(table).where(table.name == name,
                                                  domain)).first()


def get_role(session, role_id):
    """Return the role ``role_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Role, role_id, KIND))


def get_role_by_name(session, name, domain_id=None):
    """Return the role called ``name`` (global by default) or NotFound."""
    row = _find(session, name, domain_id)
    if row is None:
        raise common.not_found(KIND, name)
    return to_dict(row)


def list_roles(session, name=None, domain_id=None, ids=None, page=None):
    """Return roles by name: global ones, or those of ``domain_id``."""
    table = models.Role
    query = sa.select(table).order_by(table.name, table.id)
    if ids is not None:
        query = query.where(table.id.in_(list(ids)))
    else:
        query = query.where(table.domain_id.is_(None) if domain_id is None
                            else table.domain_id == domain_id)
    if name is not None:
        query = query.where(table.name == name)
    query = paging.apply(session, query, table, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_role(session, role_id, ref):
    """Change the given attributes of a role; return it."""
    row = common.get_row(session, models.Role, role_id, KIND)
    common.check_unchanged(ref, {'id': row.id, 'domain_id': row.domain_id},
                           IMMUTABLE)
    resource_options.check_update(row.options, ref, KIND, role_id,
                                  ignored=('id', 'domain_id'))
    core, extra, options = _split(ref, immutable=set(IMMUTABLE))
    duplicate = common.duplicate_name(KIND, core.get('name'), row.domain_id)
    common.apply_renaming(session, row, core, extra, duplicate,
                          lambda name: _find(session, name, row.domain_id))
    if options is not None:
        row.options = resource_options.merge(row.options, ref['options'],
                                             OPTIONS, KIND)
        session.flush()
    return to_dict(row)


def delete_role(session, role_id):
    """Delete a role, its assignments and its inference rules."""
    row = common.get_row(session, models.Role, role_id, KIND)
    resource_options.check_delete(row.options, KIND, role_id)
    common.delete_assignments(session, role_id=role_id)
    _delete_rules(session, [role_id])
    session.delete(row)
    session.flush()


def delete_domain_roles(session, domain_id):
    """Delete the roles specific to a domain (the domain is going)."""
    ids = list(session.scalars(sa.select(models.Role.id).where(
        models.Role.domain_id == domain_id)))
    for role_id in ids:
        common.delete_assignments(session, role_id=role_id)
    _delete_rules(session, ids)
    session.execute(sa.delete(models.Role).where(
        models.Role.domain_id == domain_id))


def _delete_rules(session, role_ids):
    table = models.ImpliedRole
    session.execute(sa.delete(table).where(sa.or_(
        table.prior_role_id.in_(role_ids),
        table.implied_role_id.in_(role_ids))))


# Inference rules.

def create_rule(session, prior_id, implied_id, prohibited=('admin',),
                exist_ok=True):
    """Store ``prior -> implied``; idempotent unless ``exist_ok`` is false
    (then Conflict, as the API answers).

    NotFound for an unknown role; 403 when the implied role's name is
    prohibited (``[assignment] prohibited_implied_role``) or a global role
    would imply a domain-specific one.
    """
    prior = common.get_row(session, models.Role, prior_id, KIND)
    implied = common.get_row(session, models.Role, implied_id, KIND)
    if implied.name in prohibited:
        raise exceptions.Forbidden('%s cannot be an implied roles.'
                                   % implied_id)
    if prior.domain_id is None and implied.domain_id is not None:
        raise exceptions.Forbidden(
            'Global role cannot imply a domain-specific role')
    duplicate = common.conflict('implied_role', 'Duplicate entry.')
    if session.get(models.ImpliedRole, (prior_id, implied_id)) is None:
        common.add(session, models.ImpliedRole(prior_role_id=prior_id,
                                               implied_role_id=implied_id),
                   duplicate)
    elif not exist_ok:
        raise duplicate
    return rule_dict(prior, implied)


def rule_dict(prior, implied):
    """Return Keystone's ``{'prior_role': ..., 'implies': ...}`` of rows."""
    return {'prior_role': _brief(prior), 'implies': _brief(implied)}


def _brief(row):
    return {'id': row.id, 'name': row.name}


def get_rule(session, prior_id, implied_id):
    """Return the rule dict; NotFound if either role or the rule is missing."""
    prior = common.get_row(session, models.Role, prior_id, KIND)
    implied = common.get_row(session, models.Role, implied_id, KIND)
    if session.get(models.ImpliedRole, (prior_id, implied_id)) is None:
        raise exceptions.NotFound(
            '%s does not imply %s.' % (prior_id, implied_id))
    return rule_dict(prior, implied)


def delete_rule(session, prior_id, implied_id):
    """Remove ``prior -> implied``; NotFound if it does not exist."""
    get_rule(session, prior_id, implied_id)
    session.delete(session.get(models.ImpliedRole, (prior_id, implied_id)))
    session.flush()


def list_rules(session, prior_id=None):
    """Return ``[(prior row, implied row)]``, of one prior role if given."""
    prior = orm.aliased(models.Role)
    implied = orm.aliased(models.Role)
    table = models.ImpliedRole
    query = (sa.select(prior, implied)
             .join(table, table.prior_role_id == prior.id)
             .join(implied, table.implied_role_id == implied.id)
             .order_by(prior.name, implied.name))
    if prior_id is not None:
        query = query.where(table.prior_role_id == prior_id)
    return [(row[0], row[1]) for row in session.execute(query)]


def implications(session):
    """Return ``{prior role id: [implied role ids]}`` for every rule."""
    result = {}
    for prior_id, implied_id in session.execute(sa.select(
            models.ImpliedRole.prior_role_id,
            models.ImpliedRole.implied_role_id)):
        result.setdefault(prior_id, []).append(implied_id)
    return result


def domain_specific_ids(session):
    """Return the ids of every domain-specific role."""
    return set(session.scalars(sa.select(models.Role.id).where(
        models.Role.domain_id.is_not(None))))
