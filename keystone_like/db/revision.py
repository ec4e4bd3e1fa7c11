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

The row also holds a random ``epoch``, new whenever the counter starts
over (a new database, or the row deleted: it is then made again at the
next write), so ``(epoch, value)`` never names two different states.

Changes that never alter a token are not counted, so they do not flush
every process's caches: columns listed in :data:`QUIET_COLUMNS` (login
bookkeeping), tables in :data:`QUIET_TABLES`, and statements executed with
the execution option ``quiet_revision=True`` (pruning revocation events
no live token can match).
"""

import threading
import uuid

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
# Session.info keys, forgotten at the end of each transaction: the value
# this transaction bumped the counter to, and the revision it read.
_KEY = 'keystone_like.revision'
_READ_KEY = 'keystone_like.revision.read'
_TABLE = models.Revision
_BUMP = (sa.update(_TABLE).where(_TABLE.id == 1)
         .values(value=_TABLE.value + 1).returning(_TABLE.value))
_READ = sa.select(_TABLE.epoch, _TABLE.value).where(_TABLE.id == 1)


# Session.info key of the sessionmaker's Reader, if it has one.
READER = 'keystone_like.revision.reader'


def current(session):
    """Return ``(epoch, value)``: the revision the database is at, read
    once per transaction (``(None, 0)`` while there is no counter).

    Read by the session's :class:`Reader` when it has one and has not
    written (what a transaction that wrote reads may never commit).
    """
    found = session.info.get(_READ_KEY)
    if found is None:
        reader = session.info.get(READER)
        if reader is not None and not pending(session):
            found = reader.read()
        else:
            found = _row(session.connection().execute(_READ).first())
        session.info[_READ_KEY] = found
    return found


def _row(row):
    return tuple(row) if row is not None else (None, 0)


class Reader:
    """Reads the revision on connections of its own, in autocommit, one
    query at a time per thread, shared by the green threads that need it.

    This is every validation's one database read, so it skips what a
    session costs (transaction, pool checkout, ORM execution): one
    statement on a connection kept checked out of the pool between reads
    (up to :attr:`KEEP`). In autocommit a read sees every transaction
    committed before its statement started, which is all a validator
    needs: the data it reads next is at least as new.

    Green threads share reads (on a database whose driver yields,
    PostgreSQL; SQLite reads never overlap): a call made while a read of
    its OS thread is in flight cannot use it (that read may have started
    before a commit the caller must see), so it waits for the next read,
    which starts when the one in flight ends and answers everyone who came
    meanwhile. However many validations run at once, the database sees at
    most one revision read per process (per OS thread) in flight; each
    caller waits at most two reads. Calls from different OS threads never
    wait on one another. DBAPI errors come out as SQLAlchemy's (so the
    database's 503 handling sees them) and drop the connection.
    """

    KEEP = 2

    def __init__(self, engine):
        self._engine = engine
        self._idle = []
        # OS thread id -> [the _Read to run when its read in flight ends,
        # or None]; present while that thread has a read in flight. Each
        # thread touches only its own entry.
        self._pending = {}
        # The same query as sessions run, compiled once for the driver.
        self._sql = str(_READ.compile(
            dialect=engine.dialect, compile_kwargs={'literal_binds': True}))

    @property
    def held(self):
        """How many pool connections it keeps between reads."""
        return len(self._idle)

    def read(self):
        """Return ``(epoch, value)`` as committed when this call began."""
        thread = threading.get_native_id()
        while True:
            queue = self._pending.get(thread)
            if queue is None:
                shared = _Read()
                self._pending[thread] = [None]
                self._run(thread, shared)
            else:
                shared = queue[0]
                if shared is None:
                    shared = queue[0] = _Read()
                shared.wait()
            if not shared.abandoned:
                return shared.result()
            # Its reader was interrupted (a timeout of its own request,
            # a kill), not the database: read again.

    def _run(self, thread, shared):
        """Run ``shared``, then the read queued meanwhile (green)."""
        try:
            shared.found = self._query()
        except Exception as err:
            shared.error = err
        except BaseException:
            shared.abandoned = True
            raise
        finally:
            shared.finish()
            queue = self._pending.get(thread)
            queued = queue[0] if queue is not None else None
            if queued is None:
                self._pending.pop(thread, None)
            else:
                queue[0] = None
                _green().spawn_n(self._run, thread, queued)

    def _query(self):
        try:
            connection = self._idle.pop()
        except IndexError:
            connection = self._engine.connect().execution_options(
                isolation_level='AUTOCOMMIT')
        dbapi_error = self._engine.dialect.loaded_dbapi.Error
        try:
            cursor = connection.connection.driver_connection.cursor()
            try:
                cursor.execute(self._sql)
                found = _row(cursor.fetchone())
            finally:
                cursor.close()
        except BaseException as err:
            _discard(connection)
            if isinstance(err, dbapi_error):
                raise sa.exc.DBAPIError.instance(
                    self._sql, None, err, dbapi_error,
                    connection_invalidated=True) from None
            raise
        if len(self._idle) < self.KEEP:
            self._idle.append(connection)
        else:
            connection.close()
        return found

    def reset(self, close=True):
        """Drop the connections (``close=False`` after a fork: they are
        the parent's) and forget reads in flight (a forked child has
        none)."""
        idle, self._idle = self._idle, []
        self._pending = {}
        for connection in idle:
            if close:
                _discard(connection)
            else:
                # Never collected, so never closed or rolled back here.
                _INHERITED.append(connection)


class _Read:
    """One revision read and the callers waiting for it."""

    __slots__ = ('found', 'error', 'abandoned', '_done', '_event')

    def __init__(self):
        self.found = self.error = None
        self.abandoned = self._done = False
        self._event = None      # made by the first caller that waits

    def wait(self):
        if not self._done:
            if self._event is None:
                self._event = _green().event.Event()
            self._event.wait()

    def finish(self):
        self._done = True
        if self._event is not None:
            self._event.send()

    def result(self):
        if self.error is not None:
            raise self.error
        return self.found


def _green():
    """eventlet, imported only once reads overlap (only a green driver
    makes them): service-manage never loads it, nor its warnings."""
    import eventlet
    import eventlet.event
    return eventlet


def _discard(connection):
    try:
        connection.invalidate()
        connection.close()
    except Exception:   # already unusable: nothing to give back
        pass


# Connections a forked child inherited with its Readers.
_INHERITED = []


def pending(session):
    """Whether ``session``'s transaction has bumped the revision: what it
    reads may then be changes that never commit."""
    return _KEY in session.info


def install(sessionmaker):
    """Make the sessions of ``sessionmaker`` bump the revision."""
    sa.event.listen(sessionmaker, 'before_flush', _before_flush)
    sa.event.listen(sessionmaker, 'do_orm_execute', _do_orm_execute)
    for name in ('after_commit', 'after_rollback'):
        sa.event.listen(sessionmaker, name, _forget)


def touch(session):
    """Move the revision in this transaction though nothing counted was
    written (a quiet column whose change does matter this time)."""
    _bump(session)


def _bump(session):
    """Bump once per transaction; return this transaction's revision."""
    value = session.info.get(_KEY)
    if value is None:
        connection = session.connection()
        value = connection.scalar(_BUMP)
        if value is None:
            # No counter (the row was deleted): start a new epoch.
            value = 1
            connection.execute(sa.insert(_TABLE).values(
                id=1, value=value, epoch=uuid.uuid4().hex))
        session.info[_KEY] = value
    return value


def _forget(session):
    session.info.pop(_KEY, None)
    session.info.pop(_READ_KEY, None)


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
    if state.execution_options.get('quiet_revision'):
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
