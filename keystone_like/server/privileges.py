"""Dropping root: ``[DEFAULT] user`` and ``group``.

The master resolves the names at start-up (a typo fails before anything
forks) and stays as it started: it owns the listening sockets and must be
able to bind new ones, read root-only keys and certificates again on
reload. Each generation leader drops privileges after loading its
applications and TLS material and before forking workers, so workers
never run as root. Supplementary groups are set to those of ``user``
(``initgroups``), then the gid, then the uid: the order in which each
call is still allowed.

After dropping, :func:`check_access` makes the usual mistake (a state
directory or key repository that only root can read) one clear line
instead of every request failing.
"""

import dataclasses
import grp
import os
import pwd

from keystone_like import db
from keystone_like.server import errors
from keystone_like.token import keys


@dataclasses.dataclass(frozen=True)
class Credentials:
    """Who the serving processes run as."""

    user: str
    uid: int
    gid: int
    groups: tuple

    def describe(self):
        """'user nobody (uid 65534, gid 65534)'."""
        return 'user %s (uid %d, gid %d)' % (self.user, self.uid, self.gid)


def resolve(conf):
    """Return the Credentials ``conf`` asks for, or None to stay as is.

    Raises StartupError for an unknown user or group, or when switching
    needs root and we are not root.
    """
    if not conf.user and not conf.group:
        return None
    if conf.user:
        entry = _user(conf.user)
    else:
        entry = pwd.getpwuid(os.geteuid())
    gid = _group(conf.group) if conf.group else entry.pw_gid
    groups = tuple(os.getgrouplist(entry.pw_name, gid))
    creds = Credentials(entry.pw_name, entry.pw_uid, gid, groups)
    if (creds.uid, creds.gid) == (os.geteuid(), os.getegid()):
        return None                     # already there: nothing to drop
    if os.geteuid() != 0:
        raise errors.StartupError(
            '[DEFAULT] user = %s / group = %s needs service-all to start as '
            'root (it runs as uid %d); start it as root or unset user and '
            'group.' % (conf.user, conf.group, os.geteuid()),
            errors.EXIT_CONFIG)
    return creds


def _user(value):
    try:
        if value.isdigit():
            return pwd.getpwuid(int(value))
        return pwd.getpwnam(value)
    except KeyError:
        raise errors.StartupError(
            '[DEFAULT] user = %s is not a user on this system; set it to an '
            'existing user name or uid.' % value, errors.EXIT_CONFIG) from None


def _group(value):
    try:
        if value.isdigit():
            return grp.getgrgid(int(value)).gr_gid
        return grp.getgrnam(value).gr_gid
    except KeyError:
        raise errors.StartupError(
            '[DEFAULT] group = %s is not a group on this system; set it to '
            'an existing group name or gid.' % value,
            errors.EXIT_CONFIG) from None


def drop(creds):
    """Switch this process to ``creds`` for good (groups, gid, then uid)."""
    os.setgroups(list(creds.groups))
    os.setgid(creds.gid)
    os.setuid(creds.uid)
    if os.getuid() != creds.uid or os.geteuid() != creds.uid:
        raise errors.StartupError('could not switch to %s'
                                  % creds.describe(), errors.EXIT_FAILURE)


def check_access(conf, creds):
    """Raise StartupError if ``creds`` (now ours) cannot use state files."""
    repositories = [(keys.repository_path(conf, kind), kind)
                    for kind in (keys.TOKENS, keys.CREDENTIALS)]
    problems = []
    for repository, kind in repositories:
        problems.extend(_key_problems(repository, kind))
    sqlite = _sqlite_file(conf)
    if sqlite is not None:
        directory = os.path.dirname(sqlite)
        if os.path.exists(sqlite) and not _can(sqlite, os.R_OK | os.W_OK):
            problems.append('read and write the database %s' % sqlite)
        # SQLite creates its journal next to the database file.
        elif not _can(directory, os.W_OK | os.X_OK):
            problems.append('write in the database directory %s' % directory)
    if problems:
        raise errors.StartupError(
            '%s cannot %s; give that user access (e.g. chown -R %s %s) or '
            'change [DEFAULT] user.' % (
                creds.describe(), problems[0], creds.user,
                _owner_hint(problems[0], [r for r, _k in repositories],
                            sqlite)),
            errors.EXIT_NOINPUT)


def _key_problems(repository, kind):
    """What ``creds`` cannot do with one key repository (at most one)."""
    if not _can(repository, os.R_OK | os.X_OK):
        return ['read the %s %s' % (kind.repository, repository)]
    for key_id in keys.key_ids(repository, kind):
        path = os.path.join(repository, str(key_id))
        if not _can(path, os.R_OK):
            return ['read the key file %s' % path]
    return []


def _can(path, mode):
    return os.access(path, mode)


def _sqlite_file(conf):
    # Not db.connection_url(): that creates the state directory.
    url = conf.database.connection or 'sqlite:///' + os.path.join(
        os.path.abspath(os.path.expanduser(conf.state_dir)), db.DB_FILE_NAME)
    prefix = 'sqlite:///'
    if not url.startswith(prefix) or url == prefix + ':memory:':
        return None
    return os.path.abspath(url[len(prefix):].partition('?')[0])


def _owner_hint(problem, repositories, sqlite):
    for repository in repositories:
        if repository in problem:
            return repository
    return os.path.dirname(sqlite) if sqlite else '<path>'
