"""Copying a key repository to other nodes without breaking a live token.

Keystone's rotation protocol relies on one fact: the key a rotation
promotes (the staged key ``0``) is already on every node, so a token the
rotating node signs with it validates everywhere from the first second.
That holds only if the staged key was distributed *before* the promotion
and the copy itself never leaves a node without a key in use. So a copy
to one target goes in three steps, each file replaced atomically (a
temporary file renamed over the name), while the target's ``service-all``
keeps reading the directory:

1. the numbered keys (primary and secondaries) the target lacks, or holds
   with other contents; the promoted key arrives while the old staged key
   is still there;
2. the staged key ``0``;
3. the removal of keys the source no longer holds (purged by rotation).

Before writing, the target is checked: a numbered key whose contents
differ from the source's, or a target primary key the source does not hold
at all, means the target was rotated on its own (or is far behind), and
overwriting it would invalidate the tokens it signed; that is refused
unless ``force``. Key material is never logged or printed.
"""

import collections
import contextlib
import os
import tempfile

from keystone_like.token import keys

Copied = collections.namedtuple('Copied', 'target written staged removed '
                                          'unstaged_primary')
Copied.__doc__ = ('What distribute() did to one target: key ids written, '
                  'whether key 0 was replaced, key ids removed, and whether '
                  'the source primary was missing there before (the target '
                  'refused its tokens until now).')


class DistributionRefused(keys.KeyRepositoryError):
    """The target holds keys the source would overwrite or drop unsafely."""


def read_keys(path, kind=keys.TOKENS):
    """Return ``{key id: key bytes}`` of the repository at ``path``."""
    return dict(keys.load_ordered(path, kind))


def conflicts(source, target):
    """Return why copying ``source`` over ``target`` is unsafe, or ''.

    Both are ``{key id: key bytes}``. The staged key may differ (a
    rotation replaced it); a numbered key may not, and the target's
    primary key must be somewhere in the source.
    """
    differing = sorted(i for i in target if i != keys.STAGED and i in source
                       and source[i] != target[i])
    if differing:
        plural = 's' if len(differing) > 1 else ''
        return ('holds key%s %s with other contents than the source (it was '
                'rotated on its own)' % (plural,
                                         ', '.join(map(str, differing))))
    numbered = [i for i in target if i != keys.STAGED]
    if numbered and target[max(numbered)] not in source.values():
        return ('its primary key %d is not in the source at all (it was '
                'rotated on its own, or missed more rotations than '
                'max_active_keys keeps)' % max(numbered))
    return ''


def distribute(source, target, kind=keys.TOKENS, force=False, uid=-1,
               gid=-1):
    """Make the repository ``target`` a copy of ``source``; return Copied.

    ``target`` is created (mode 0700) if missing. The three steps of the
    module docstring run under the target's directory lock.
    """
    wanted = read_keys(source, kind)
    _make_directory(target, uid, gid, kind)
    with keys.locked(target, kind) as dir_fd:
        present = read_keys(target, kind) if keys.key_ids(target, kind) \
            else {}
        reason = conflicts(wanted, present)
        if reason and not force:
            raise DistributionRefused(
                '%s %s: %s; copying %s over it would invalidate the tokens '
                'it signed. Copy its keys to the source first, or pass '
                '--force if those tokens may die' % (
                    kind.repository, target, reason, source))
        unstaged = bool(present) and wanted[max(wanted)] not in \
            present.values()
        try:
            written = [i for i in sorted(wanted) if i != keys.STAGED
                       and present.get(i) != wanted[i]]
            for key_id in written:
                _write(target, key_id, wanted[key_id], uid, gid)
            staged = keys.STAGED in wanted and \
                present.get(keys.STAGED) != wanted[keys.STAGED]
            if staged:
                _write(target, keys.STAGED, wanted[keys.STAGED], uid, gid)
            removed = sorted(set(present) - set(wanted))
            for key_id in removed:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(target, str(key_id)))
            os.fsync(dir_fd)
        except OSError as exc:
            raise keys.unwritable(target, exc, kind) from None
    return Copied(target, written, staged, removed, unstaged)


def staged_key_everywhere(source, targets, kind=keys.TOKENS):
    """Return the targets whose staged key 0 differs from the source's."""
    staged = read_keys(source, kind).get(keys.STAGED)
    missing = []
    for target in targets:
        try:
            theirs = read_keys(target, kind).get(keys.STAGED)
        except keys.KeyRepositoryError:
            theirs = None
        if theirs is None or theirs != staged:
            missing.append(target)
    return missing


def _make_directory(path, uid, gid, kind):
    if os.path.isdir(path):
        return
    try:
        os.makedirs(path, mode=0o700)
        os.chmod(path, 0o700)
        if (uid, gid) != (-1, -1):
            os.chown(path, uid, gid)
    except OSError as exc:
        raise keys.KeyRepositoryError(
            'Cannot create %s %s: %s; create it, or give a writable '
            'directory' % (kind.repository, path, exc.strerror)) from None


def _write(path, key_id, material, uid, gid):
    """Replace key file ``key_id`` in ``path`` atomically (0600)."""
    fd, tmp_path = tempfile.mkstemp(prefix='.tmp-', dir=path)
    try:
        with os.fdopen(fd, 'wb') as stream:
            stream.write(material)
            stream.flush()
            os.fsync(stream.fileno())
            if (uid, gid) != (-1, -1):
                os.fchown(stream.fileno(), uid, gid)
        os.replace(tmp_path, os.path.join(path, str(key_id)))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise
