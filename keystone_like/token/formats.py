"""The Fernet token format: what a token carries and how it is packed.

A token is ``MultiFernet.encrypt_at_time(plaintext, issued_at)`` with
Keystone's cosmetics: url-safe base64 with the ``=`` padding stripped. The
Fernet timestamp *is* the issue time; the plaintext is one format-version
byte followed by the msgpack array::

    [user_id, methods, project_id, domain_id, expires_at, audit_ids,
     issued_at_microseconds, {extensions}]

``methods`` is a bit mask over :data:`METHODS`, ``expires_at`` whole
seconds since the epoch, audit ids their 16 raw bytes, and any id that is a
lowercase uuid4 hex string travels as 16 bytes (others as strings). With
uuid ids the largest token (both methods, a scope, two audit ids) is about
210 characters. Expiry has second precision (rounded down, so a rescoped
token never outlives its parent); the issue time keeps its microseconds so
revocation events compare exactly with it. The optional extensions map
holds what few tokens need, under the one-letter keys of
:data:`EXTENSIONS` (the system scope, a trust, an application
credential); tokens without it are those made before it existed.
``METHODS`` only ever grows at its end, so old masks keep their meaning.
"""

import base64
import dataclasses
import datetime
import os
import re
import struct

import msgpack

from keystone_like import exceptions

FORMAT_VERSION = 1
METHODS = ('password', 'token', 'application_credential', 'ec2credential')
SYSTEM_ALL = 'all'
# Optional payload fields and their keys in the extensions map.
EXTENSIONS = {'system': 's', 'trust_id': 't', 'app_cred_id': 'a'}
TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'
# Far above any token this format makes (~330 characters with 64-character
# non-uuid ids); longer input is refused before any decoding.
MAX_TOKEN_LENGTH = 1024

_UUID_HEX = re.compile(r'[0-9a-f]{32}')
_AUDIT_ID = re.compile(r'[A-Za-z0-9_-]{21}[AQgw]')
# Tokens are issued unpadded; padding is refused like any other variant.
_TOKEN_TEXT = re.compile(r'[A-Za-z0-9_-]+')
_VERSION_BYTE = bytes([FORMAT_VERSION])


class InvalidToken(exceptions.NotFound):
    """The token is tampered, truncated, garbage or from unknown keys."""

    default_message = 'Failed to validate token'


@dataclasses.dataclass(kw_only=True)
class TokenPayload:
    """What a token says: who, how, for which scope, until when."""

    user_id: str
    methods: list
    expires_at: datetime.datetime
    issued_at: datetime.datetime
    audit_ids: list
    project_id: str = None
    domain_id: str = None
    system: str = None   # 'all' for a system-scoped token
    trust_id: str = None
    app_cred_id: str = None

    def __post_init__(self):
        if not self.user_id or not isinstance(self.user_id, str):
            raise ValueError('user_id must be a non-empty string')
        if not self.methods or set(self.methods) - set(METHODS):
            raise ValueError('methods must be some of %s' % (METHODS,))
        self.methods = [m for m in METHODS if m in self.methods]
        for scope_id in (self.project_id, self.domain_id):
            if scope_id is not None and not (
                    isinstance(scope_id, str) and scope_id):
                raise ValueError('a scope id must be a non-empty string')
        for delegation in (self.trust_id, self.app_cred_id):
            if delegation is not None and not (
                    isinstance(delegation, str) and delegation):
                raise ValueError('a trust or application credential id '
                                 'must be a non-empty string')
        if self.system not in (None, SYSTEM_ALL):
            raise ValueError('the system scope can only be %r' % SYSTEM_ALL)
        if sum(scope is not None for scope in (
                self.project_id, self.domain_id, self.system)) > 1:
            raise ValueError('a token is scoped to a project, a domain or '
                             'the system, not more than one')
        if not 1 <= len(self.audit_ids) <= 2 or not all(
                isinstance(a, str) and _AUDIT_ID.fullmatch(a)
                for a in self.audit_ids):
            raise ValueError('audit_ids must be 1 or 2 audit ids')
        self.audit_ids = list(self.audit_ids)
        self.expires_at = _utc_seconds(self.expires_at)
        # Microseconds kept: a revocation in the same second as a login
        # must not revoke the token issued after it.
        self.issued_at = _utc(_datetime(self.issued_at))

    @property
    def scope(self):
        """Return ``'project'``, ``'domain'``, ``'system'`` or None."""
        if self.project_id is not None:
            return 'project'
        if self.domain_id is not None:
            return 'domain'
        return 'system' if self.system is not None else None

    @property
    def audit_id(self):
        """Return this token's own audit id."""
        return self.audit_ids[0]

    @property
    def audit_chain_id(self):
        """Return the audit id shared by a token and all its rescopings."""
        return self.audit_ids[-1]


