"""``service-manage fernet_rotate``: rotate the Fernet keys.

Promotes the staged key 0 to primary, writes a new staged key and drops
the oldest secondary keys beyond ``[fernet_tokens] max_active_keys``, as
``keystone-manage fernet_rotate`` does. Run it on one node and copy the
repository to the others; running servers pick the new keys up by
themselves and no live token is invalidated while rotations are spaced
wider than the token lifetime divided by ``max_active_keys - 2``.

With ``--distribute-to DIR`` (repeated, one per other node) it follows
Keystone's protocol in one command: first copy this repository to every
node, so that the staged key about to be promoted is everywhere; then
rotate; then copy the result (new primary, new staged key, purges). If
the first copy fails, nothing is rotated.

Exit codes: 0 rotated; 2 unknown user or group, or ownership change
without root; 66 the repository is missing, empty, unreadable or not
writable (create it with ``fernet_setup``).
"""

from keystone_like.manage import fernet_distribute
from keystone_like.manage import fernet_setup
from keystone_like.server import errors
from keystone_like.token import keys


def rotate_keys(conf, uid, gid, kind=keys.TOKENS):
    """Rotate the repository of ``kind``; print what changed."""
    path = keys.repository_path(conf, kind)
    max_active_keys = conf[kind.group].max_active_keys
    with fernet_setup.key_errors():
        if keys.STAGED not in keys.key_ids(path, kind):
            # keys.rotate logs this, but the log is off by default.
            print('Warning: %s has no staged key 0; the new primary key '
                  'is one other nodes do not have until this repository '
                  'is copied to them.' % path)
        result = keys.rotate(path, max_active_keys,
                             user=None if uid == -1 else uid,
                             group=None if gid == -1 else gid, kind=kind)
        print('Rotated %s keys in %s: key %d is the new primary key.'
              % (kind.name, path, result.promoted))
        if result.purged:
            print('Removed key%s %s (beyond max_active_keys = %d).' % (
                's' if len(result.purged) > 1 else '',
                fernet_setup.ids_text(result.purged), max_active_keys))
        print('Keys now present: %s.' % fernet_setup.ids_text(result.keys))
        fernet_setup.apply_owner(path, uid, gid, kind)
    return result


class FernetRotate(fernet_setup.FernetSetup):
    """Rotate the keys of an existing Fernet key repository."""

    name = 'fernet_rotate'
    help = ('Rotate the Fernet keys: the staged key 0 becomes the primary '
            'key, a new staged key is written and keys beyond '
            '[fernet_tokens] max_active_keys are removed. Prints the key ids '
            'now present.')

    @classmethod
    def add_arguments(cls, parser):
        """The owner arguments, ``--distribute-to DIR`` and ``--force``."""
        super().add_arguments(parser)
        fernet_distribute.add_target_arguments(parser, '--distribute-to',
                                               required=False)

    def run(self):
        """Rotate and print what changed (distributing around it)."""
        uid, gid = fernet_setup.resolve_owner(self.args)
        self.check_before_rotation()
        targets = self.args.targets
        if targets:
            print('Before rotating: every node gets the staged key.')
            fernet_distribute.distribute_to(
                self.conf, targets, uid, gid, force=self.args.force,
                kind=self.kind)
        rotate_keys(self.conf, uid, gid, kind=self.kind)
        if targets:
            print('After rotating: every node gets the new keys.')
            fernet_distribute.distribute_to(self.conf, targets, uid, gid,
                                            kind=self.kind)
        return errors.EXIT_OK

    def check_before_rotation(self):
        """Raise CommandError if the rotation must not happen now."""
