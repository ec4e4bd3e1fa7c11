"""Tests of the Fernet token format: round trips, size, rejection, times."""

import base64
import datetime
import os
import uuid

from cryptography import fernet
import msgpack
import pytest

from keystone_like import exceptions
from keystone_like.token import formats
from keystone_like.token import keys

UTC = datetime.timezone.utc
ISSUED = datetime.datetime(2026, 11, 21, 16, 0, 0, 654321, tzinfo=UTC)
EXPIRES = datetime.datetime(2026, 11, 21, 17, 0, 0, 999999, tzinfo=UTC)
BASE64URL = ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
             '0123456789-_')


@pytest.fixture
def multifernet(tmp_path):
    keys.setup(str(tmp_path), 3)
    return keys.load(str(tmp_path))


def payload(**fields):
    values = dict(user_id=uuid.uuid4().hex, methods=['password'],
                  expires_at=EXPIRES, issued_at=ISSUED,
                  audit_ids=[formats.new_audit_id()])
    values.update(fields)
    return formats.TokenPayload(**values)


def largest():
    return payload(methods=['token', 'password'],
                   project_id=uuid.uuid4().hex,
                   audit_ids=formats.new_audit_ids([formats.new_audit_id()]))


@pytest.mark.parametrize('kind, scope', [
    (None, {}), ('project', {'project_id': uuid.uuid4().hex}),
    ('domain', {'domain_id': uuid.uuid4().hex}),
    ('domain', {'domain_id': 'default'})])
def test_round_trip(multifernet, kind, scope):
    original = payload(**scope)
    token = formats.encrypt(original, multifernet)
    assert '=' not in token
    assert set(token) <= set(BASE64URL)
    decoded = formats.decrypt(token, multifernet)
    assert decoded == original
    assert decoded.scope == kind
    assert decoded.issued_at == ISSUED     # microseconds kept
    assert decoded.expires_at == EXPIRES.replace(microsecond=0)
    assert decoded.expires_at.tzinfo is UTC


def test_fernet_timestamp_is_the_issue_time(multifernet):
    token = formats.encrypt(payload(), multifernet)
    padded = token + '=' * (-len(token) % 4)
    assert multifernet.extract_timestamp(padded.encode()) == int(
        ISSUED.timestamp())


def test_methods_and_ids_keep_their_form(multifernet):
    odd_ids = dict(user_id=uuid.uuid4().hex.upper(),
                   project_id='p' * 64)
    original = payload(methods=['token', 'password'], **odd_ids)
    decoded = formats.decrypt(formats.encrypt(original, multifernet),
                              multifernet)
    assert decoded.methods == ['password', 'token']
    assert decoded.user_id == odd_ids['user_id']
    assert decoded.project_id == 'p' * 64


def test_largest_token_is_short(multifernet):
    original = largest()
    token = formats.encrypt(original, multifernet)
    assert len(token) < 255
    assert formats.decrypt(token, multifernet) == original


@pytest.mark.parametrize('padding', ['=', '==', '==='])
def test_padded_token_is_refused(multifernet, padding):
    token = formats.encrypt(payload(project_id=uuid.uuid4().hex),
                            multifernet)
    assert_invalid(token + padding, multifernet)


def test_only_the_canonical_spelling_validates(multifernet):
    # Base64 leaves the low bits of a final partial group unused: other
    # last characters decode to the very same bytes, yet must not pass.
    for _ in range(20):
        token = formats.encrypt(payload(project_id=uuid.uuid4().hex),
                                multifernet)
        if len(token) % 4 in (2, 3):
            break
    padded = token + '=' * (-len(token) % 4)
    same_bytes = [
        token[:-1] + c for c in BASE64URL if c != token[-1]
        and base64.urlsafe_b64decode(
            (token[:-1] + c + padded[len(token):]).encode())
        == base64.urlsafe_b64decode(padded.encode())]
    assert same_bytes
    assert formats.decrypt(token, multifernet).project_id
    for variant in same_bytes:
        assert_invalid(variant, multifernet)


def assert_invalid(token, multifernet):
    with pytest.raises(formats.InvalidToken) as info:
        formats.decrypt(token, multifernet)
    assert isinstance(info.value, exceptions.NotFound)
    assert info.value.code == 404
    assert info.value.message == 'Failed to validate token'


def test_every_tampered_character_is_rejected(multifernet):
    token = formats.encrypt(largest(), multifernet)
    # The last character may carry only padding bits, so skip it.
    for position in range(len(token) - 1):
        replacement = 'A' if token[position] != 'A' else 'B'
        tampered = token[:position] + replacement + token[position + 1:]
        assert_invalid(tampered, multifernet)


@pytest.mark.parametrize('cut', [1, 2, 3, 10, 50, 150])
def test_truncated_tokens_are_rejected(multifernet, cut):
    token = formats.encrypt(largest(), multifernet)
    assert_invalid(token[:-cut], multifernet)
    assert_invalid(token[cut:], multifernet)


@pytest.mark.parametrize('garbage', [
    '', 'garbage', '====', '!!!!', '\u00e9' * 40, 'x' * 2000, 'a b',
    base64.urlsafe_b64encode(os.urandom(150)).decode(),
    base64.urlsafe_b64encode(b'\x80' + os.urandom(120)).decode(),
    None, 42, b'bytes'])
def test_garbage_is_rejected(multifernet, garbage):
    assert_invalid(garbage, multifernet)