def encrypt(payload, multifernet):
    """Return the token string for ``payload``, made with the primary key."""
    methods = sum(1 << METHODS.index(m) for m in payload.methods)
    body = [_pack_id(payload.user_id), methods,
            _pack_id(payload.project_id), _pack_id(payload.domain_id),
            _epoch(payload.expires_at),
            [_audit_bytes(a) for a in payload.audit_ids],
            payload.issued_at.microsecond]
    extensions = _extensions(payload)
    if extensions:
        body.append(extensions)
    plaintext = _VERSION_BYTE + msgpack.packb(body, use_bin_type=True)
    token = multifernet.encrypt_at_time(plaintext, _epoch(payload.issued_at))
    return token.rstrip(b'=').decode('ascii')


def decrypt(token, multifernet):
    """Return the payload of ``token``; raise ``InvalidToken`` (404) if bad.

    Expiry is not checked here: see :func:`is_expired`.
    """
    # Strict alphabet: base64 decoding would silently skip stray characters.
    if (not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH
            or not _TOKEN_TEXT.fullmatch(token)):
        raise InvalidToken()
    padded = (token + '=' * (-len(token) % 4)).encode('ascii')
    try:
        raw = base64.urlsafe_b64decode(padded)
        # Only the canonical text of the bytes: the unused low bits of
        # the last character must be zero, so no second spelling of one
        # token (e.g. its last character swapped) ever validates.
        if base64.urlsafe_b64encode(raw).rstrip(b'=') != padded.rstrip(
                b'='):
            raise ValueError('not the canonical encoding')
        plaintext = multifernet.decrypt(padded)
        # Authentic now, so the timestamp (bytes 1-8) can be read directly.
        issued = struct.unpack('>Q', raw[1:9])[0]
        return _unpack(plaintext, issued)
    except Exception:
        # Whatever went wrong, the client only learns the token is bad.
        raise InvalidToken() from None


def is_expired(payload, now=None):
    """Return whether ``payload`` has expired at ``now`` (default: now)."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    return _utc(now) >= payload.expires_at


def new_audit_id():
    """Return a new audit id: 16 random bytes, url-safe base64, unpadded."""
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b'=').decode()


def new_audit_ids(parent_audit_ids=None):
    """Return audit ids for a new token, chained to a parent's if given."""
    if parent_audit_ids:
        return [new_audit_id(), parent_audit_ids[-1]]
    return [new_audit_id()]


def format_time(value):
    """Return ``value`` as Keystone writes times: ``...T17:00:00.000000Z``."""
    return _utc(value).strftime(TIME_FORMAT)


def parse_time(text):
    """Return the UTC datetime of an ISO 8601 string; ``ValueError`` if bad.

    A string without an offset is taken as UTC.
    """
    if not isinstance(text, str):
        raise ValueError('time must be an ISO 8601 string, not %r'
                         % type(text).__name__)
    return _utc(datetime.datetime.fromisoformat(text))


def _utc(value):
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _datetime(value):
    if not isinstance(value, datetime.datetime):
        raise ValueError('expected a datetime, not %r' % (value,))
    return value


def _utc_seconds(value):
    return _utc(_datetime(value)).replace(microsecond=0)


def _epoch(value):
    return int(value.timestamp())


def _from_epoch(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _pack_id(value):
    if value is not None and _UUID_HEX.fullmatch(value):
        return bytes.fromhex(value)
    return value


def _unpack_id(value, optional=True):
    if value is None and optional:
        return None
    if isinstance(value, bytes) and len(value) == 16:
        return value.hex()
    if isinstance(value, str) and value:
        return value
    raise ValueError('bad id in token')


def _extensions(payload):
    return {key: _pack_id(getattr(payload, field))
            for field, key in EXTENSIONS.items()
            if getattr(payload, field) is not None}


def _audit_bytes(audit_id):
    return base64.urlsafe_b64decode(audit_id + '==')


def _unpack(plaintext, issued):
    if plaintext[:1] != _VERSION_BYTE:
        raise ValueError('unknown token format version')
    fields = msgpack.unpackb(plaintext[1:], raw=False)
    if len(fields) == 7:
        fields.append({})
    user_id, methods, project_id, domain_id, expires, audit_ids, micros, \
        extensions = fields
    if not isinstance(extensions, dict) or set(extensions) - set(
            EXTENSIONS.values()):
        raise ValueError('unknown token extensions')
    if not isinstance(micros, int) or not 0 <= micros < 1000000:
        raise ValueError('bad issue time in token')
    if not isinstance(methods, int) or methods >> len(METHODS):
        raise ValueError('unknown methods in token')
    if not isinstance(expires, int) or not all(
            isinstance(a, bytes) and len(a) == 16 for a in audit_ids):
        raise ValueError('bad expiry or audit ids in token')
    return TokenPayload(
        user_id=_unpack_id(user_id, optional=False),
        methods=[m for i, m in enumerate(METHODS) if methods & (1 << i)],
        project_id=_unpack_id(project_id), domain_id=_unpack_id(domain_id),
        expires_at=_from_epoch(expires),
        issued_at=_from_epoch(issued).replace(microsecond=micros),
        **{field: _unpack_id(extensions.get(key))
           for field, key in EXTENSIONS.items()},
        audit_ids=[base64.urlsafe_b64encode(a).rstrip(b'=').decode()
                   for a in audit_ids])
