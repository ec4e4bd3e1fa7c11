"""service-manage credential_setup, credential_rotate, credential_migrate;
setup and check cover the credential key repository."""

import os

import pytest
import sqlalchemy as sa

from keystone_like.credential import crypto
from keystone_like.db import models
from keystone_like.manage import credential_rotate
from keystone_like.server import errors
from keystone_like.store import credentials
from keystone_like.store import domains
from keystone_like.store import users
from keystone_like.token import keys
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

manage = support.manage
manage_db = support.manage_db
BLOBS = {'one': 'first-secret-blob', 'two': '{"access": "a", "secret": "b"}'}


def repository(manage):
    return manage.state_dir / 'credential-keys'


def _key_ids(path):
    return keys.key_ids(str(path), keys.CREDENTIALS)


def test_setup_creates_then_leaves_the_repository_alone(manage):
    first = manage('credential_setup')
    assert first.code == errors.EXIT_OK, first.err
    path = repository(manage)
    assert first.out == ('Created Credential key repository %s with staged '
                         'key 0 and primary key 1.\n' % path)
    assert _key_ids(path) == [0, 1]
    assert os.stat(path).st_mode & 0o777 == 0o700
    second = manage('credential_setup')
    assert second.out == ('Credential key repository %s already has keys '
                          '0, 1; left unchanged.\n' % path)
    # Apart from the token keys.
    assert not manage.key_repository.exists()


def test_help_documents_the_exit_codes(manage):
    run = manage('credential_rotate', '--help')
    assert run.code == errors.EXIT_OK
    out = run.out
    assert 'credential_migrate' in out
    assert '  75  credentials are still encrypted with a key' in out
    assert '  69  the database cannot be reached' in out


def test_setup_and_check_cover_the_repository(manage, monkeypatch):
    monkeypatch.setenv('OS_BOOTSTRAP_PASSWORD', 'not checked here')
    run = manage('setup')
    assert run.code == errors.EXIT_OK, run.err
    path = repository(manage)
    assert ('Created Credential key repository %s with staged key 0 and '
            'primary key 1.' % path) in run.out.splitlines()
    checked = manage('check', '--skip-ports')
    assert checked.code == errors.EXIT_OK, checked.err
    assert 'ok: Credential key repository %s loads (keys 0, 1)' % (
        path) in checked.out.splitlines()
    for name in os.listdir(path):
        os.unlink(path / name)
    checked = manage('check', '--skip-ports')
    assert checked.code == errors.EXIT_NOINPUT
    assert support.one_line_error(checked, 'check').endswith(
        'Credential key repository %s holds no keys (files named 0, 1, '
        '...); run: service-manage credential_setup' % path)


def _prepare(manage_db):
    """Schema, keys, and two credentials encrypted with key 1."""
    for command in ('db_sync', 'credential_setup'):
        assert manage_db(command).code == errors.EXIT_OK
    keyring = crypto.load(str(repository(manage_db)))
    with manage_db.session() as session:
        domain = domains.create_domain(session, {'name': 'd'})
        user = users.create_user(session, {'name': 'u',
                                           'domain_id': domain['id']})
        for credential_id, blob in BLOBS.items():
            credentials.create_credential(session, keyring, {
                'id': credential_id, 'user_id': user['id'], 'type': 'x',
                'blob': blob})


def _stored(manage_db):
    with manage_db.session() as session:
        return {row.id: (row.key_hash, row.encrypted_blob)
                for row in session.scalars(sa.select(models.Credential))}


def _decrypted(manage_db):
    keyring = crypto.load(str(repository(manage_db)))
    with manage_db.session() as session:
        return {ref['id']: ref['blob']
                for ref in credentials.list_credentials(session, keyring)}


def test_rotate_refuses_to_drop_a_key_in_use_until_migrated(manage_db):
    _prepare(manage_db)
    path = repository(manage_db)
    run = manage_db('credential_rotate')
    assert run.code == errors.EXIT_OK, run.err
    assert run.out.splitlines() == [
        'Rotated Credential keys in %s: key 2 is the new primary key.' % path,
        'Keys now present: 0, 1, 2.']
    before = _stored(manage_db)
    run = manage_db('credential_rotate')
    assert run.code == credential_rotate.EXIT_MIGRATE_FIRST
    assert support.one_line_error(run, 'credential_rotate').endswith(
        '2 credentials are still encrypted with a key this rotation would '
        'remove (key 1 of %s); run service-manage credential_migrate '
        'first, then rotate again' % path)
    assert _key_ids(path) == [0, 1, 2]
    run = manage_db('credential_migrate')
    assert run.code == errors.EXIT_OK, run.err
    assert run.out == ('Re-encrypted 2 credentials with primary key 2 of '
                       '%s.\n' % path)
    after = _stored(manage_db)
    keyring = crypto.load(str(path))
    assert {key_hash for key_hash, _blob in after.values()} == {
        keyring.hash_of(2)}
    assert all(after[i][1] != before[i][1] for i in BLOBS)
    assert manage_db('credential_migrate').out.startswith(
        'Re-encrypted 0 credentials')
    run = manage_db('credential_rotate')
    assert run.code == errors.EXIT_OK, run.err
    assert 'Removed key 1 (beyond max_active_keys = 3).' in run.out
    assert _key_ids(path) == [0, 2, 3]
    assert _decrypted(manage_db) == BLOBS


def test_migrate_refuses_a_credential_no_key_decrypts(manage_db):
    _prepare(manage_db)
    path = repository(manage_db)
    # An operator removed key 1 by hand: "one" can never be read again.
    assert manage_db('credential_rotate').code == errors.EXIT_OK
    (path / '1').unlink()
    before = _stored(manage_db)
    run = manage_db('credential_migrate')
    assert run.code == errors.EXIT_FAILURE
    line = support.one_line_error(run, 'credential_migrate')
    assert 'credential one cannot be decrypted with any key of %s' % (
        path) in line
    assert 'nothing was changed' in line
    assert _stored(manage_db) == before
    for blob in BLOBS.values():
        assert blob not in run.out + run.err


def test_rotate_and_migrate_without_repository(manage):
    for command in ('credential_rotate', 'credential_migrate'):
        run = manage(command)
        assert run.code == errors.EXIT_NOINPUT
        assert support.one_line_error(run, command).endswith(
            'Credential key repository %s does not exist; run: '
            'service-manage credential_setup' % repository(manage))


def test_rotate_without_schema(manage):
    assert manage('credential_setup').code == errors.EXIT_OK
    run = manage('credential_rotate')
    assert run.code == errors.EXIT_CONFIG
    assert support.one_line_error(run, 'credential_rotate').endswith(
        'has no schema; run: service-manage db_sync')
    assert _key_ids(repository(manage)) == [0, 1]


def test_keyring_knows_each_key_hash(tmp_path):
    keys.setup(str(tmp_path), 3, kind=keys.CREDENTIALS)
    keyring = crypto.load(str(tmp_path))
    assert keyring.ids == (1, 0)
    assert keyring.primary_hash == keyring.hash_of(1) == crypto.key_hash(
        (tmp_path / '1').read_bytes().strip())
    assert keyring.hash_of(7) is None
    encrypted, key_hash = keyring.encrypt('blob')
    assert key_hash == keyring.primary_hash
    assert keyring.decrypt(encrypted) == 'blob'
    with pytest.raises(crypto.DecryptionError):
        keyring.decrypt('garbage', 'cid')
