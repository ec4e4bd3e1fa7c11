"""Application credentials, in Keystone's shape::

    {'id', 'name', 'description', 'user_id', 'project_id', 'system',
     'expires_at', 'unrestricted', 'roles': [role dicts],
     'access_rules': [rule dicts] (only when it has some)}

``expires_at`` is an aware UTC datetime or None. The secret hash is stored
here but never part of a credential dict: read it with
:func:`get_secret_hash`. Secrets are hashed by the caller. A credential
goes with its user or its project (foreign keys cascade), and with any
role it names (:func:`delete_for_role`).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import access_rules
from keystone_like.store import common
from keystone_like.store import roles as role_store

KIND = 'application_credential'
COLUMNS = ('id', 'name', 'description', 'user_id', 'project_id', 'system',
           'unrestricted')


def not_found(cred_id):
    """Return Keystone's 404 for an application credential."""
    return exceptions.NotFound(
        'Could not find Application Credential: %s.' % cred_id)


def duplicate(name):
    """Return Keystone's 409 for a name the user already uses."""
    return common.duplicate_name(KIND, name)


def _to_dicts(session, rows):
    """Render rows with their roles and access rules (two queries)."""
    ids = [row.id for row in rows]
    role_link = models.ApplicationCredentialRole
    roles = {cred_id: [] for cred_id in ids}
    for cred_id, role in session.execute(
            sa.select(role_link.app_cred_id, models.Role)
            .join(models.Role, models.Role.id == role_link.role_id)
            .where(role_link.app_cred_id.in_(ids))
            .order_by(models.Role.name)):
        roles[cred_id].append(role_store.to_dict(role))
    rule_link = models.ApplicationCredentialAccessRule
    rules = {cred_id: [] for cred_id in ids}
    for cred_id, rule in session.execute(
            sa.select(rule_link.app_cred_id, models.AccessRule)
            .join(models.AccessRule,
                  models.AccessRule.id == rule_link.access_rule_id)
            .where(rule_link.app_cred_id.in_(ids))
            .order_by(models.AccessRule.service, models.AccessRule.path,
                      models.AccessRule.method)):
        rules[cred_id].append(access_rules.to_dict(rule))
    result = []
    for row in rows:
        ref = {column: getattr(row, column) for column in COLUMNS}
        ref['expires_at'] = common.to_api_time(row.expires_at)
        ref['roles'] = roles[row.id]
        if rules[row.id]:
            ref['access_rules'] = rules[row.id]
        result.append(ref)
    return result


def _find(session, user_id, name):
    table = models.ApplicationCredential
    return session.scalars(sa.select(table).where(
        table.user_id == user_id, table.name == name)).first()


def name_taken(session, user_id, name):
    """Return whether the user already has a credential called ``name``."""
    return _find(session, user_id, name) is not None


def create(session, ref, secret_hash, role_ids, rules=()):
    """Store a credential; return it (without its secret).

    ``ref`` holds the columns (``id`` optional); ``rules`` are access
    rules as :func:`access_rules.resolve` takes them. 409 for a name the
    user already uses.
    """
    if name_taken(session, ref['user_id'], ref['name']):
        raise duplicate(ref['name'])
    values = {key: ref.get(key) for key in COLUMNS}
    values['id'] = values['id'] or models.new_id()
    values['expires_at'] = common.to_storage_time(ref.get('expires_at'))
    row = models.ApplicationCredential(secret_hash=secret_hash, **values)
    common.add(session, row, duplicate(ref['name']))
    session.add_all(models.ApplicationCredentialRole(
        app_cred_id=row.id, role_id=role_id) for role_id in set(role_ids))
    rule_ids = access_rules.resolve(session, ref['user_id'], rules)
    session.add_all(models.ApplicationCredentialAccessRule(
        app_cred_id=row.id, access_rule_id=rule_id) for rule_id in rule_ids)
    session.flush()
    return _to_dicts(session, [row])[0]


def get(session, cred_id):
    """Return the credential ``cred_id`` or raise NotFound."""
    row = session.get(models.ApplicationCredential, cred_id)
    if row is None:
        raise not_found(cred_id)
    return _to_dicts(session, [row])[0]


def get_by_name(session, user_id, name):
    """Return the user's credential called ``name`` or raise NotFound."""
    row = _find(session, user_id, name)
    if row is None:
        raise not_found(name)
    return _to_dicts(session, [row])[0]


def list_for_user(session, user_id, name=None):
    """Return the user's credentials (only the one called ``name``)."""
    table = models.ApplicationCredential
    query = sa.select(table).where(table.user_id == user_id).order_by(
        table.name, table.id)
    if name is not None:
        query = query.where(table.name == name)
    return _to_dicts(session, list(session.scalars(query)))


def count_for_user(session, user_id):
    """Return how many credentials the user has."""
    table = models.ApplicationCredential
    return session.scalar(sa.select(sa.func.count()).select_from(
        table).where(table.user_id == user_id))


def get_secret_hash(session, cred_id):
    """Return the credential's secret hash, or raise NotFound."""
    row = session.get(models.ApplicationCredential, cred_id)
    if row is None:
        raise not_found(cred_id)
    return row.secret_hash


def set_secret_hash(session, cred_id, secret_hash):
    """Replace the credential's secret hash (re-hashing, same secret)."""
    row = session.get(models.ApplicationCredential, cred_id)
    if row is None:
        raise not_found(cred_id)
    row.secret_hash = secret_hash
    session.flush()


def delete(session, cred_id):
    """Delete a credential (its role and rule links go with it)."""
    row = session.get(models.ApplicationCredential, cred_id)
    if row is None:
        raise not_found(cred_id)
    session.delete(row)
    session.flush()


def delete_for_role(session, role_id):
    """Delete every credential naming ``role_id`` (the role is going).

    Keystone deletes credentials when a role they may use is deleted; the
    others of the user stay.
    """
    link = models.ApplicationCredentialRole
    table = models.ApplicationCredential
    session.execute(sa.delete(table).where(table.id.in_(
        sa.select(link.app_cred_id).where(link.role_id == role_id))))
