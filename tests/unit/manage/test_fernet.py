"""service-manage fernet_setup and fernet_rotate on a real key repository."""

import os
import pwd

import pytest

from keystone_like.manage import fernet_setup
from keystone_like.server import errors
from keystone_like.token import keys
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason='changing owners needs root')


def _key_ids(path):
    return sorted(int(name) for name in os.listdir(path)
                  if not name.startswith('.'))


def test_setup_creates_then_leaves_the_repository_alone(manage):
    first = manage('fernet_setup')
    assert first.code == errors.EXIT_OK, first.err
    path = manage.key_repository
    assert first.out == ('Created Fernet key repository %s with staged key 0 '
                         'and primary key 1.\n' % path)
    assert _key_ids(path) == [0, 1]
    assert os.stat(path).st_mode & 0o777 == 0o700
    contents = {i: (path / str(i)).read_bytes() for i in (0, 1)}
    second = manage('fernet_setup')
    assert second.code == errors.EXIT_OK, second.err
    assert second.out == ('Fernet key repository %s already has keys 0, 1; '
                          'left unchanged.\n' % path)
    assert {i: (path / str(i)).read_bytes() for i in (0, 1)} == contents
    keys.load(str(path))


def test_key_repository_option_is_used(manage, tmp_path):
    path = tmp_path / 'elsewhere' / 'keys'
    manage.set('fernet_tokens', key_repository=path)
    assert manage('fernet_setup').code == errors.EXIT_OK
    assert _key_ids(path) == [0, 1]
    assert not manage.key_repository.exists()


def test_rotation_sequence(manage):
    manage.set('fernet_tokens', max_active_keys=3)
    assert manage('fernet_setup').code == errors.EXIT_OK
    path = manage.key_repository
    expected = [(2, [], [0, 1, 2]), (3, [1], [0, 2, 3]),
                (4, [2], [0, 3, 4])]
    for primary, purged, present in expected:
        staged = (path / '0').read_bytes()
        run = manage('fernet_rotate')
        assert run.code == errors.EXIT_OK, run.err
        lines = run.out.splitlines()
        assert lines[0] == ('Rotated Fernet keys in %s: key %d is the new '
                            'primary key.' % (path, primary))
        if purged:
            assert lines[1] == ('Removed key %d (beyond max_active_keys = '
                                '3).' % purged[0])
        assert lines[-1] == 'Keys now present: %s.' % ', '.join(
            str(i) for i in present)
        assert _key_ids(path) == present
        # The staged key every node had is the one that became primary.
        assert (path / str(primary)).read_bytes() == staged
        assert (path / '0').read_bytes() != staged


def test_rotate_without_repository(manage):
    run = manage('fernet_rotate')
    assert run.code == errors.EXIT_NOINPUT
    line = support.one_line_error(run, 'fernet_rotate')
    assert ('Fernet key repository %s does not exist; run: service-manage '
            'fernet_setup' % manage.key_repository) in line
    assert not manage.key_repository.exists()


def test_rotate_empty_repository(manage):
    manage.key_repository.mkdir(parents=True)
    run = manage('fernet_rotate')
    assert run.code == errors.EXIT_NOINPUT
    assert 'holds no keys' in support.one_line_error(run, 'fernet_rotate')


def test_rotate_without_staged_key_warns(manage):
    assert manage('fernet_setup').code == errors.EXIT_OK
    (manage.key_repository / '0').unlink()
    run = manage('fernet_rotate')
    assert run.code == errors.EXIT_OK, run.err
    assert run.out.startswith('Warning: %s has no staged key 0'
                              % manage.key_repository)
    assert _key_ids(manage.key_repository) == [0, 1, 2]


@needs_root
@pytest.mark.parametrize('command', ['fernet_setup', 'fernet_rotate'])
def test_owner_is_applied(manage, command):
    if command == 'fernet_rotate':
        assert manage('fernet_setup').code == errors.EXIT_OK
    nobody = pwd.getpwnam('nobody')
    run = manage(command, '--keystone-user', 'nobody',
                 '--keystone-group', str(nobody.pw_gid))
    assert run.code == errors.EXIT_OK, run.err
    assert 'owned by user nobody (%d) and group' % nobody.pw_uid in run.out
    path = manage.key_repository
    for item in [path] + [path / str(i) for i in _key_ids(path)]:
        stat = os.stat(item)
        assert (stat.st_uid, stat.st_gid) == (nobody.pw_uid, nobody.pw_gid)


def test_unknown_owner(manage):
    run = manage('fernet_setup', '--keystone-user', 'no-such-user-kl')
    assert run.code == errors.EXIT_USAGE
    line = support.one_line_error(run, 'fernet_setup')
    assert '--keystone-user no-such-user-kl: no such user' in line
    assert not manage.key_repository.exists()
    run = manage('fernet_setup', '--keystone-group', 'no-such-group-kl')
    assert '--keystone-group no-such-group-kl: no such group' in \
        support.one_line_error(run, 'fernet_setup')


def test_foreign_owner_needs_root(manage, monkeypatch):
    # Pretend to be an ordinary user: the check happens before any change.
    monkeypatch.setattr(fernet_setup.os, 'geteuid', lambda: 4242)
    monkeypatch.setattr(fernet_setup.os, 'getegid', lambda: 4242)
    monkeypatch.setattr(fernet_setup.os, 'getgroups', lambda: [4242])
    run = manage('fernet_setup', '--keystone-user', '0')
    assert run.code == errors.EXIT_USAGE
    assert 'needs root' in support.one_line_error(run, 'fernet_setup')
    assert not manage.key_repository.exists()
