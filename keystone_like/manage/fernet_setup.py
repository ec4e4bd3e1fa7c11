"""``service-manage fernet_setup``: create the Fernet key repository.

Idempotent: a repository that already holds keys is left as it is (and
said so), so every node can run it at deployment; copy the repository of
the first node to the others instead of running it on each when they must
share keys. ``--keystone-user`` / ``--keystone-group`` hand the directory
and its key files to the account ``service-all`` runs as (needs root).

Exit codes: 0 created or already present; 2 unknown user or group, or
ownership change without root; 66 the repository cannot be created, read
or written.
"""

import contextlib
import grp
import os
import pwd

from keystone_like.manage import base
from keystone_like.server import errors
from keystone_like.token import keys

KEY_EXIT_CODES = {
    errors.EXIT_USAGE: 'bad command line: unknown --keystone-user or '
                       '--keystone-group, or either one without root',
    errors.EXIT_NOINPUT: 'the key repository cannot be created, read or '
                         'written',
}


def add_owner_arguments(parser):
    """Add --keystone-user and --keystone-group to ``parser``."""
    parser.add_argument(
        '--keystone-user', metavar='USER',
        help='User (name or id) to own the key repository and its keys: '
             'the one service-all runs as. Needs root.')
    parser.add_argument(
        '--keystone-group', metavar='GROUP',
        help='Group (name or id) to own the key repository and its keys. '
             'Needs root unless you are a member.')


def resolve_owner(args):
    """Return ``(uid, gid)`` from the owner arguments (-1: unchanged)."""
    uid = _lookup(args.keystone_user, pwd.getpwnam, 'pw_uid', 'user',
                  '--keystone-user')
    gid = _lookup(args.keystone_group, grp.getgrnam, 'gr_gid', 'group',
                  '--keystone-group')
    if os.geteuid() != 0:
        own_groups = {os.getegid(), *os.getgroups()}
        if uid not in (-1, os.geteuid()) or gid not in {-1} | own_groups:
            raise base.CommandError(
                'changing the owner of the key repository to %s:%s needs '
                'root; run it as root or leave out --keystone-user and '
                '--keystone-group' % (args.keystone_user or '',
                                      args.keystone_group or ''),
                errors.EXIT_USAGE)
    return uid, gid


def _lookup(value, getter, field, kind, flag):
    if value is None:
        return -1
    if value.isdigit():
        return int(value)
    try:
        return getattr(getter(value), field)
    except KeyError:
        raise base.CommandError(
            '%s %s: no such %s on this machine; create it or give an '
            'existing %s (name or numeric id)' % (flag, value, kind, kind),
            errors.EXIT_USAGE) from None


def apply_owner(path, uid, gid, kind=keys.TOKENS):
    """Give the repository and its key files to ``uid``:``gid``."""
    if (uid, gid) == (-1, -1):
        return
    try:
        os.chown(path, uid, gid)
        for key_id in keys.key_ids(path, kind):
            os.chown(os.path.join(path, str(key_id)), uid, gid)
    except OSError as exc:
        raise base.CommandError(
            'cannot change the owner of %s to %d:%d: %s; run it as root'
            % (path, uid, gid, exc.strerror or exc),
            errors.EXIT_NOINPUT) from None
    print('Key repository %s and its keys are owned by %s.'
          % (path, _owner_text(uid, gid)))


def _owner_text(uid, gid):
    parts = []
    if uid != -1:
        parts.append('user %s' % _name(pwd.getpwuid, uid, 'pw_name'))
    if gid != -1:
        parts.append('group %s' % _name(grp.getgrgid, gid, 'gr_name'))
    return ' and '.join(parts)


def _name(getter, number, field):
    try:
        return '%s (%d)' % (getattr(getter(number), field), number)
    except KeyError:
        return str(number)


@contextlib.contextmanager
def key_errors():
    """Turn KeyRepositoryError into CommandError (66)."""
    try:
        yield
    except keys.KeyRepositoryError as exc:
        raise base.CommandError(str(exc), errors.EXIT_NOINPUT) from None


def setup_keys(conf, uid=-1, gid=-1, kind=keys.TOKENS):
    """Create the repository unless it has keys; print what happened."""
    path = keys.repository_path(conf, kind)
    with key_errors():
        created = keys.setup(path, conf[kind.group].max_active_keys,
                             user=_or_none(uid), group=_or_none(gid),
                             kind=kind)
        if created:
            print('Created %s %s with staged key 0 and primary key 1.'
                  % (kind.repository, path))
        else:
            print('%s %s already has keys %s; left unchanged.' % (
                kind.repository, path, ids_text(keys.key_ids(path, kind))))
        apply_owner(path, uid, gid, kind)
    return created


def _or_none(value):
    return None if value == -1 else value


def ids_text(key_ids):
    """Return key ids as the commands print them: ``0, 1, 2``."""
    return ', '.join(str(i) for i in key_ids)


class FernetSetup(base.Command):
    """Create the Fernet key repository (idempotent)."""

    name = 'fernet_setup'
    help = ('Create the Fernet key repository ([fernet_tokens] '
            'key_repository) with a staged and a primary key. A repository '
            'that already has keys is left unchanged.')
    exit_codes = KEY_EXIT_CODES
    kind = keys.TOKENS   # the repository this command works on

    @classmethod
    def add_arguments(cls, parser):
        """The owner arguments."""
        add_owner_arguments(parser)

    def run(self):
        """Resolve the owner, then create the repository if needed."""
        uid, gid = resolve_owner(self.args)
        setup_keys(self.conf, uid, gid, kind=self.kind)
        return errors.EXIT_OK
