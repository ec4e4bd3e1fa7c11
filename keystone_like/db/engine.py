"""Engine construction: pool options and per-backend connection set-up.

SQLite gets WAL journaling (readers do not block the writer), a busy
timeout and enforced foreign keys on every connection. PostgreSQL gets a
bounded pool, pre-ping, a connect timeout, TCP keepalives and a server-side
``statement_timeout``, so no request can wait on the database forever.

Those libpq limits do not hold once psycopg2 runs "green" (eventlet's
monkey-patch installs a wait callback that polls the connection itself):
libpq's ``connect_timeout`` is not applied to a polled connect, and a
server that is hung rather than gone (stopped processes, a frozen VM)
never sends the ``statement_timeout`` error. So PostgreSQL connections
are polled by :func:`wait_within_limits` instead, which enforces both on
the client side. It waits with ``select.select``, green when the process
is monkey-patched, so a hung database holds only the requests that need
it, never the event loop.
"""

import os
import re
import select
import socket
import time

import sqlalchemy as sa

DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_OVERFLOW = 20
DEFAULT_POOL_TIMEOUT = 10
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_STATEMENT_TIMEOUT = 5
DEFAULT_BUSY_TIMEOUT = 5
APPLICATION_NAME = 'keystone_like'
# PostgreSQL drivers built on libpq, which take its connection parameters.
LIBPQ_DRIVERS = ('psycopg2', 'psycopg')


def create_engine(url, pool_size=DEFAULT_POOL_SIZE,
                  max_overflow=DEFAULT_MAX_OVERFLOW,
                  pool_timeout=DEFAULT_POOL_TIMEOUT,
                  connect_timeout=DEFAULT_CONNECT_TIMEOUT,
                  statement_timeout=DEFAULT_STATEMENT_TIMEOUT,
                  busy_timeout=DEFAULT_BUSY_TIMEOUT):
    """Return an Engine for ``url``; timeouts are in seconds."""
    url = sa.engine.make_url(url)
    # Parameters never go into error messages or logs: they may hold
    # password hashes.
    common = {'hide_parameters': True, 'pool_timeout': pool_timeout}
    if url.get_backend_name() == 'sqlite':
        connect_args = {'timeout': busy_timeout}
        if url.database in (None, '', ':memory:'):
            # One shared connection, or every checkout would see its own
            # empty in-memory database (tests only).
            common = {'hide_parameters': True,
                      'poolclass': sa.pool.StaticPool}
            connect_args['check_same_thread'] = False
        engine = sa.create_engine(url, connect_args=connect_args, **common)
        sa.event.listen(engine, 'connect',
                        _sqlite_on_connect(int(busy_timeout * 1000)))
        return engine
    connect_args = {}
    if url.get_driver_name() in LIBPQ_DRIVERS:
        connect_args = _postgresql_connect_args(url, connect_timeout,
                                                statement_timeout)
    if url.get_driver_name() == 'psycopg2':
        import psycopg2.extensions
        psycopg2.extensions.set_wait_callback(wait_within_limits)
    return sa.create_engine(
        url, pool_size=pool_size, max_overflow=max_overflow,
        pool_pre_ping=True, connect_args=connect_args, **common)


def _sqlite_on_connect(busy_timeout_ms):
    """Return a connect listener setting the per-connection pragmas."""
    def on_connect(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute('PRAGMA busy_timeout = %d' % busy_timeout_ms)
            cursor.execute('PRAGMA foreign_keys = ON')
            # Persistent in the file; a no-op for :memory: databases.
            cursor.execute('PRAGMA journal_mode = WAL')
        finally:
            cursor.close()
    return on_connect


def _postgresql_connect_args(url, connect_timeout, statement_timeout):
    """Return libpq connection parameters bounding every wait."""
    options = '-c statement_timeout=%d' % int(statement_timeout * 1000)
    if url.query.get('options'):
        options = '%s %s' % (url.query['options'], options)
    args = {
        'connect_timeout': int(connect_timeout),
        'options': options,
        # Notice a dead server or network within ~15 s on idle and busy
        # connections instead of the kernel's two hours.
        'keepalives': 1, 'keepalives_idle': 5, 'keepalives_interval': 2,
        'keepalives_count': 5,
    }
    if 'application_name' not in url.query:
        args['application_name'] = APPLICATION_NAME
    return args


# The limits travel in each connection's libpq parameters (above).
_CONNECT_TIMEOUT = re.compile(r'(?:^| )connect_timeout=(\d+)')
_STATEMENT_TIMEOUT = re.compile(r'statement_timeout=(\d+)')
# A statement gets this much longer than statement_timeout on the client
# side, so that a live server's own (clean) cancellation comes first.
STATEMENT_MARGIN = 0.5


def wait_limit(connection):
    """Seconds one wait of ``connection`` may take (None: no limit)."""
    import psycopg2.extensions
    if connection.status == psycopg2.extensions.STATUS_SETUP:
        found = _CONNECT_TIMEOUT.search(connection.dsn)
        return int(found.group(1)) if found else None
    found = _STATEMENT_TIMEOUT.search(connection.dsn)
    return int(found.group(1)) / 1000 + STATEMENT_MARGIN if found else None


def wait_within_limits(connection):
    """psycopg2 wait callback: poll ``connection``, give up past its limit.

    On timeout the connection's socket is shut down, so psycopg2 marks the
    connection closed and the pool discards it, and OperationalError says
    why (its text makes SQLAlchemy treat it as a disconnect).
    """
    import psycopg2
    import psycopg2.extensions as extensions
    limit = wait_limit(connection)
    deadline = None if limit is None else time.monotonic() + limit
    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        fd = connection.fileno()
        if state == extensions.POLL_READ:
            readers, writers = [fd], []
        elif state == extensions.POLL_WRITE:
            readers, writers = [], [fd]
        else:
            raise psycopg2.OperationalError('bad poll state %r' % state)
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is None or remaining > 0:
            ready = select.select(readers, writers, [], remaining)
            if ready[0] or ready[1]:
                continue
        _abandon(connection)
        raise psycopg2.OperationalError(
            'the database server did not answer within %gs; closed the '
            'connection' % limit)


def _abandon(connection):
    """Shut the connection's socket down under libpq; mark it closed."""
    import psycopg2
    try:
        sock = socket.socket(fileno=os.dup(connection.fileno()))
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()
    try:
        # libpq sees the dead socket now and psycopg2 marks the
        # connection closed; close() itself would block on a hung server.
        connection.poll()
    except psycopg2.Error:
        pass
