"""``service-manage credential_migrate``: re-encrypt with the primary key.

Every credential whose blob is encrypted with another key than the
credential repository's primary key (its stored key hash tells) is
decrypted and encrypted again with the primary key, as
``keystone-manage credential_migrate`` does. Run it after each
``credential_rotate`` (once the new keys are on every node); running it
again changes nothing. The blobs are never printed or logged.

Exit codes: 0 done; 1 a credential cannot be decrypted with any key (its
key was removed: restore the repository from a backup); 66 the repository
is missing, empty or unreadable; 69 the database cannot be reached; 78
the schema is not at this code's revision.
"""

from keystone_like.credential import crypto
from keystone_like.manage import base
from keystone_like.manage import fernet_setup
from keystone_like.server import errors
from keystone_like.store import credentials
from keystone_like.token import keys


class CredentialMigrate(base.Command):
    """Encrypt every credential with the current primary key."""

    name = 'credential_migrate'
    help = ('Re-encrypt every credential not yet encrypted with the primary '
            'credential key with it (after credential_rotate). Safe to run '
            'again.')
    exit_codes = {errors.EXIT_NOINPUT: fernet_setup.KEY_EXIT_CODES[
        errors.EXIT_NOINPUT]}
    exit_codes.update(base.DATABASE_EXIT_CODES)

    def run(self):
        """Re-encrypt the stale blobs in one transaction; print how many."""
        path = keys.repository_path(self.conf, keys.CREDENTIALS)
        with fernet_setup.key_errors():
            keyring = crypto.load(path)
        with base.open_database(self.conf) as database:
            base.check_schema(database)
            with base.database_errors(database):
                try:
                    with database.session() as session:
                        done = credentials.reencrypt_stale(session, keyring)
                except crypto.DecryptionError as exc:
                    raise base.CommandError(
                        'credential %s cannot be decrypted with any key of '
                        '%s (was a key removed?); nothing was changed: '
                        'restore the repository from a backup, then run '
                        'this again' % (exc.credential_id, path)) from None
        print('Re-encrypted %d credential%s with primary key %d of %s.'
              % (done, '' if done == 1 else 's', keyring.ids[0], path))
        return errors.EXIT_OK
