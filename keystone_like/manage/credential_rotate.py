"""``service-manage credential_rotate``: rotate the credential keys.

As ``fernet_rotate`` (the staged key becomes the primary, a new staged key
is written, the oldest keys beyond ``[credential] max_active_keys`` go),
but, as ``keystone-manage credential_rotate``, it first refuses when a
credential is still encrypted with a key the rotation would remove: that
credential could never be decrypted again. Run ``credential_migrate``
after every rotation (it re-encrypts with the new primary key) and the
next rotation goes through.

Exit codes: 0 rotated; 2 unknown user or group, or ownership change
without root; 66 the repository is missing, empty, unreadable or not
writable (create it with ``credential_setup``); 69 the database cannot be
reached; 75 credentials still need a key the rotation would remove (run
``credential_migrate`` first); 78 the schema is not at this code's
revision.
"""

from keystone_like.credential import crypto
from keystone_like.manage import base
from keystone_like.manage import fernet_rotate
from keystone_like.manage import fernet_setup
from keystone_like.store import credentials
from keystone_like.token import keys

# sysexits' EX_TEMPFAIL: do the missing step (a migration), then retry.
EXIT_MIGRATE_FIRST = 75
KIND = keys.CREDENTIALS


def key_hash_counts(conf):
    """Return ``{key hash: credentials encrypted with it}`` from the DB."""
    with base.open_database(conf) as database:
        base.check_schema(database)
        with base.database_errors(database):
            with database.session() as session:
                return credentials.count_by_key_hash(session)


def stale_count(keyring, counts, key_ids):
    """Return how many credentials need a key not in ``key_ids``."""
    kept = {keyring.hash_of(key_id) for key_id in key_ids}
    return sum(number for hashed, number in counts.items()
               if hashed not in kept)


class CredentialRotate(fernet_rotate.FernetRotate):
    """Rotate the credential keys, unless a credential needs an old key."""

    name = 'credential_rotate'
    help = ('Rotate the credential keys: the staged key 0 becomes the '
            'primary key, a new staged key is written and keys beyond '
            '[credential] max_active_keys are removed. Refused while a '
            'credential is still encrypted with a key that would be '
            'removed: run credential_migrate first.')
    kind = KIND
    exit_codes = dict(fernet_setup.KEY_EXIT_CODES)
    exit_codes.update(base.DATABASE_EXIT_CODES)
    exit_codes[EXIT_MIGRATE_FIRST] = ('credentials are still encrypted with '
                                      'a key this rotation would remove; '
                                      'run credential_migrate first')

    def check_before_rotation(self):
        """Refuse when a credential needs a key the rotation purges."""
        path = keys.repository_path(self.conf, KIND)
        with fernet_setup.key_errors():
            keyring = crypto.load(path)
            ids = keys.key_ids(path, KIND)
        purged = keys.purged_by_rotation(
            ids, self.conf.credential.max_active_keys)
        kept = [key_id for key_id in ids if key_id not in purged]
        stale = stale_count(keyring, key_hash_counts(self.conf), kept)
        if stale:
            raise base.CommandError(
                '%d credential%s still encrypted with a key this rotation '
                'would remove (key%s %s of %s); run service-manage '
                'credential_migrate first, then rotate again' % (
                    stale, 's are' if stale > 1 else ' is',
                    's' if len(purged) > 1 else '',
                    fernet_setup.ids_text(purged), path),
                EXIT_MIGRATE_FIRST)
