"""Dropping root: ``[DEFAULT] user`` and ``group``.

The master resolves the names at start-up (a typo fails before anything
forks) and stays as it started: it owns the listening sockets and must be
able to bind new ones, read root-only keys and certificates again on
reload. Each generation leader drops privileges after loading its
applications and TLS material and before forking workers, so workers
never run as root. Supplementary groups are set to those of ``user``
(``initgroups``), then the gid, then the uid: the order in which each
call is still allowed.

After dropping, the applications' ``after_privilege_drop`` hooks
(``keystone_like.server.hooks``) check what they need is readable.
"""

import dataclasses
import grp
import os
import pwd

from keystone_like.server import errors


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
