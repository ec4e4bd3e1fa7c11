"""Engine construction: pool options and per-backend connection set-up.

SQLite gets WAL journaling (readers do not block the writer), a busy
timeout and enforced foreign keys on every connection. PostgreSQL gets a
bounded pool, pre-ping, a connect timeout, TCP keepalives and a server-side
``statement_timeout``, so no request can wait on the database forever.
"""

import sqlalchemy as sa

DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_OVERFLOW = 20
DEFAULT_POOL_TIMEOUT = 10
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_STATEMENT_TIMEOUT = 10
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
