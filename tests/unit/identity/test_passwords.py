"""Tests of password hashing: algorithms, limits, rehashing, off-hub runs."""

import time

from oslo_config import cfg
import pytest

from keystone_like.common import offload
from keystone_like.conf import opts
from keystone_like import exceptions
from keystone_like.identity import passwords

# Low work factors keep the suite fast; each is the minimum allowed.
FAST = {'bcrypt': 4, 'pbkdf2_sha512': 1000, 'scrypt': 4}
PREFIX = {'bcrypt': 'bcrypt_sha256$$2b$04$',
          'pbkdf2_sha512': '$pbkdf2-sha512$1000$',
          'scrypt': '$scrypt$ln=4,r=8,p=1$'}
# Made by passlib 1.7.4 (published in node-passlib's README).
PASSLIB_PBKDF2 = ('$pbkdf2-sha512$25000$JKSU8r63VgrBmHMO4RwjRA$bUL/owmBl8sla'
                  'j.fjONmdRijzOs4Lo6EwbKtoA6EPX1hs1BCdg3JRjfkR3WX5/mZ4cIhtJ'
                  'hFVFxrLlq1lHfpQw')


def make_conf(algorithm='bcrypt'):
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf([], default_config_files=[])
    use(conf, algorithm)
    return conf


def use(conf, algorithm, rounds=None):
    conf.set_override('password_hash_algorithm', algorithm, 'identity')
    conf.set_override('password_hash_rounds', rounds or FAST[algorithm],
                      'identity')


@pytest.fixture
def conf():
    return make_conf()


@pytest.fixture
def calls(monkeypatch):
    """Record the functions run through offload.run_blocking."""
    seen = []

    def executor(function, *args, **kwargs):
        seen.append(function.__name__)
        return function(*args, **kwargs)

    previous = offload.install(executor)
    yield seen
    offload.install(previous)


@pytest.mark.parametrize('algorithm', sorted(FAST))
def test_round_trip(algorithm):
    conf = make_conf(algorithm)
    encoded = passwords.hash_password('correct horse', conf)
    assert encoded.startswith(PREFIX[algorithm])
    assert passwords.verify_password('correct horse', encoded)
    assert not passwords.verify_password('correct hors', encoded)
    assert not passwords.verify_password('Correct horse', encoded)
    assert not passwords.verify_password('', encoded)
    assert not passwords.needs_rehash(encoded, conf)


@pytest.mark.parametrize('algorithm', sorted(FAST))
def test_salted_and_unicode(algorithm):
    conf = make_conf(algorithm)
    password = 'p\u00e4ss \u2603 \ud83d\udd11 \ud800'  # incl. lone surrogate
    first = passwords.hash_password(password, conf)
    assert first != passwords.hash_password(password, conf)
    assert passwords.verify_password(password, first)
    assert not passwords.verify_password(password[:-1], first)


@pytest.mark.parametrize('algorithm', sorted(FAST))
def test_bytes_past_72_count(algorithm):
    conf = make_conf(algorithm)
    common = 'a' * 72
    encoded = passwords.hash_password(common + 'first', conf)
    assert passwords.verify_password(common + 'first', encoded)
    assert not passwords.verify_password(common + 'other', encoded)
    assert not passwords.verify_password(common, encoded)


def test_over_long_rejected_fast_without_hashing(conf, calls):
    conf.set_override('max_password_length', 100, 'identity')
    for password in ('x' * 101, 'x' * 1000000, '\u00e9' * 51):
        started = time.perf_counter()
        with pytest.raises(exceptions.ValidationError) as info:
            passwords.check_length(password, conf)
        assert time.perf_counter() - started < 0.05
        assert info.value.code == 400
        assert '100 bytes' in info.value.message
        with pytest.raises(exceptions.ValidationError):
            passwords.hash_password(password, conf)
    assert calls == []
    passwords.check_length('x' * 100, conf)
    passwords.check_length('\u00e9' * 50, conf)  # 100 bytes in UTF-8
    with pytest.raises(exceptions.ValidationError):
        passwords.check_length(None, conf)


def test_verify_after_algorithm_change_and_rehash():
    conf = make_conf('bcrypt')
    hashes = {}
    for algorithm in sorted(FAST):
        use(conf, algorithm)
        hashes[algorithm] = passwords.hash_password('s3cret', conf)
    use(conf, 'scrypt')
    for algorithm, encoded in hashes.items():
        assert passwords.verify_password('s3cret', encoded), algorithm
        assert not passwords.verify_password('s3creT', encoded), algorithm
        assert passwords.needs_rehash(encoded, conf) == (
            algorithm != 'scrypt')


