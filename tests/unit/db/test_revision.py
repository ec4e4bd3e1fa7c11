"""The database revision: which writes move it, once per transaction."""

import concurrent.futures
import threading

import eventlet
import pytest
import sqlalchemy as sa

from keystone_like.db import models
from keystone_like.db import revision
from keystone_like.store import domains
from keystone_like.store import revocations
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)


def now(database):
    with database.session() as session:
        return revision.current(session)


@pytest.fixture
def user(database):
    with database.session() as session:
        domains.create_domain(session, {'id': 'd1', 'name': 'd1'})
        return users.create_user(session, {'name': 'u1', 'domain_id': 'd1'})


def test_a_transaction_moves_it_once_however_many_writes(database, user):
    epoch, before = now(database)
    with database.session() as session:
        users.update_user(session, user['id'], {'name': 'u2'})
        users.create_user(session, {'name': 'u3', 'domain_id': 'd1'})
        revocations.add_event(session, user_id=user['id'])
    assert now(database) == (epoch, before + 1)


def test_reads_and_rolled_back_writes_leave_it(database, user):
    before = now(database)
    with database.session() as session:
        users.get_user(session, user['id'])
    with pytest.raises(RuntimeError):
        with database.session() as session:
            users.update_user(session, user['id'], {'name': 'gone'})
            raise RuntimeError('undo')
    assert now(database) == before


def test_login_bookkeeping_is_quiet(database, user):
    before = now(database)
    with database.session() as session:
        row = session.get(models.User, user['id'])
        row.last_active_at = models.utcnow()
        row.failed_auth_count = 3
    assert now(database) == before
    with database.session() as session:
        session.get(models.User, user['id']).enabled = False
    assert now(database)[1] == before[1] + 1


def test_bulk_statements_move_it_unless_quiet(database, user):
    _, before = now(database)
    with database.session() as session:
        session.execute(sa.update(models.User).values(enabled=False))
    assert now(database)[1] == before + 1
    with database.session() as session:
        session.execute(sa.delete(models.RevocationEvent),
                        execution_options={'quiet_revision': True})
    assert now(database)[1] == before + 1


def test_events_carry_the_revision_of_their_transaction(database, user):
    with database.session() as session:
        revocations.add_event(session, user_id=user['id'])
        revocations.add_event(session, audit_id='a' * 22)
    epoch, value = now(database)
    with database.session() as session:
        events = revocations.events_after(session, value - 1, value)
        assert {e['user_id'] or e['audit_id'] for e in events} == {
            user['id'], 'a' * 22}
        assert revocations.events_after(session, value, value + 5) == []


def test_it_is_read_once_per_transaction_on_its_own_connection(
        database, user, monkeypatch):
    reader = database.revision_reader
    reads = []
    read = reader.read
    monkeypatch.setattr(reader, 'read', lambda: reads.append(1) or read())
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)
    sa.event.listen(database.engine, 'before_cursor_execute', record)
    try:
        with database.session() as session:
            first = revision.current(session)
            assert revision.current(session) == first
        with database.session() as session:
            revision.current(session)
    finally:
        sa.event.remove(database.engine, 'before_cursor_execute', record)
    assert len(reads) == 2
    assert statements == []


def test_a_transaction_that_wrote_reads_its_own(database, user):
    with database.session() as session:
        epoch, before = revision.current(session)
        users.update_user(session, user['id'], {'name': 'mine'})
        del session.info['keystone_like.revision.read']
        assert revision.current(session) == (epoch, before + 1)
        session.rollback()
    assert now(database) == (epoch, before)


def test_reader_errors_are_sqlalchemys_and_it_reconnects(database, user):
    reader = database.revision_reader
    seen = reader.read()
    assert reader.held == 1
    reader._idle[0].connection.driver_connection.close()
    with pytest.raises(sa.exc.DBAPIError):
        reader.read()
    assert reader.held == 0
    assert reader.read() == seen


def test_it_keeps_few_connections_between_reads(database, user):
    reader = database.revision_reader
    reader.reset()
    checked_out = database.engine.pool.checkedout()
    connections = [database.engine.connect().execution_options(
        isolation_level='AUTOCOMMIT') for _ in range(reader.KEEP + 1)]
    reader._idle.extend(connections)   # as if concurrent reads just ended
    assert reader.read() == now(database)
    assert reader.held == reader.KEEP
    assert database.engine.pool.checkedout() == checked_out + reader.KEEP
    reader.reset()
    assert reader.held == 0
    assert database.engine.pool.checkedout() == checked_out


def test_os_threads_read_at_once_without_waiting_on_each_other(
        database, user):
    """Sharing is between the green threads of one OS thread: callers in
    other OS threads (a WSGI server on real threads, a test's executor)
    run reads of their own, and none waits on another's."""
    reader = database.revision_reader
    gate = threading.Barrier(4, timeout=10)

    def read():
        gate.wait()
        return reader.read()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(read) for _ in range(4)]
        answers = [future.result(timeout=20) for future in futures]
    assert answers == [now(database)] * 4
    assert reader._pending == {}


def test_overlapping_reads_share_one_that_began_after_them(database, user):
    """Callers that come while a read is in flight are answered by the
    next read, never by the one in flight (it may predate a commit they
    must see): five callers, a commit between, two queries in all."""
    if database.engine.dialect.name != 'postgresql':
        pytest.skip('SQLite reads do not yield, so they never overlap')
    from eventlet.support import psycopg2_patcher
    from psycopg2 import extensions
    psycopg2_patcher.make_psycopg_green()
    engine = sa.create_engine(database.engine.url,
                              poolclass=sa.pool.NullPool)
    try:
        reader = revision.Reader(engine)
        # Each read takes 0.3 s: callers surely come while one runs.
        assert '\nWHERE' in reader._sql
        reader._sql = reader._sql.replace('\nWHERE',
                                          ', pg_sleep(0.3)\nWHERE')
        queries = []
        query = reader._query

        def counted():
            queries.append(1)
            return query()
        reader._query = counted
        epoch, before = now(database)
        early = eventlet.spawn(reader.read)
        eventlet.sleep(0.1)      # its read is in flight
        # A commit that moves it, on a green connection of the test's own
        # (the shared pool's connections must stay blocking ones).
        with engine.begin() as connection:
            connection.execute(sa.update(models.Revision).values(
                value=models.Revision.value + 1))
        late = [eventlet.spawn(reader.read) for _ in range(4)]
        answers = [early.wait()] + [green.wait() for green in late]
    finally:
        extensions.set_wait_callback(None)
        engine.dispose()
    assert answers == [(epoch, before)] + [(epoch, before + 1)] * 4
    assert len(queries) == 2


def test_a_new_epoch_when_the_counter_is_gone(database, user):
    epoch, _ = now(database)
    with database.engine.begin() as connection:
        connection.execute(sa.delete(models.Revision))
    assert now(database) == (None, 0)
    with database.session() as session:
        users.update_user(session, user['id'], {'name': 'again'})
    new_epoch, value = now(database)
    assert value == 1 and new_epoch not in (None, epoch)