@pytest.mark.parametrize('junk', [' ', '\n', '.', '+', '/', '===='])
def test_stray_characters_are_rejected(multifernet, junk):
    token = formats.encrypt(largest(), multifernet)
    # base64 decoding alone would skip these and accept the token.
    assert_invalid(token[:40] + junk + token[40:], multifernet)
    assert_invalid(token + junk, multifernet)


@pytest.mark.parametrize('plaintext', [
    b'', b'hello', b'\x02' + msgpack.packb([]),
    b'\x01', b'\x01' + msgpack.packb([1, 2, 3]),
    b'\x01' + msgpack.packb(['user', 1, None, None, 0, []]) + b'extra',
    b'\x01' + msgpack.packb(['user', 8, None, None, 0, [b'a' * 16]]),
    b'\x01' + msgpack.packb(['user', 1, 'p', 'd', 0, [b'a' * 16]]),
    b'\x01' + msgpack.packb([b'short', 1, None, None, 0, [b'a' * 16]]),
    b'\x01' + msgpack.packb(['user', 1, None, None, 'soon', [b'a' * 16]]),
    b'\x01' + msgpack.packb(['user', 1, None, None, 0, [b'short']]),
    b'\x01' + msgpack.packb(['user', 0, None, None, 0, [b'a' * 16]]),
    b'\x01' + msgpack.packb(['user', 1, None, None, 2 ** 63, [b'a' * 16]]),
])
def test_authentic_but_malformed_payloads_are_rejected(multifernet,
                                                       plaintext):
    token = multifernet.encrypt(plaintext).decode().rstrip('=')
    assert_invalid(token, multifernet)


def test_token_from_another_repository_is_rejected(multifernet, tmp_path):
    other = str(tmp_path / 'other')
    keys.setup(other, 3)
    token = formats.encrypt(payload(), keys.load(other))
    assert_invalid(token, multifernet)
    assert_invalid(token, fernet.MultiFernet(
        [fernet.Fernet(fernet.Fernet.generate_key())]))


def test_audit_ids():
    ids = {formats.new_audit_id() for _ in range(100)}
    assert len(ids) == 100
    for audit_id in ids:
        assert len(audit_id) == 22
        assert len(base64.urlsafe_b64decode(audit_id + '==')) == 16
    parent = formats.new_audit_ids()
    assert len(parent) == 1
    child = formats.new_audit_ids(parent)
    assert child[1] == parent[0] and child[0] != parent[0]
    grandchild = formats.new_audit_ids(child)
    assert grandchild[1] == parent[0]  # the chain keeps its root
    token = payload(audit_ids=grandchild)
    assert token.audit_id == grandchild[0]
    assert token.audit_chain_id == parent[0]


@pytest.mark.parametrize('fields', [
    {'audit_ids': []}, {'audit_ids': ['short']},
    {'audit_ids': [formats.new_audit_id()] * 3},
    {'methods': []}, {'methods': ['totp']},
    {'project_id': 'p', 'domain_id': 'd'}, {'project_id': ''},
    {'user_id': ''}, {'user_id': None}, {'expires_at': '2026-11-21'},
])
def test_payload_rejects_bad_fields(fields):
    with pytest.raises(ValueError):
        payload(**fields)


def test_is_expired():
    token = payload()
    expires = EXPIRES.replace(microsecond=0)
    assert not formats.is_expired(token, expires - datetime.timedelta(
        seconds=1))
    assert formats.is_expired(token, expires)
    assert formats.is_expired(token, expires.replace(tzinfo=None))
    assert formats.is_expired(token)  # 2026-11-21 is in the past by now
    assert not formats.is_expired(payload(
        expires_at=datetime.datetime.now(UTC) + datetime.timedelta(hours=1)))


def test_format_and_parse_time():
    value = datetime.datetime(2026, 11, 21, 17, 0, tzinfo=UTC)
    assert formats.format_time(value) == '2026-11-21T17:00:00.000000Z'
    assert formats.format_time(value.replace(tzinfo=None)) == (
        '2026-11-21T17:00:00.000000Z')
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert formats.format_time(value.astimezone(plus_two)) == (
        '2026-11-21T17:00:00.000000Z')
    for text in ('2026-11-21T17:00:00.000000Z', '2026-11-21T17:00:00Z',
                 '2026-11-21T19:00:00+02:00', '2026-11-21T17:00:00'):
        assert formats.parse_time(text) == value
    assert formats.parse_time(formats.format_time(ISSUED)) == ISSUED
    for bad in ('tomorrow', '', None):
        with pytest.raises(ValueError):
            formats.parse_time(bad)


@pytest.mark.parametrize('fields', [
    {'system': 'all'},
    {'project_id': uuid.uuid4().hex, 'trust_id': uuid.uuid4().hex},
    {'project_id': 'p-1', 'app_cred_id': uuid.uuid4().hex,
     'methods': ['application_credential']},
])
def test_extensions_round_trip(multifernet, fields):
    original = payload(**fields)
    assert formats.decrypt(formats.encrypt(original, multifernet),
                           multifernet) == original


def test_unknown_extension_is_invalid(multifernet):
    plaintext = bytes([formats.FORMAT_VERSION]) + msgpack.packb(
        [uuid.uuid4().hex, 1, None, None, 2000000000,
         [os.urandom(16)], 0, {'z': 'x'}], use_bin_type=True)
    token = multifernet.encrypt_at_time(plaintext, 1700000000)
    with pytest.raises(formats.InvalidToken):
        formats.decrypt(token.rstrip(b'=').decode(), multifernet)
