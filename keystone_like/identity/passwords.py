"""Password hashing and verification: bcrypt, PBKDF2-SHA512 and scrypt.

Encoded hashes describe themselves, so a hash keeps verifying after
``[identity] password_hash_algorithm`` or ``password_hash_rounds`` change,
and :func:`needs_rehash` tells when to re-hash at the next good login:

* ``bcrypt_sha256$$2b$<rounds>$<salt 22><hash 31>`` -- bcrypt reads only
  72 bytes, so it never sees the password itself but
  ``base64(HMAC-SHA256(key=<the 22-character bcrypt salt>, msg=<UTF-8
  password>))``: 44 ASCII bytes, no NUL, every password byte counts.
  Keying the MAC with the salt keeps the pre-hash from being an unsalted
  SHA-256 that leaked SHA-256 lists could match.
* ``$pbkdf2-sha512$<iterations>$<salt>$<hash>`` -- PBKDF2-HMAC-SHA512,
  16-byte salt, 64-byte hash, passlib's "adapted base64" (``.`` for ``+``,
  no padding): passlib's format, so hashes move both ways between this
  service, passlib and Keystone.
* ``$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`` -- 16-byte salt,
  32-byte hash, base64 without padding (passlib's layout).

Hashing and verification run through :func:`offload.run_blocking`, off the
event loop once the server installed a thread pool. Comparisons are
constant-time. Nothing here logs a password or a hash.
"""

import base64
import binascii
import collections
import hashlib
import hmac
import re
import secrets

import bcrypt

from keystone_like.common import offload
from keystone_like import exceptions

BCRYPT = 'bcrypt'
PBKDF2_SHA512 = 'pbkdf2_sha512'
SCRYPT = 'scrypt'

# Work factor when [identity] password_hash_rounds is unset, and the range
# accepted for each algorithm (bcrypt's own; PBKDF2 below 1000 iterations or
# scrypt above 1 GiB of memory is a mistake, not a choice).
DEFAULT_COST = {BCRYPT: 12, PBKDF2_SHA512: 600000, SCRYPT: 15}
COST_RANGE = {BCRYPT: (4, 31), PBKDF2_SHA512: (1000, 100000000),
              SCRYPT: (4, 20)}
SALT_BYTES = 16
SCRYPT_R = 8
SCRYPT_P = 1

_BCRYPT_PREFIX = 'bcrypt_sha256$'
_BCRYPT_RE = re.compile(
    r'\$2[aby]\$(?P<cost>\d\d)\$(?P<salt>[./A-Za-z0-9]{22})[./A-Za-z0-9]{31}')
_PBKDF2_RE = re.compile(
    r'\$pbkdf2-sha512\$(?P<cost>[1-9]\d{0,9})'
    r'\$(?P<salt>[./A-Za-z0-9]+)\$(?P<digest>[./A-Za-z0-9]+)')
_SCRYPT_RE = re.compile(
    r'\$scrypt\$ln=(?P<cost>\d{1,2}),r=(?P<r>\d{1,2}),p=(?P<p>\d{1,2})'
    r'\$(?P<salt>[+/A-Za-z0-9]+)\$(?P<digest>[+/A-Za-z0-9]+)')

_Parsed = collections.namedtuple(
    '_Parsed', 'algorithm cost salt digest r p')

# Dummy hashes by (algorithm, cost), made on first use; see dummy_verify().
_dummy_hashes = {}


def check_config(conf):
    """Raise ``ValueError`` (one line) if the hashing options are unusable."""
    _settings(conf)


def check_length(password, conf):
    """Raise ``ValidationError`` unless ``password`` fits the length limit.

    Cheap by design: it runs before any hashing, so an over-long password
    costs the server nothing.
    """
    if not isinstance(password, str):
        raise exceptions.ValidationError(
            'Invalid password: a password must be a string.')
    limit = conf.identity.max_password_length
    # A character is 1 to 4 UTF-8 bytes: encode only when it matters.
    if len(password) > limit or (
            len(password) * 4 > limit and len(_to_bytes(password)) > limit):
        raise exceptions.ValidationError(
            'Invalid password: longer than the maximum of %d bytes.' % limit)


def hash_password(password, conf):
    """Return the encoded hash of ``password`` made as configured."""
    check_length(password, conf)
    algorithm, cost = _settings(conf)
    return offload.run_blocking(_HASHERS[algorithm], _to_bytes(password),
                                cost)


def verify_password(password, encoded):
    """Return whether ``password`` matches the encoded hash ``encoded``.

    A missing, malformed or unknown hash never matches.
    """
    if not isinstance(password, str) or not isinstance(encoded, str):
        return False
    return offload.run_blocking(_verify, _to_bytes(password), encoded)


def dummy_verify(password, conf):
    """Spend a verification's time on a dummy hash; always return False.

    Call it when the user is unknown (or has no password) so the answer
    takes as long as a wrong password does.
    """
    key = _settings(conf)
    encoded = _dummy_hashes.get(key)
    if encoded is None:
        encoded = offload.run_blocking(_HASHERS[key[0]],
                                       secrets.token_bytes(32), key[1])
        encoded = _dummy_hashes.setdefault(key, encoded)
    verify_password(password, encoded)
    return False


