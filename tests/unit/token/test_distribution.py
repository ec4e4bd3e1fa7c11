"""Copying a key repository to another node's: order, refusals, no-ops."""

import os
import shutil
import stat
import subprocess

import pytest

from keystone_like.token import distribution
from keystone_like.token import keys


def contents(path):
    return distribution.read_keys(str(path))


@pytest.fixture
def source(tmp_path):
    path = str(tmp_path / 'a')
    keys.setup(path, 3)
    return path


def test_copy_to_a_missing_directory(source, tmp_path):
    target = str(tmp_path / 'b' / 'keys')
    copied = distribution.distribute(source, target)
    assert copied.written == [1] and copied.staged and copied.removed == []
    assert not copied.unstaged_primary
    assert contents(target) == contents(source)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    for name in ('0', '1'):
        assert stat.S_IMODE(os.stat(os.path.join(target, name)).st_mode) \
            == 0o600
    assert not [n for n in os.listdir(target) if n.startswith('.tmp-')]


def test_a_copy_in_sync_changes_nothing(source, tmp_path):
    target = str(tmp_path / 'b')
    distribution.distribute(source, target)
    before = {n: os.stat(os.path.join(target, n)).st_ino
              for n in os.listdir(target)}
    copied = distribution.distribute(source, target)
    assert (copied.written, copied.staged, copied.removed) == ([], False, [])
    assert {n: os.stat(os.path.join(target, n)).st_ino
            for n in os.listdir(target)} == before


def test_every_intermediate_state_holds_the_keys_in_use(source, tmp_path,
                                                        monkeypatch):
    """While the copy runs, the target node must at every instant hold the
    keys that sign live tokens: its own primary and the promoted one."""
    target = str(tmp_path / 'b')
    distribution.distribute(source, target)
    for _ in range(4):      # beyond max_active_keys: purges happen too
        old_primary = contents(source)[max(contents(source))]
        keys.rotate(source, 3)
        new_primary = contents(source)[max(contents(source))]
        seen = []
        real_replace, real_remove = os.replace, os.remove

        def snapshot():
            seen.append(set(contents(target).values()))

        def replace(src, dst, *args, **kwargs):
            real_replace(src, dst, *args, **kwargs)
            snapshot()

        def remove(path, *args, **kwargs):
            real_remove(path, *args, **kwargs)
            snapshot()

        monkeypatch.setattr(distribution.os, 'replace', replace)
        monkeypatch.setattr(distribution.os, 'remove', remove)
        copied = distribution.distribute(source, target)
        monkeypatch.undo()
        assert len(seen) >= 2, copied
        for state in seen:
            assert old_primary in state and new_primary in state
        assert contents(target) == contents(source)


def test_a_target_rotated_on_its_own_is_refused(source, tmp_path):
    target = str(tmp_path / 'b')
    distribution.distribute(source, target)
    keys.rotate(target, 3)      # promotes the shared staged key: still safe
    keys.rotate(target, 3)      # promotes a key only b has: not safe
    before = contents(target)
    with pytest.raises(distribution.DistributionRefused) as info:
        distribution.distribute(source, target)
    message = str(info.value)
    assert target in message and '--force' in message
    assert 'rotated on its own' in message
    assert contents(target) == before
    distribution.distribute(source, target, force=True)
    assert contents(target) == contents(source)


def test_a_numbered_key_with_other_contents_is_refused(source, tmp_path):
    target = str(tmp_path / 'b')
    keys.setup(target, 3)       # set up separately: key 1 differs
    with pytest.raises(distribution.DistributionRefused,
                       match='holds key 1 with other contents'):
        distribution.distribute(source, target)


def test_a_missed_staged_key_is_reported(source, tmp_path):
    target = str(tmp_path / 'b')
    distribution.distribute(source, target)
    keys.rotate(source, 5)
    keys.rotate(source, 5)      # b never got the key promoted now
    copied = distribution.distribute(source, target)
    assert copied.unstaged_primary


def test_staged_key_everywhere(source, tmp_path):
    b, c = str(tmp_path / 'b'), str(tmp_path / 'c')
    distribution.distribute(source, b)
    assert distribution.staged_key_everywhere(source, [b, c]) == [c]
    distribution.distribute(source, c)
    assert distribution.staged_key_everywhere(source, [b, c]) == []
    keys.rotate(source, 3)
    assert distribution.staged_key_everywhere(source, [b, c]) == [b, c]


def test_credential_repositories_use_their_own_names(tmp_path):
    source = str(tmp_path / 'creds')
    keys.setup(source, 3, kind=keys.CREDENTIALS)
    target = str(tmp_path / 'other')
    keys.setup(target, 3, kind=keys.CREDENTIALS)
    with pytest.raises(distribution.DistributionRefused,
                       match='^Credential key repository'):
        distribution.distribute(source, target, kind=keys.CREDENTIALS)


def test_the_documented_rsync_passes_keep_the_keys_in_use(source, tmp_path):
    """README's three rsync passes (numbered keys, then 0, then --delete)
    between two local directories: after each pass the target holds its
    old primary key and the promoted one. --checksum is needed: a new
    key file of the same size and second as the old one is skipped by
    rsync's size-and-mtime check (seen here without it)."""
    rsync = shutil.which('rsync')
    if rsync is None:
        pytest.skip('rsync is not installed')
    target = str(tmp_path / 'b')
    distribution.distribute(source, target)
    for _ in range(3):
        old_primary = contents(source)[max(contents(source))]
        keys.rotate(source, 3)
        new_primary = contents(source)[max(contents(source))]
        passes = (['-a', '--checksum', '--exclude=0', source + '/',
                   target + '/'],
                  ['-a', '--checksum', os.path.join(source, '0'),
                   os.path.join(target, '0')],
                  ['-a', '--checksum', '--delete', source + '/',
                   target + '/'])
        for argv in passes:
            subprocess.run([rsync] + argv, check=True, timeout=30)
            held = set(contents(target).values())
            assert old_primary in held and new_primary in held, argv
        assert contents(target) == contents(source)