def test_needs_rehash_on_rounds_and_junk(conf):
    encoded = passwords.hash_password('pw', conf)
    assert not passwords.needs_rehash(encoded, conf)
    conf.set_override('password_hash_rounds', 5, 'identity')
    assert passwords.needs_rehash(encoded, conf)
    conf.clear_override('password_hash_rounds', 'identity')
    assert passwords.needs_rehash(encoded, conf)  # default is 12
    for junk in (None, '', 'plain', '$2b$04$' + 'a' * 53):
        assert passwords.needs_rehash(junk, conf)


def test_scrypt_old_parameters_need_rehash():
    conf = make_conf('scrypt')
    encoded = passwords.hash_password('pw', conf).replace('r=8', 'r=4')
    assert passwords.needs_rehash(encoded, conf)


def test_passlib_pbkdf2_hash_verifies():
    assert passwords.verify_password('yourpassword', PASSLIB_PBKDF2)
    assert not passwords.verify_password('wrongpassword', PASSLIB_PBKDF2)


@pytest.mark.parametrize('encoded', [
    None, '', 'secret', 'bcrypt_sha256$', 'bcrypt_sha256$$2b$04$short',
    '$2b$04$' + 'a' * 53,  # plain bcrypt: not ours, would truncate
    '$pbkdf2-sha512$1000$!!$!!', '$pbkdf2-sha512$10$AAAA$AAAA',
    '$pbkdf2-sha512$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAA',
    '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A' * 43,
    '$scrypt$ln=20,r=32,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A' * 43,
    '$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$A',
    '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
])
def test_malformed_hashes_never_match(encoded):
    assert passwords.verify_password('secret', encoded) is False


def test_verify_rejects_non_string_password(conf):
    encoded = passwords.hash_password('pw', conf)
    assert passwords.verify_password(None, encoded) is False
    assert passwords.verify_password(b'pw', encoded) is False


def test_dummy_verify_is_false_and_hashes_once(conf, calls, monkeypatch):
    monkeypatch.setattr(passwords, '_dummy_hashes', {})
    assert passwords.dummy_verify('anything', conf) is False
    assert calls == ['_hash_bcrypt', '_verify']
    assert passwords.dummy_verify('', conf) is False
    assert calls == ['_hash_bcrypt', '_verify', '_verify']
    use(conf, 'pbkdf2_sha512')
    assert passwords.dummy_verify('anything', conf) is False
    assert calls[-2:] == ['_hash_pbkdf2', '_verify']


def test_dummy_verify_costs_like_a_real_verify(conf):
    conf.set_override('password_hash_rounds', 8, 'identity')
    passwords.dummy_verify('warm-up', conf)
    encoded = passwords.hash_password('pw', conf)

    def best_of_three(function):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return min(times)

    real = best_of_three(lambda: passwords.verify_password('no', encoded))
    dummy = best_of_three(lambda: passwords.dummy_verify('no', conf))
    assert 0.4 < dummy / real < 2.5


def test_hash_and_verify_run_through_offload(conf, calls):
    encoded = passwords.hash_password('pw', conf)
    assert passwords.verify_password('pw', encoded)
    assert calls == ['_hash_bcrypt', '_verify']


def test_offload_default_calls_directly():
    previous = offload.install(None)
    try:
        assert offload.run_blocking(int, '10', base=2) == 2
    finally:
        assert offload.install(previous) is None


@pytest.mark.parametrize('algorithm, rounds', [
    ('bcrypt', 32), ('pbkdf2_sha512', 999), ('scrypt', 21)])
def test_out_of_range_rounds_is_a_clear_config_error(algorithm, rounds):
    conf = make_conf(algorithm)
    conf.set_override('password_hash_rounds', rounds, 'identity')
    with pytest.raises(ValueError) as info:
        passwords.check_config(conf)
    assert 'password_hash_rounds = %d' % rounds in str(info.value)
    with pytest.raises(ValueError):
        passwords.hash_password('pw', conf)


def test_defaults():
    conf = make_conf()
    conf.clear_override('password_hash_rounds', 'identity')
    passwords.check_config(conf)
    assert passwords._settings(conf) == ('bcrypt', 12)
