"""``service-manage fernet_distribute``: copy the keys to other nodes.

Makes every ``--to`` directory (another node's key repository, mounted or
local) a copy of this node's repository in the order that keeps every
live token valid while the other node serves: new numbered keys first,
then the staged key 0, then the removal of purged keys (see
:mod:`keystone_like.token.distribution`). A target that was rotated on its
own is refused unless ``--force``. Run it after ``fernet_rotate``, or let
``fernet_rotate --distribute-to`` do the three phases of Keystone's
protocol in one go.

Exit codes: 0 every target is a copy; 2 unknown user or group; 66 a
repository is missing, unreadable or not writable, or a target was
refused (nothing is written to it).
"""

from keystone_like.manage import base
from keystone_like.manage import fernet_setup
from keystone_like.server import errors
from keystone_like.token import distribution
from keystone_like.token import keys


def add_target_arguments(parser, flag, required):
    """Add the repeatable target-directory flag and ``--force``."""
    parser.add_argument(
        flag, metavar='DIR', action='append', required=required,
        dest='targets', default=[],
        help="Another node's key repository (a directory: local, or "
             'mounted). Repeat for every node.')
    parser.add_argument(
        '--force', action='store_true',
        help='Overwrite a target even when it holds keys the source lacks '
             '(tokens signed with them stop validating).')


def distribute_to(conf, targets, uid=-1, gid=-1, force=False,
                  kind=keys.TOKENS):
    """Copy this node's repository to every target; print each outcome."""
    source = keys.repository_path(conf, kind)
    done = []
    with fernet_setup.key_errors():
        for target in targets:
            copied = distribution.distribute(source, target, kind=kind,
                                             force=force, uid=uid, gid=gid)
            _report(copied)
            done.append(copied)
    return done


def _report(copied):
    changes = []
    if copied.written:
        changes.append('wrote key%s %s' % (
            's' if len(copied.written) > 1 else '',
            fernet_setup.ids_text(copied.written)))
    if copied.staged:
        changes.append('replaced staged key 0')
    if copied.removed:
        changes.append('removed key%s %s' % (
            's' if len(copied.removed) > 1 else '',
            fernet_setup.ids_text(copied.removed)))
    base.report('copied' if changes else 'in sync',
                '%s%s' % (copied.target,
                          ': ' + ', '.join(changes) if changes else ''))
    if copied.unstaged_primary:
        print('Warning: %s did not hold the new primary key before this '
              'copy: it refused tokens signed with it until now. Distribute '
              'before rotating (fernet_rotate --distribute-to does).'
              % copied.target)


class FernetDistribute(base.Command):
    """Copy the Fernet key repository to other nodes' repositories."""

    name = 'fernet_distribute'
    help = ("Copy this node's Fernet key repository to other nodes' "
            'repositories (--to DIR, repeated) without invalidating a live '
            'token: new keys first, then the staged key 0, then the removal '
            'of purged keys.')
    exit_codes = fernet_setup.KEY_EXIT_CODES
    kind = keys.TOKENS

    @classmethod
    def add_arguments(cls, parser):
        """``--to DIR`` (repeatable), ``--force`` and the owner flags."""
        add_target_arguments(parser, '--to', required=True)
        fernet_setup.add_owner_arguments(parser)

    def run(self):
        """Copy to every target, stopping at the first refusal."""
        uid, gid = fernet_setup.resolve_owner(self.args)
        distribute_to(self.conf, self.args.targets, uid, gid,
                      force=self.args.force, kind=self.kind)
        return errors.EXIT_OK
