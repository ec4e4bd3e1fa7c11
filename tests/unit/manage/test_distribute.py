"""service-manage fernet_distribute, credential_distribute and
fernet_rotate/credential_rotate --distribute-to on real directories."""

import pytest

from keystone_like.server import errors
from keystone_like.token import distribution
from keystone_like.token import keys
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

manage = support.manage
manage_db = support.manage_db


def _keys(path):
    return distribution.read_keys(str(path))


def test_distribute_copies_and_reports(manage, tmp_path):
    assert manage('fernet_setup').code == errors.EXIT_OK
    b, c = tmp_path / 'b', tmp_path / 'c'
    run = manage('fernet_distribute', '--to', str(b), '--to', str(c))
    assert run.code == errors.EXIT_OK, run.err
    assert run.out.splitlines() == [
        'copied          %s: wrote key 1, replaced staged key 0' % b,
        'copied          %s: wrote key 1, replaced staged key 0' % c]
    assert _keys(b) == _keys(c) == _keys(manage.key_repository)
    run = manage('fernet_distribute', '--to', str(b))
    assert run.out == 'in sync         %s\n' % b


def test_distribute_needs_a_target(manage):
    run = manage('fernet_distribute')
    assert run.code == errors.EXIT_USAGE
    assert '--to' in run.err


def test_rotate_with_distribution_follows_the_protocol(manage, tmp_path):
    assert manage('fernet_setup').code == errors.EXIT_OK
    source = manage.key_repository
    b, c = tmp_path / 'b', tmp_path / 'c'
    staged = (source / '0').read_bytes()
    run = manage('fernet_rotate', '--distribute-to', str(b),
                 '--distribute-to', str(c))
    assert run.code == errors.EXIT_OK, run.err
    lines = run.out.splitlines()
    # First every node gets the staged key, then the rotation, then the rest.
    assert lines[0] == 'Before rotating: every node gets the staged key.'
    assert lines[1:3] == [
        'copied          %s: wrote key 1, replaced staged key 0' % n
        for n in (b, c)]
    assert lines[3].startswith('Rotated Fernet keys')
    assert lines[-3] == 'After rotating: every node gets the new keys.'
    assert lines[-2:] == [
        'copied          %s: wrote key 2, replaced staged key 0' % n
        for n in (b, c)]
    for node in (b, c):
        assert _keys(node) == _keys(source)
        assert _keys(node)[2] == staged


def test_rotation_is_not_done_when_a_node_refuses(manage, tmp_path):
    assert manage('fernet_setup').code == errors.EXIT_OK
    other = tmp_path / 'other'
    keys.setup(str(other), 3)        # another deployment's keys
    before = _keys(manage.key_repository)
    run = manage('fernet_rotate', '--distribute-to', str(other))
    assert run.code == errors.EXIT_NOINPUT
    line = support.one_line_error(run, 'fernet_rotate')
    assert 'holds key 1 with other contents' in line and '--force' in line
    assert _keys(manage.key_repository) == before


def test_credential_rotation_distribution_and_migration(manage_db, tmp_path):
    for command in ('db_sync', 'credential_setup'):
        assert manage_db(command).code == errors.EXIT_OK
    source = manage_db.state_dir / 'credential-keys'
    b = tmp_path / 'b'
    run = manage_db('credential_distribute', '--to', str(b))
    assert run.code == errors.EXIT_OK, run.err
    run = manage_db('credential_rotate', '--distribute-to', str(b))
    assert run.code == errors.EXIT_OK, run.err
    assert _keys(b) == _keys(source)
    assert sorted(_keys(b)) == [0, 1, 2]
    assert manage_db('credential_migrate').code == errors.EXIT_OK
