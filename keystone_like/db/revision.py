"""One revision for the whole database: bumped by every transaction that
changes what a token means, read with one indexed query per validation.

Every ORM session of :class:`keystone_like.db.Database` bumps the single
row of the ``revision`` table at its first write (a unit-of-work flush or
a bulk INSERT/UPDATE/DELETE), in the same transaction, so the new value
becomes visible exactly when the change does. The bump takes the row's
lock until commit, so revisions are handed out in commit order: a reader
that sees revision N has seen every change up to N, and a revocation
event stamped N (``RevocationEvent.revision``) is loaded by any
validator still at a lower revision.

Changes that never alter a token are not counted, so they do not flush
every process's caches: columns listed in :data:`QUIET_COLUMNS` (login
bookkeeping) and tables in :data:`QUIET_TABLES`.
"""

import sqlalchemy as sa

from keystone_like.db import models

# Written while logging in or validating; no token's meaning depends on
# them, and counting them would empty every cache at each login.
QUIET_COLUMNS = {
    'user': frozenset({'password_hash', 'password_created_at',
                       'failed_auth_count', 'failed_auth_at',
                       'last_active_at'}),
}
QUIET_TABLES = frozenset({'revision', 'alembic_version'})
_KEY = 'keystone_like.revision'
_BUMP = (sa.update(models.Revision).where(models.Revision.id == 1)
         .values(value=models.Revision.value + 1)
         .returning(models.Revision.value))
_READ = sa.select(models.Revision.value).where(models.Revision.id == 1)


def current(session):
    """Return the revision the database is at (0 before any change)."""
    return session.scalar(_READ) or 0


def install(sessionmaker):
    """Make the sessions of ``sessionmaker`` bump the revision."""
    sa.event.listen(sessionmaker, 'before_flush', _before_flush)
    sa.event.listen(sessionmaker, 'do_orm_execute', _do_orm_execute)
    for name in ('after_commit', 'after_rollback'):
        sa.event.listen(sessionmaker, name, _forget)


def _bump(session):
    """Bump once per transaction; return this transaction's revision."""
    value = session.info.get(_KEY)
    if value is None:
        value = session.info[_KEY] = session.connection().scalar(_BUMP)
    return value


def _forget(session):
    session.info.pop(_KEY, None)


def _before_flush(session, _flush_context, _instances):
    changed = [obj for obj in list(session.new) + list(session.deleted)
               if _table(obj) not in QUIET_TABLES]
    changed += [obj for obj in session.dirty if _loud_change(obj)]
    if not changed:
        return
    value = _bump(session)
    for obj in session.new:
        if isinstance(obj, models.RevocationEvent):
            obj.revision = value


def _do_orm_execute(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, 'table', None)
    if table is not None and table.name not in QUIET_TABLES:
        _bump(state.session)


def _table(obj):
    return type(obj).__table__.name


def _loud_change(obj):
    """Whether a dirty object changed a column that counts."""
    table = _table(obj)
    if table in QUIET_TABLES:
        return False
    quiet = QUIET_COLUMNS.get(table, frozenset())
    state = sa.inspect(obj)
    return any(attr.key not in quiet and attr.history.has_changes()
               for attr in state.attrs)
