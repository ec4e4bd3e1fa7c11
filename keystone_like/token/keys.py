"""Fernet key repositories, laid out as Keystone's: tokens and credentials.

A directory of files named ``0``, ``1``, ... ``N``, each holding one Fernet
key (32 random bytes, url-safe base64). ``0`` is the *staged* key: every
node already has it, so it can become the primary anywhere without
breaking the others. The highest number is the *primary* key, which
encrypts new tokens; the rest are *secondary* keys that still decrypt the
tokens they made. ``rotate`` promotes the staged key to primary, writes a
new staged key and drops the oldest secondaries beyond ``max_active_keys``
(staged + primary + secondaries), exactly as ``keystone-manage
fernet_rotate`` does, so rotating more often than the token lifetime
divided by ``max_active_keys - 2`` never invalidates a live token.

The token keys and the credential keys (which encrypt credential blobs at
rest) are two repositories of the same layout and rotation rules; a
:class:`Kind` says which one a function works on (its name in messages, its
option group, the command that creates it). Errors name the path and the
fix in one line. Key material is never logged.
"""

import collections
import contextlib
import dataclasses
import fcntl
import grp
import logging
import os
import pwd
import re
import tempfile
import time

from cryptography import fernet

LOG = logging.getLogger(__name__)

STAGED = 0
_KEY_NAME = re.compile(r'0|[1-9][0-9]{0,8}')
_MAX_KEY_FILE = 4096

RotationResult = collections.namedtuple('RotationResult',
                                        'promoted purged keys')
RotationResult.__doc__ = ('What rotate() did: the new primary key id, the '
                          'ids removed and the ids now present.')


@dataclasses.dataclass(frozen=True)
class Kind:
    """What tells one key repository from another (never the layout)."""

    name: str           # 'Fernet' or 'Credential', as in 'Fernet key file'
    group: str          # its option group: key_repository, max_active_keys
    directory: str      # its directory in state_dir by default
    setup_command: str  # the service-manage command creating it

    @property
    def repository(self):
        """How messages name the repository: ``Fernet key repository``."""
        return '%s key repository' % self.name

    @property
    def fix(self):
        """The usual fix of a missing or broken repository."""
        return 'run: service-manage %s' % self.setup_command


TOKENS = Kind('Fernet', 'fernet_tokens', 'fernet-keys', 'fernet_setup')
CREDENTIALS = Kind('Credential', 'credential', 'credential-keys',
                   'credential_setup')


class KeyRepositoryError(Exception):
    """The key repository is missing, empty, unreadable or holds a bad key."""


def repository_path(conf, kind=TOKENS):
    """Return the repository path (default ``state_dir/kind.directory``)."""
    path = conf[kind.group].key_repository
    if not path:
        path = os.path.join(os.path.expanduser(conf.state_dir),
                            kind.directory)
    return os.path.abspath(os.path.expanduser(path))


def key_ids(path, kind=TOKENS):
    """Return the sorted ids of the key files in ``path``."""
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        raise KeyRepositoryError('%s %s does not exist; %s'
                                 % (kind.repository, path, kind.fix)) from None
    except NotADirectoryError:
        raise KeyRepositoryError('%s %s is not a directory; %s' % (
            kind.repository, path, kind.fix)) from None
    except OSError as exc:
        raise _unreadable(path, exc, kind) from None
    return sorted(int(name) for name in names if _KEY_NAME.fullmatch(name))


def setup(path, max_active_keys, user=None, group=None, kind=TOKENS):
    """Create the repository with keys 0 and 1; return False if it had keys.

    An existing repository with keys is left untouched (idempotent).
    ``user`` and ``group`` (names or ids) own what is created.
    """
    _check_max_active_keys(max_active_keys, kind)
    uid, gid = _owner(user, group, kind)
    try:
        if not os.path.isdir(path):
            os.makedirs(path, mode=0o700)
            os.chmod(path, 0o700)
            if (uid, gid) != (-1, -1):
                os.chown(path, uid, gid)
    except OSError as exc:
        raise KeyRepositoryError(
            'Cannot create %s %s: %s; create it or set [%s] key_repository'
            % (kind.repository, path, exc.strerror, kind.group)) from None
    with locked(path, kind) as dir_fd:
        if key_ids(path, kind):
            return False
        try:
            _write_key(path, 1, uid, gid)
            _write_key(path, STAGED, uid, gid)
            os.fsync(dir_fd)
        except OSError as exc:
            raise unwritable(path, exc, kind) from None
    LOG.info('Created %s %s with keys 0 and 1', kind.repository, path)
    return True


