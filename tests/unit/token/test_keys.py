"""Tests of the Fernet key repository: layout, rotation, loading, caching."""

import logging
import os
import shutil
import stat

from cryptography import fernet
from oslo_config import cfg
import pytest

from keystone_like.conf import opts
from keystone_like.token import keys


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def contents(path):
    return {name: open(os.path.join(path, name), 'rb').read()
            for name in os.listdir(path)}


@pytest.fixture
def repo(tmp_path):
    path = str(tmp_path / 'fernet-keys')
    assert keys.setup(path, 3) is True
    return path


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_setup_layout(tmp_path):
    path = str(tmp_path / 'a' / 'b' / 'fernet-keys')
    assert keys.setup(path, 3, user=os.getuid(), group=os.getgid())
    assert mode(path) == 0o700
    assert sorted(os.listdir(path)) == ['0', '1']
    for name, data in contents(path).items():
        assert mode(os.path.join(path, name)) == 0o600
        fernet.Fernet(data)  # a valid key
    assert len(set(contents(path).values())) == 2


def test_setup_is_idempotent(repo):
    before = contents(repo)
    assert keys.setup(repo, 3) is False
    keys.rotate(repo, 3)
    rotated = contents(repo)
    assert keys.setup(repo, 3) is False
    assert contents(repo) == rotated != before


def test_setup_fills_an_existing_empty_directory(tmp_path):
    assert keys.setup(str(tmp_path), 3)
    assert keys.key_ids(str(tmp_path)) == [0, 1]


