"""service-manage check: the database, key and hashing checks it adds."""

import socket

import pytest

from keystone_like.server import errors
from tests.support import service
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage
manage_db = support.manage_db


@pytest.fixture
def ready(manage_db, monkeypatch):
    monkeypatch.setenv('OS_BOOTSTRAP_PASSWORD', 'not checked here')
    run = manage_db('setup')
    assert run.code == errors.EXIT_OK, run.err
    return manage_db


def test_check_passes_after_setup(ready):
    run = ready('check')
    assert run.code == errors.EXIT_OK, run.err
    lines = run.out.splitlines()
    assert lines[-1] == 'All checks passed.'
    assert any(line.startswith('ok: database ') and 'is reachable and at '
               'revision' in line for line in lines)
    assert 'ok: Fernet key repository %s loads (keys 0, 1)' % (
        ready.key_repository) in lines
    assert 'ok: password hashing: bcrypt' in lines
    assert 'ok: public listener can bind 127.0.0.1:%d' % (
        ready.public_port) in lines


def test_unmigrated_database(manage_db):
    run = manage_db('check', '--skip-ports')
    assert run.code == errors.EXIT_CONFIG
    assert support.one_line_error(run, 'check').endswith(
        'has no schema; run: service-manage db_sync')
    assert run.out.startswith('ok: configuration is valid')


def test_unreachable_database(manage):
    manage.set('database', connection='postgresql+psycopg2://kl@127.0.0.1:'
                                      '%d/identity' % service.free_port())
    run = manage('check', '--skip-ports')
    assert run.code == 69
    assert 'cannot reach the database' in support.one_line_error(run, 'check')


def test_missing_keys(manage):
    assert manage('db_sync').code == errors.EXIT_OK
    run = manage('check', '--skip-ports')
    assert run.code == errors.EXIT_NOINPUT
    assert support.one_line_error(run, 'check').endswith(
        'Fernet key repository %s does not exist; run: service-manage '
        'fernet_setup' % manage.key_repository)


def test_bad_key_file(ready):
    (ready.key_repository / '1').write_text('garbage')
    run = ready('check', '--skip-ports')
    assert run.code == errors.EXIT_NOINPUT
    assert 'is not a valid key' in support.one_line_error(run, 'check')


def test_bad_hash_rounds(ready):
    ready.set('identity', password_hash_rounds=40)
    run = ready('check', '--skip-ports')
    assert run.code == errors.EXIT_CONFIG
    assert '[identity] password_hash_rounds = 40 is out of range' in \
        support.one_line_error(run, 'check')


def test_port_in_use(ready):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', ready.admin_port))
        busy.listen(1)
        run = ready('check')
    assert run.code == errors.EXIT_OSERR
    assert 'already in use' in support.one_line_error(run, 'check')