def purged_by_rotation(ids, max_active_keys):
    """Return the key ids a rotation of a repository holding ``ids`` removes.

    The staged key becomes the primary, so the oldest secondaries beyond
    ``max_active_keys`` (staged + primary + secondaries) go.
    """
    promoted = max(ids, default=0) + 1
    kept = sorted([i for i in ids if i != STAGED] + [promoted], reverse=True)
    return sorted(kept[max_active_keys - 1:])


def rotate(path, max_active_keys, user=None, group=None, kind=TOKENS):
    """Promote staged key 0 to primary, stage a new key, purge old ones."""
    _check_max_active_keys(max_active_keys, kind)
    uid, gid = _owner(user, group, kind)
    with locked(path, kind) as dir_fd:
        ids = key_ids(path, kind)
        if not ids:
            raise KeyRepositoryError('%s %s holds no keys; %s'
                                     % (kind.repository, path, kind.fix))
        promoted = ids[-1] + 1
        try:
            if STAGED in ids:
                _promote_staged(path, promoted, uid, gid)
            else:
                LOG.warning('%s %s has no staged key 0; the new primary key '
                            '%d is a fresh key other nodes lack until the '
                            'repository is copied to them', kind.repository,
                            path, promoted)
                _write_key(path, promoted, uid, gid)
                _write_key(path, STAGED, uid, gid)
            purged = purged_by_rotation(ids, max_active_keys)
            for key_id in purged:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(path, str(key_id)))
            os.fsync(dir_fd)
        except OSError as exc:
            raise unwritable(path, exc, kind) from None
    LOG.info('Rotated %s keys in %s: key 0 promoted to primary key %d, '
             'purged %s', kind.name, path, promoted, purged or 'none')
    return RotationResult(promoted, purged, key_ids(path, kind))


def load_ordered(path, kind=TOKENS):
    """Return ``[(key id, key bytes)]``: primary, secondaries, staged last."""
    keys = _read_keys(path, kind)
    order = sorted((i for i in keys if i != STAGED), reverse=True)
    if STAGED in keys:
        order.append(STAGED)
    return [(i, keys[i]) for i in order]


def load(path, kind=TOKENS):
    """Return a MultiFernet: primary key first, secondaries, staged last."""
    return fernet.MultiFernet([fernet.Fernet(material) for _key_id, material
                               in load_ordered(path, kind)])


class KeyCache:
    """The keys of one repository, reloaded when its key files change.

    The directory is looked at no more than once per ``check_interval``
    seconds, so rotation on disk is picked up while serving. If a reload
    fails after keys were loaded, the keys in hand stay in use.
    """

    def __init__(self, path, check_interval=1.0, clock=time.monotonic,
                 kind=TOKENS, loader=load):
        self.path = path
        self.kind = kind
        # What is cached: load's MultiFernet, or another view of the keys.
        self._loader = loader
        self._check_interval = check_interval
        self._clock = clock
        self._state = None
        self._next_check = 0.0
        self._last_error = None

    def get(self):
        """Return the current MultiFernet, loading it if the files changed."""
        now = self._clock()
        state = self._state
        if state is not None and now < self._next_check:
            return state[1]
        self._next_check = now + self._check_interval
        try:
            # Signature first: a change racing the load is seen next time.
            signature = _signature(self.path, self.kind)
            if state is not None and signature == state[0]:
                return state[1]
            keys = self._loader(self.path, self.kind)
        except KeyRepositoryError as exc:
            if state is None:
                raise
            if str(exc) != self._last_error:
                LOG.warning('%s; still using the keys loaded before', exc)
                self._last_error = str(exc)
            return state[1]
        self._state = (signature, keys)
        self._last_error = None
        return keys


def _check_max_active_keys(max_active_keys, kind):
    if max_active_keys < 2:
        raise ValueError('[%s] max_active_keys = %d is below 2 '
                         '(staged + primary)' % (kind.group, max_active_keys))


