"""Database chores of bench_tokens.py, run inside keystone_like's environment.

``bench_tokens.py`` itself needs only the standard library; what needs
SQLAlchemy, bcrypt or keystone_like runs here, in a child process started
with the environment's Python (and the ``--source`` snapshot first on
``PYTHONPATH``, like the servers). Subcommands, each printing one JSON
line on stdout:

``createdb URL`` / ``dropdb URL``
    create or drop the PostgreSQL database named in ``URL`` (connecting to
    the ``postgres`` maintenance database of the same server).
``grow --config-file FILE --users N --events M``
    add N users (each with a role on a project of their own domain's
    growth project) and M revocation events straight into the tables of
    the configured database, in bulk. The tables are reflected from the
    database, not taken from the models, so the command works on the
    schema of any checkout; the revision counter, where the schema has
    one, is bumped once so running servers reload.
``hash-time --rounds R [--count N]``
    seconds one bcrypt hash takes at ``R`` rounds (median of N).
"""

import argparse
import datetime
import json
import statistics
import sys
import time
import uuid

import sqlalchemy as sa

GROWTH_PROJECT = 'bench-growth'
BATCH = 5000


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _admin_url(url):
    """``url`` pointing at the server's maintenance database instead."""
    return sa.engine.make_url(url).set(database='postgres')


def createdb(url):
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(_admin_url(url), isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS "%s"' % name))
        conn.execute(sa.text('CREATE DATABASE "%s"' % name))
    engine.dispose()
    return {'created': name}


def dropdb(url):
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(_admin_url(url), isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        # Servers are stopped by now; end any session they left behind.
        conn.execute(sa.text(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
            'WHERE datname = :name AND pid <> pg_backend_pid()'),
            {'name': name})
        conn.execute(sa.text('DROP DATABASE IF EXISTS "%s"' % name))
    engine.dispose()
    return {'dropped': name}


def _filler(column, now):
    """A value for a NOT NULL column this script knows nothing about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, (sa.Integer, sa.Numeric)):
        return 0
    if isinstance(kind, sa.DateTime):
        return now
    if isinstance(kind, sa.JSON):
        return {}
    return ''


def _complete(table, row, now):
    """Fill every NOT NULL column of ``table`` that ``row`` leaves out."""
    for column in table.columns:
        if column.name in row or column.nullable:
            continue
        if column.server_default is not None or (
                column.primary_key and column.autoincrement is True):
            continue
        if column.primary_key and isinstance(column.type, sa.Integer):
            continue
        row[column.name] = _filler(column, now)
    return row


def _insert(conn, table, rows):
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start:start + BATCH])


def grow(config_file, users, events):
    import keystone_like.conf
    from keystone_like import db

    conf = keystone_like.conf.CONF
    conf([], project='keystone_like', default_config_files=[config_file])
    database = db.Database(conf)
    engine = database.engine
    meta = sa.MetaData()
    meta.reflect(engine, only=lambda name, _meta: name in {
        'user', 'project', 'role', 'assignment', 'revocation_event',
        'revision', 'domain'})
    tables = meta.tables
    now = _now()
    started = time.monotonic()
    done = {'users': 0, 'events': 0}
    with engine.begin() as conn:
        domain_id = conf.identity.default_domain_id
        project = tables['project']
        project_id = conn.scalar(sa.select(project.c.id).where(
            project.c.name == GROWTH_PROJECT))
        if project_id is None and users:
            project_id = uuid.uuid4().hex
            conn.execute(project.insert(), [_complete(project, {
                'id': project_id, 'name': GROWTH_PROJECT,
                'domain_id': domain_id, 'enabled': True, 'extra': {},
                'description': 'users added by bench_tokens.py'}, now)])
        role = tables['role']
        role_id = conn.scalar(sa.select(role.c.id).where(
            role.c.name == 'member'))
        if users:
            user = tables['user']
            first = conn.scalar(sa.select(sa.func.count()).select_from(
                user).where(user.c.name.like('bench-grow-%')))
            user_rows, grants = [], []
            for index in range(first, first + users):
                user_id = uuid.uuid4().hex
                user_rows.append(_complete(user, {
                    'id': user_id, 'name': 'bench-grow-%07d' % index,
                    'domain_id': domain_id, 'enabled': True,
                    'password_hash': None, 'extra': {}, 'created_at': now,
                }, now))
                if role_id is not None:
                    grants.append(_complete(tables['assignment'], {
                        'type': 'UserProject', 'actor_id': user_id,
                        'target_id': project_id, 'role_id': role_id,
                        'inherited': False}, now))
            _insert(conn, user, user_rows)
            _insert(conn, tables['assignment'], grants)
            done['users'] = users
            done['assignments'] = len(grants)
        revision = None
        if 'revision' in tables:
            table = tables['revision']
            current = conn.scalar(sa.select(table.c.value).where(
                table.c.id == 1))
            if current is None:
                revision = 1
                conn.execute(table.insert(), [{'id': 1, 'value': 1}])
            else:
                revision = current + 1
                conn.execute(table.update().where(table.c.id == 1).values(
                    value=revision))
        if events:
            table = tables['revocation_event']
            rows = []
            for index in range(events):
                # Events of other users' tokens and of single tokens: none
                # matches the benchmark's token; all younger than any
                # pruning horizon.
                # (executemany wants the same keys in every row).
                row = {'issued_before': now, 'revoked_at': now,
                       'audit_id': None, 'user_id': None}
                if index % 2:
                    row['audit_id'] = uuid.uuid4().hex[:22]
                else:
                    row['user_id'] = uuid.uuid4().hex
                if revision is not None and 'revision' in table.columns:
                    row['revision'] = revision
                rows.append(_complete(table, row, now))
            _insert(conn, table, rows)
            done['events'] = events
    database.dispose()
    done['revision'] = revision
    done['seconds'] = time.monotonic() - started
    return done


def hash_time(rounds, count):
    import bcrypt

    salt = bcrypt.gensalt(rounds=rounds)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        bcrypt.hashpw(b'bench-password', salt)
        times.append(time.perf_counter() - started)
    return {'rounds': rounds, 'times_s': times,
            'median_s': statistics.median(times)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('createdb', 'dropdb'):
        sub.add_parser(name).add_argument('url')
    grow_parser = sub.add_parser('grow')
    grow_parser.add_argument('--config-file', required=True)
    grow_parser.add_argument('--users', type=int, default=0)
    grow_parser.add_argument('--events', type=int, default=0)
    hash_parser = sub.add_parser('hash-time')
    hash_parser.add_argument('--rounds', type=int, required=True)
    hash_parser.add_argument('--count', type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == 'createdb':
        result = createdb(args.url)
    elif args.command == 'dropdb':
        result = dropdb(args.url)
    elif args.command == 'grow':
        result = grow(args.config_file, args.users, args.events)
    else:
        result = hash_time(args.rounds, args.count)
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
