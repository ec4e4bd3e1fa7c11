"""Users, in Keystone's shape::

    {'id', 'name', 'domain_id', 'enabled', 'password_expires_at': None,
     'options': {}, 'default_project_id' (when set), **extra}

``extra`` (email, description, ...) is merged at the top level as Keystone
does. The password hash is stored here but never part of a user dict: read
it with :func:`get_password_hash`. Passwords are hashed by the caller.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like.store import common
from keystone_like.store import options as resource_options
from keystone_like.store import paging

KIND = 'user'
COLUMNS = ('id', 'name', 'domain_id', 'enabled', 'default_project_id')
DEFAULTS = {'password_expires_at': None}
IMMUTABLE = {'id': 'Cannot change user ID.',
             'domain_id': 'Cannot change Domain ID.'}
# Never stored in extra: computed by us, or a secret.
_NOT_EXTRA = {'password_expires_at', 'options', 'password_hash'}


def to_dict(row):
    """Return a User row in API shape (no password hash)."""
    result = common.render(row, COLUMNS, DEFAULTS)
    if result['default_project_id'] is None:
        del result['default_project_id']
    result['options'] = dict(row.options or {})
    return result


def _apply_options(row, ref):
    if 'options' in ref:
        row.options = resource_options.merge(
            row.options, ref['options'], resource_options.USER, KIND)


def _split(ref, immutable=()):
    if 'password' in ref:
        # A programming error that would store a clear-text password.
        raise ValueError('hash the password and pass password_hash instead')
    return common.split(ref, COLUMNS, immutable=set(immutable) | _NOT_EXTRA)


def create_user(session, ref, password_hash=None):
    """Create a user from an API body (without ``password``); return it."""
    common.require(ref, 'name', 'domain_id')
    core, extra = _split(ref, immutable={'id'})
    common.get_row(session, models.Domain, core['domain_id'], 'domain')
    duplicate = common.duplicate_name(KIND, core['name'], core['domain_id'])
    if _find(session, core['name'], core['domain_id']) is not None:
        raise duplicate
    now = models.utcnow()
    row = common.build(models.User, core, extra)
    row.created_at = now
    row.options = {}
    _apply_options(row, ref)
    if password_hash is not None:
        row.password_hash = _text(password_hash)
        row.password_created_at = now
    return to_dict(common.add(session, row, duplicate))


def _find(session, name, domain_id):
    return session.scalars(sa.select(models.User).where(
        models.User.name == name, models.User.domain_id == domain_id)).first()


def get_user(session, user_id):
    """Return the user ``user_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.User, user_id, KIND))


def get_user_by_name(session, name, domain_id):
    """Return the user called ``name`` in the domain or raise NotFound."""
    row = _find(session, name, domain_id)
    if row is None:
        raise common.not_found(KIND, name)
    return to_dict(row)


def list_users(session, name=None, domain_id=None, enabled=None,
               group_id=None, page=None):
    """Return the users matching every filter given, by name.

    ``group_id`` keeps the members of that group.
    """
    table = models.User
    query = sa.select(table).order_by(table.name, table.id)
    if group_id is not None:
        query = query.where(table.id.in_(sa.select(
            models.Membership.user_id).where(
                models.Membership.group_id == group_id)))
    if name is not None:
        query = query.where(table.name == name)
    if domain_id is not None:
        query = query.where(table.domain_id == domain_id)
    if enabled is not None:
        query = query.where(table.enabled == enabled)
    query = paging.apply(session, query, table, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_user(session, user_id, ref):
    """Change the given attributes of a user; return it."""
    row = common.get_row(session, models.User, user_id, KIND)
    common.check_unchanged(ref, {'id': row.id, 'domain_id': row.domain_id},
                           IMMUTABLE)
    core, extra = _split(ref, immutable=IMMUTABLE)
    _apply_options(row, ref)
    duplicate = common.duplicate_name(KIND, core.get('name'), row.domain_id)
    common.apply_renaming(session, row, core, extra, duplicate,
                          lambda name: _find(session, name, row.domain_id))
    return to_dict(row)


def delete_user(session, user_id):
    """Delete a user, its group memberships and its role assignments."""
    row = common.get_row(session, models.User, user_id, KIND)
    common.delete_assignments(session, user_ids=[user_id])
    session.execute(sa.delete(models.Membership).where(
        models.Membership.user_id == user_id))
    session.delete(row)
    session.flush()


def get_options(session, user_id):
    """Return the user's resource options (``{}`` when none is set).

    Security compliance reads ``ignore_lockout_failure_attempts``,
    ``ignore_password_expiry``, ``lock_password``, ... from here.
    """
    return dict(common.get_row(session, models.User, user_id,
                               KIND).options or {})


def get_password_hash(session, user_id):
    """Return the user's password hash (None if it has no password)."""
    return common.get_row(session, models.User, user_id, KIND).password_hash


def set_password_hash(session, user_id, password_hash):
    """Store a new password hash for the user (None removes the password)."""
    row = common.get_row(session, models.User, user_id, KIND)
    row.password_hash = _text(password_hash)
    row.password_created_at = models.utcnow() if password_hash else None
    session.flush()


def _text(password_hash):
    # bcrypt.hashpw() returns bytes; hashes are ASCII.
    if isinstance(password_hash, bytes):
        return password_hash.decode('ascii')
    return password_hash