def _owner(user, group, kind):
    try:
        uid = -1 if user is None else (
            user if isinstance(user, int) else pwd.getpwnam(user).pw_uid)
        gid = -1 if group is None else (
            group if isinstance(group, int) else grp.getgrnam(group).gr_gid)
    except KeyError:
        raise KeyRepositoryError('Unknown user %r or group %r for the %s'
                                 % (user, group, kind.repository)) from None
    return uid, gid


@contextlib.contextmanager
def locked(path, kind):
    """Hold an exclusive lock on the directory: one writer at a time."""
    try:
        dir_fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise KeyRepositoryError('%s %s does not exist; %s'
                                 % (kind.repository, path, kind.fix)) from None
    except OSError as exc:
        raise _unreadable(path, exc, kind) from None
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)
        yield dir_fd
    finally:
        os.close(dir_fd)


def _new_key_file(path, uid, gid):
    """Write a new key to a 0600 temporary file in ``path``; return it."""
    fd, tmp_path = tempfile.mkstemp(prefix='.tmp-', dir=path)
    try:
        with os.fdopen(fd, 'wb') as stream:
            stream.write(fernet.Fernet.generate_key())
            stream.flush()
            os.fsync(stream.fileno())
            if (uid, gid) != (-1, -1):
                os.fchown(stream.fileno(), uid, gid)
    except BaseException:
        os.unlink(tmp_path)
        raise
    return tmp_path


def _write_key(path, key_id, uid, gid):
    os.replace(_new_key_file(path, uid, gid), os.path.join(path, str(key_id)))


def _promote_staged(path, promoted, uid, gid):
    staged = os.path.join(path, str(STAGED))
    tmp_path = _new_key_file(path, uid, gid)
    try:
        # A hard link then an atomic replace of 0: no reader ever sees the
        # repository without its staged key.
        os.link(staged, os.path.join(path, str(promoted)))
    except OSError:
        os.rename(staged, os.path.join(path, str(promoted)))
    os.replace(tmp_path, staged)


def _read_keys(path, kind):
    for attempt in range(3):
        try:
            keys = {i: _read_key(path, i, kind) for i in key_ids(path, kind)}
        except FileNotFoundError:
            continue  # a rotation removed a file between listing and reading
        if not keys:
            raise KeyRepositoryError('%s %s holds no keys (files named 0, 1, '
                                     '...); %s' % (kind.repository, path,
                                                   kind.fix))
        return keys
    raise KeyRepositoryError('%s %s kept changing while being read; try '
                             'again' % (kind.repository, path))


def _read_key(path, key_id, kind):
    """Return the key bytes of one file, checked to be a Fernet key."""
    key_path = os.path.join(path, str(key_id))
    try:
        with open(key_path, 'rb') as stream:
            data = stream.read(_MAX_KEY_FILE)
    except FileNotFoundError:
        raise  # vanished in a rotation: _read_keys lists again
    except OSError as exc:
        raise _unreadable(key_path, exc, kind) from None
    try:
        fernet.Fernet(data.strip())
    except (TypeError, ValueError):
        raise KeyRepositoryError(
            '%s key file %s is not a valid key (32 url-safe base64 bytes); '
            'restore the repository from another node, or move it away and '
            '%s' % (kind.name, key_path, kind.fix)) from None
    return data.strip()


def _signature(path, kind):
    """Return what identifies the current key files (names, inodes, mtimes)."""
    entries = []
    for key_id in key_ids(path, kind):
        try:
            stat = os.stat(os.path.join(path, str(key_id)))
        except FileNotFoundError:
            continue
        entries.append((key_id, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def _unreadable(path, exc, kind):
    return KeyRepositoryError('Cannot read %s %s: %s; let the service user '
                              'read it or %s' % (kind.repository, path,
                                                 exc.strerror or exc,
                                                 kind.fix))


def unwritable(path, exc, kind):
    """Return the KeyRepositoryError of a repository that cannot be written."""
    return KeyRepositoryError('Cannot write %s %s: %s; run this as the owner '
                              'of the repository' % (kind.repository, path,
                                                     exc.strerror or exc))