def test_setup_reports_a_path_that_cannot_be_a_directory(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    with pytest.raises(keys.KeyRepositoryError) as info:
        keys.setup(str(blocker / 'keys'), 3)
    assert str(blocker / 'keys') in str(info.value)


def test_rotation_sequence_matches_keystone(repo):
    staged = contents(repo)['0']
    result = keys.rotate(repo, 3)
    assert result == keys.RotationResult(2, [], [0, 1, 2])
    assert contents(repo)['2'] == staged  # old 0 is the new primary
    assert contents(repo)['0'] != staged
    staged = contents(repo)['0']
    assert keys.rotate(repo, 3) == keys.RotationResult(3, [1], [0, 2, 3])
    assert contents(repo)['3'] == staged
    assert keys.rotate(repo, 3) == keys.RotationResult(4, [2], [0, 3, 4])
    for name in os.listdir(repo):
        assert mode(os.path.join(repo, name)) == 0o600
    assert sorted(os.listdir(repo)) == ['0', '3', '4']  # no temp files


def test_max_active_keys_prunes_oldest_secondaries(repo):
    sizes = [len(keys.rotate(repo, 5).keys) for _ in range(6)]
    assert sizes == [3, 4, 5, 5, 5, 5]
    assert keys.key_ids(repo) == [0, 4, 5, 6, 7]
    # Lowering max_active_keys prunes down at the next rotation.
    assert keys.rotate(repo, 2) == keys.RotationResult(8, [4, 5, 6, 7],
                                                       [0, 8])


def test_load_order_primary_first_staged_last(repo):
    keys.rotate(repo, 3)  # 0 staged, 2 primary, 1 secondary
    files = {name: fernet.Fernet(data) for name, data in
             contents(repo).items()}
    multi = keys.load(repo)
    token = multi.encrypt(b'x')
    assert files['2'].decrypt(token) == b'x'
    for name in ('0', '1', '2'):
        assert multi.decrypt(files[name].encrypt(b'y')) == b'y'


def test_token_survives_rotations_within_max_active_keys(repo):
    token = keys.load(repo).encrypt(b'live')  # primary 1
    keys.rotate(repo, 4)
    keys.rotate(repo, 4)
    assert keys.load(repo).decrypt(token) == b'live'  # 1 is the oldest
    keys.rotate(repo, 4)
    with pytest.raises(fernet.InvalidToken):
        keys.load(repo).decrypt(token)


def test_staged_key_promoted_on_another_node_already_verifies(repo,
                                                              tmp_path):
    other = str(tmp_path / 'other-node')
    shutil.copytree(repo, other)
    keys.rotate(other, 3)
    token = keys.load(other).encrypt(b'from the other node')
    assert keys.load(repo).decrypt(token) == b'from the other node'


def test_cache_picks_up_rotation(repo):
    clock = FakeClock()
    cache = keys.KeyCache(repo, clock=clock)
    first = cache.get()
    old_token = first.encrypt(b'old')
    keys.rotate(repo, 3)
    assert cache.get() is first  # not looked at again within a second
    clock.now += 1.0
    second = cache.get()
    assert second is not first
    assert second.decrypt(old_token) == b'old'
    new_token = second.encrypt(b'new')
    assert keys.load(repo).decrypt(new_token) == b'new'
    primary = fernet.Fernet(contents(repo)['2'])
    assert primary.decrypt(new_token) == b'new'  # made with the new primary
    assert first.decrypt(new_token) == b'new'  # which was staged before
    clock.now += 1.0
    assert cache.get() is second  # nothing changed: no reload


def test_cache_keeps_keys_when_the_repository_breaks(repo, caplog):
    clock = FakeClock()
    cache = keys.KeyCache(repo, clock=clock)
    loaded = cache.get()
    shutil.rmtree(repo)
    clock.now += 1.0
    with caplog.at_level(logging.WARNING, logger=keys.__name__):
        assert cache.get() is loaded
        clock.now += 1.0
        assert cache.get() is loaded
    assert len(caplog.records) == 1  # said once, not every second
    assert 'does not exist' in caplog.text
    with pytest.raises(keys.KeyRepositoryError):
        keys.KeyCache(repo).get()


def assert_one_line_error(path, fragment):
    with pytest.raises(keys.KeyRepositoryError) as info:
        keys.load(path)
    message = str(info.value)
    assert '\n' not in message
    assert fragment in message
    assert 'run: service-manage fernet_setup' in message
    return message


def test_load_errors_name_path_and_fix(tmp_path):
    missing = str(tmp_path / 'missing')
    assert missing in assert_one_line_error(missing, 'does not exist')
    empty = tmp_path / 'empty'
    empty.mkdir()
    (empty / 'README').write_text('not a key')
    (empty / '.tmp-123').write_text('not a key')
    (empty / '01').write_text('not a key')
    assert_one_line_error(str(empty), 'holds no keys')
    a_file = tmp_path / 'a-file'
    a_file.write_text('')
    assert_one_line_error(str(a_file), 'is not a directory')


def test_load_error_on_bad_key(repo):
    with open(os.path.join(repo, '1'), 'w') as stream:
        stream.write('not-a-fernet-key')
    message = assert_one_line_error(repo, 'is not a valid key')
    assert os.path.join(repo, '1') in message
    assert 'not-a-fernet-key' not in message


def test_load_error_on_unreadable_key(repo):
    os.remove(os.path.join(repo, '1'))
    os.mkdir(os.path.join(repo, '1'))
    assert_one_line_error(repo, 'Cannot read')


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads any file')
def test_load_error_on_permission_denied(repo):
    os.chmod(os.path.join(repo, '1'), 0)
    assert_one_line_error(repo, 'Permission denied')


def test_load_accepts_a_trailing_newline(repo):
    path = os.path.join(repo, '1')
    data = open(path, 'rb').read()
    with open(path, 'wb') as stream:
        stream.write(data + b'\n')
    assert fernet.Fernet(data).decrypt(keys.load(repo).encrypt(b'z')) == b'z'


def test_rotate_errors(tmp_path):
    with pytest.raises(keys.KeyRepositoryError, match='does not exist'):
        keys.rotate(str(tmp_path / 'missing'), 3)
    with pytest.raises(keys.KeyRepositoryError, match='holds no keys'):
        keys.rotate(str(tmp_path), 3)
    with pytest.raises(ValueError, match='max_active_keys'):
        keys.rotate(str(tmp_path), 1)


def test_rotate_without_staged_key_makes_a_fresh_primary(repo, caplog):
    os.remove(os.path.join(repo, '0'))
    with caplog.at_level(logging.WARNING, logger=keys.__name__):
        assert keys.rotate(repo, 3).keys == [0, 1, 2]
    assert 'no staged key 0' in caplog.text
    keys.load(repo)


def test_repository_path(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf([], default_config_files=[])
    assert keys.repository_path(conf) == str(
        tmp_path / '.keystone_like' / 'fernet-keys')
    conf.set_override('state_dir', '/var/lib/kl')
    assert keys.repository_path(conf) == '/var/lib/kl/fernet-keys'
    conf.set_override('key_repository', '~/keys', 'fernet_tokens')
    assert keys.repository_path(conf) == str(tmp_path / 'keys')