def needs_rehash(encoded, conf):
    """Return whether ``encoded`` differs from what the options now make."""
    parsed = _parse(encoded) if isinstance(encoded, str) else None
    if parsed is None:
        return True
    if (parsed.algorithm, parsed.cost) != _settings(conf):
        return True
    return parsed.algorithm == SCRYPT and (parsed.r, parsed.p) != (
        SCRYPT_R, SCRYPT_P)


def _settings(conf):
    algorithm = conf.identity.password_hash_algorithm
    if algorithm not in DEFAULT_COST:
        raise ValueError('[identity] password_hash_algorithm = %r is not '
                         'one of %s' % (algorithm, ', '.join(DEFAULT_COST)))
    cost = conf.identity.password_hash_rounds
    if cost is None:
        return algorithm, DEFAULT_COST[algorithm]
    low, high = COST_RANGE[algorithm]
    if not low <= cost <= high:
        raise ValueError('[identity] password_hash_rounds = %d is out of '
                         'range for %s (%d to %d); change it or unset it '
                         'for the default %d' % (cost, algorithm, low, high,
                                                 DEFAULT_COST[algorithm]))
    return algorithm, cost


def _to_bytes(password):
    # surrogatepass: a lone surrogate from a JSON escape hashes
    # consistently instead of failing with a 500.
    return password.encode('utf-8', 'surrogatepass')


def _ab64_encode(data):
    return base64.b64encode(data).rstrip(b'=').replace(b'+', b'.').decode()


def _ab64_decode(text):
    return _b64_decode(text.replace('.', '+'))


def _b64_decode(text):
    return base64.b64decode(text + '=' * (-len(text) % 4), validate=True)


def _bcrypt_prehash(password, salt22):
    mac = hmac.new(salt22, password, hashlib.sha256).digest()
    return base64.b64encode(mac)


def _hash_bcrypt(password, cost):
    setting = bcrypt.gensalt(rounds=cost, prefix=b'2b')
    hashed = bcrypt.hashpw(_bcrypt_prehash(password, setting[7:29]), setting)
    return _BCRYPT_PREFIX + hashed.decode('ascii')


def _pbkdf2(password, salt, cost):
    return hashlib.pbkdf2_hmac('sha512', password, salt, cost)


def _hash_pbkdf2(password, cost):
    salt = secrets.token_bytes(SALT_BYTES)
    return '$pbkdf2-sha512$%d$%s$%s' % (cost, _ab64_encode(salt),
                                        _ab64_encode(_pbkdf2(password, salt,
                                                             cost)))


def _scrypt(password, salt, cost, r, p, length=32):
    n = 1 << cost
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * r * (n + p) + (1 << 20))


def _hash_scrypt(password, cost):
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, cost, SCRYPT_R, SCRYPT_P)
    return '$scrypt$ln=%d,r=%d,p=%d$%s$%s' % (
        cost, SCRYPT_R, SCRYPT_P, _b64(salt), _b64(digest))


def _b64(data):
    return base64.b64encode(data).rstrip(b'=').decode()


_HASHERS = {BCRYPT: _hash_bcrypt, PBKDF2_SHA512: _hash_pbkdf2,
            SCRYPT: _hash_scrypt}


def _parse(encoded):
    """Return the parts of ``encoded``, or None when it is not ours."""
    try:
        if encoded.startswith(_BCRYPT_PREFIX):
            match = _BCRYPT_RE.fullmatch(encoded, len(_BCRYPT_PREFIX))
            if match:
                return _Parsed(BCRYPT, int(match['cost']), None, None,
                               None, None)
        elif encoded.startswith('$pbkdf2-sha512$'):
            match = _PBKDF2_RE.fullmatch(encoded)
            if match:
                return _Parsed(PBKDF2_SHA512, int(match['cost']),
                               _ab64_decode(match['salt']),
                               _ab64_decode(match['digest']), None, None)
        elif encoded.startswith('$scrypt$'):
            match = _SCRYPT_RE.fullmatch(encoded)
            if match:
                return _Parsed(SCRYPT, int(match['cost']),
                               _b64_decode(match['salt']),
                               _b64_decode(match['digest']),
                               int(match['r']), int(match['p']))
    except (binascii.Error, ValueError):
        pass
    return None


def _verify(password, encoded):
    parsed = _parse(encoded)
    if parsed is None:
        return False
    low, high = COST_RANGE[parsed.algorithm]
    if not low <= parsed.cost <= high:
        return False
    if parsed.algorithm == BCRYPT:
        stored = encoded[len(_BCRYPT_PREFIX):].encode('ascii')
        prehash = _bcrypt_prehash(password, stored[7:29])
        return hmac.compare_digest(bcrypt.hashpw(prehash, stored[:29]),
                                   stored)
    if not 16 <= len(parsed.digest) <= 64:
        return False
    if parsed.algorithm == PBKDF2_SHA512:
        computed = _pbkdf2(password, parsed.salt, parsed.cost)
    else:
        # Refuse parameters asking for more than 1 GiB of memory.
        if not (1 <= parsed.r <= 32 and 1 <= parsed.p <= 16
                and 128 * parsed.r << parsed.cost <= 1 << 30):
            return False
        computed = _scrypt(password, parsed.salt, parsed.cost, parsed.r,
                           parsed.p, len(parsed.digest))
    return hmac.compare_digest(computed, parsed.digest)
