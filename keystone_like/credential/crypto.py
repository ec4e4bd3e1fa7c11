"""Credential blobs encrypted at rest under the credential key repository.

Every blob is stored as a Fernet token made with the repository's primary
key, next to the *key hash* of that key (as Keystone stores ``key_hash``),
so ``service-manage credential_migrate`` finds the credentials still
encrypted with an older key and ``credential_rotate`` refuses to remove a
key some credential still needs. The hash is a SHA-256 of the key file's
contents: it names a key without revealing it. Neither blobs nor keys are
ever logged.
"""

import dataclasses
import hashlib
import logging

from cryptography import fernet

from keystone_like import exceptions
from keystone_like.token import keys

LOG = logging.getLogger(__name__)
KIND = keys.CREDENTIALS


class DecryptionError(exceptions.Error):
    """A stored blob cannot be decrypted with any key in the repository."""

    code = 500
    default_message = ('Credential could not be decrypted. Please contact '
                       'the administrator')
    credential_id = None   # for the operator's messages, never the client


def key_hash(material):
    """Return the hash stored with the blobs ``material`` encrypts."""
    return hashlib.sha256(material).hexdigest()


@dataclasses.dataclass(frozen=True)
class Keyring:
    """The keys of the credential repository, primary first."""

    ids: tuple          # key ids, primary first, staged last
    hashes: tuple       # their key hashes, in the same order
    fernets: tuple      # their Fernet objects, in the same order

    @property
    def primary_hash(self):
        """The hash of the key new blobs are encrypted with."""
        return self.hashes[0]

    def hash_of(self, key_id):
        """Return the hash of key ``key_id`` (None if absent)."""
        for found, hashed in zip(self.ids, self.hashes):
            if found == key_id:
                return hashed
        return None

    def encrypt(self, blob):
        """Return ``(encrypted blob text, key hash)`` for a ``str`` blob."""
        token = self.fernets[0].encrypt(blob.encode('utf-8'))
        return token.decode('ascii'), self.primary_hash

    def decrypt(self, encrypted, credential_id=None):
        """Return the ``str`` blob; DecryptionError (500) if no key fits."""
        try:
            return fernet.MultiFernet(list(self.fernets)).decrypt(
                encrypted.encode('ascii')).decode('utf-8')
        except (fernet.InvalidToken, UnicodeError, ValueError, TypeError):
            # The id only: never the blob, never a key.
            LOG.error('Credential %s could not be decrypted with any key of '
                      'the credential key repository; was a key removed '
                      'before service-manage credential_migrate ran?',
                      credential_id)
            error = DecryptionError()
            error.credential_id = credential_id
            raise error from None


def load(path, kind=KIND):
    """Return the :class:`Keyring` of the repository at ``path``."""
    ordered = keys.load_ordered(path, kind)
    return Keyring(ids=tuple(key_id for key_id, _m in ordered),
                   hashes=tuple(key_hash(m) for _i, m in ordered),
                   fernets=tuple(fernet.Fernet(m) for _i, m in ordered))


def cache(conf):
    """Return a KeyCache of the configured repository's Keyring."""
    return keys.KeyCache(keys.repository_path(conf, KIND), kind=KIND,
                         loader=load)
