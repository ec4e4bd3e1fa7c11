"""Users, in Keystone's shape::

    {'id', 'name', 'domain_id', 'enabled', 'password_expires_at',
     'options': {}, 'default_project_id' (when set), **extra}

``extra`` (email, description, ...) is merged at the top level as Keystone
does. The password hash is stored here but never part of a user dict: read
it with :func:`get_password_hash`. Passwords are hashed by the caller.

``[security_compliance]`` shows here: ``enabled`` is false for a user
inactive too long, ``password_expires_at`` is when the current password
stops working. The policy comes with the session (``session.info['conf']``,
set by :class:`keystone_like.db.Database`). Login bookkeeping
(:func:`record_failure`, :func:`record_success`) writes only columns that
``keystone_like.db.revision`` leaves quiet.
"""

import collections

import sqlalchemy as sa
from sqlalchemy import orm

from keystone_like.db import models
from keystone_like.db import revision
from keystone_like.identity import compliance
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
TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'

#: What a login decides on, read in one query (no row leaves the store).
LoginFacts = collections.namedtuple('LoginFacts', (
    'id', 'options', 'failed_auth_count', 'failed_auth_at',
    'password_expires_at', 'password_created_at', 'password_self_service'))


def policy(session):
    """The ``[security_compliance]`` Policy of this session's database."""
    return compliance.from_conf(session.info.get('conf'))


def to_dict(row):
    """Return a User row in API shape (no password hash)."""
    result = common.render(row, COLUMNS, DEFAULTS)
    if result['default_project_id'] is None:
        del result['default_project_id']
    result['options'] = dict(row.options or {})
    if row.password_expires_at is not None:
        result['password_expires_at'] = row.password_expires_at.strftime(
            TIME_FORMAT)
    session = orm.object_session(row)
    if row.enabled and session is not None and compliance.is_inactive(
            policy(session), row, models.utcnow().date()):
        result['enabled'] = False
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
        row.password_expires_at = compliance.expiry_for_new_password(
            policy(session), row.options, now, by_admin=True)
    row.password_self_service = False
    row.failed_auth_count = 0
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
    if core.get('enabled') is True:
        # As Keystone: (re-)enabling unlocks and restarts the inactivity
        # clock, even for a user that was enabled already.
        row.failed_auth_count = 0
        row.failed_auth_at = None
        if policy(session).disable_user_account_days_inactive:
            row.last_active_at = models.utcnow().date()
            # A user inactive for too long is enabled again: that changes
            # what its tokens mean though the column is login bookkeeping.
            revision.touch(session)
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


def set_password_hash(session, user_id, password_hash, self_service=False):
    """Store a new password for the user (None removes the password).

    The one it replaces goes to the history. ``self_service``: the user
    chose it (a password change), else an administrator did.
    """
    row = common.get_row(session, models.User, user_id, KIND)
    now = models.utcnow()
    rules = policy(session)
    if row.password_hash:
        session.add(models.PasswordHistory(
            user_id=user_id, password_hash=row.password_hash,
            created_at=row.password_created_at or now))
        _trim_history(session, user_id,
                      max(rules.unique_last_password_count - 1, 0))
    row.password_hash = _text(password_hash)
    row.password_created_at = now if password_hash else None
    row.password_expires_at = compliance.expiry_for_new_password(
        rules, row.options, now,
        by_admin=not self_service) if password_hash else None
    row.password_self_service = bool(self_service)
    session.flush()


def _trim_history(session, user_id, keep):
    """Keep the ``keep`` newest earlier passwords (after a flush)."""
    session.flush()
    table = models.PasswordHistory
    doomed = sa.delete(table).where(table.user_id == user_id)
    if keep:
        doomed = doomed.where(table.id.not_in(sa.select(table.id).where(
            table.user_id == user_id).order_by(table.id.desc()).limit(
                keep).scalar_subquery()))
    session.execute(doomed)


def recent_password_hashes(session, user_id, count):
    """The current password hash and the ``count - 1`` before it."""
    current = get_password_hash(session, user_id)
    earlier = session.scalars(sa.select(
        models.PasswordHistory.password_hash).where(
            models.PasswordHistory.user_id == user_id).order_by(
                models.PasswordHistory.id.desc()).limit(max(count - 1, 0)))
    return ([current] if current else []) + list(earlier)


def rehash_password(session, user_id, password_hash):
    """Replace the hash of the same password (a stronger algorithm)."""
    row = common.get_row(session, models.User, user_id, KIND)
    row.password_hash = _text(password_hash)
    session.flush()


def login_facts(session, user_id):
    """Return the user's LoginFacts."""
    row = common.get_row(session, models.User, user_id, KIND)
    return LoginFacts(row.id, dict(row.options or {}),
                      row.failed_auth_count or 0, row.failed_auth_at,
                      row.password_expires_at, row.password_created_at,
                      row.password_self_service)


def record_failure(session, user_id):
    """Count one failed login, atomically (concurrent failures add up)."""
    row = session.get(models.User, user_id)
    if row is None:
        return
    row.failed_auth_count = models.User.failed_auth_count + 1
    row.failed_auth_at = models.utcnow()
    session.flush()


def record_success(session, user_id, facts):
    """Reset the failure count and note today's activity, if needed.

    Written at most once a day per user, so busy users cost no write.
    """
    today = models.utcnow().date()
    row = session.get(models.User, user_id)
    if row is None:
        return
    if facts.failed_auth_count or row.failed_auth_at is not None:
        row.failed_auth_count = 0
        row.failed_auth_at = None
    if row.last_active_at != today:
        row.last_active_at = today
    session.flush()


def _text(password_hash):
    # bcrypt.hashpw() returns bytes; hashes are ASCII.
    if isinstance(password_hash, bytes):
        return password_hash.decode('ascii')
    return password_hash
