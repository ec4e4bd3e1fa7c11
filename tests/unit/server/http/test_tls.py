"""Tests for keystone_like.server.http.tls: real contexts, real handshakes."""

import dataclasses
import os
import pathlib
import socket
import ssl
import threading

from cryptography.hazmat.primitives import serialization
import pytest

from keystone_like.server.config import listener
from keystone_like.server.http import tls

TIMEOUT = 5
CORRUPT_CERT = ('-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n'
                '-----END CERTIFICATE-----\n')
CORRUPT_KEY = ('-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5\n'
               '-----END PRIVATE KEY-----\n')


def settings(certs, **changes):
    base = listener.TLSSettings(
        certfile=certs.server_cert, keyfile=certs.server_key, ca_certs=None,
        cert_required=False, minimum_version='TLSv1.2', ciphers=None,
        handshake_timeout=10)
    return dataclasses.replace(base, **changes)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- contexts that build -------------------------------------------------

def test_default_context(certs):
    ctx = tls.build_context(settings(certs), 'public')
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode == ssl.CERT_NONE
    assert ctx.options & ssl.OP_NO_COMPRESSION
    assert ctx.options & ssl.OP_CIPHER_SERVER_PREFERENCE


def test_minimum_tls13(certs):
    ctx = tls.build_context(settings(certs, minimum_version='TLSv1.3'),
                            'admin')
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3


def test_cert_required(certs):
    ctx = tls.build_context(
        settings(certs, ca_certs=certs.ca_cert, cert_required=True), 'admin')
    assert ctx.verify_mode == ssl.CERT_REQUIRED


def test_ca_without_cert_required_is_optional(certs):
    ctx = tls.build_context(settings(certs, ca_certs=certs.ca_cert), 'admin')
    assert ctx.verify_mode == ssl.CERT_OPTIONAL


def test_cipher_list_applies(certs):
    ctx = tls.build_context(settings(certs, ciphers='ECDHE+AESGCM'), 'admin')
    tls12 = [c['name'] for c in ctx.get_ciphers()
             if c['protocol'] == 'TLSv1.2']
    assert tls12 and all('GCM' in name for name in tls12)


def test_default_ciphers_are_forward_secret_aead_only(certs):
    ctx = tls.build_context(settings(certs), 'admin')
    tls12 = [c for c in ctx.get_ciphers() if c['protocol'] == 'TLSv1.2']
    assert tls12
    assert all(c['aead'] and c['kea'] in ('kx-ecdhe', 'kx-dhe')
               for c in tls12), [c['name'] for c in tls12]


def test_combined_cert_and_key_file(certs, tmp_path):
    with open(certs.server_cert) as cert, open(certs.server_key) as key:
        both = write(tmp_path, 'both.pem', cert.read() + key.read())
    tls.build_context(settings(certs, certfile=both, keyfile=both), 'admin')


# --- contexts that do not build ------------------------------------------

def _encrypted_key(certs, tmp_path):
    with open(certs.server_key, 'rb') as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    path = tmp_path / 'encrypted.key'
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b'secret')))
    return str(path)


# Each case: (settings changes given certs and tmp_path, option, value shown
# in the message, missing_file, words of the problem).
FAILURES = {
    'certfile missing': (
        lambda c, t: {'certfile': str(t / 'absent.pem')},
        'certfile', 'absent.pem', True, 'does not exist'),
    'certfile directory': (
        lambda c, t: {'certfile': str(t)}, 'certfile', None, True,
        'is a directory'),
    'certfile unset': (
        lambda c, t: {'certfile': None}, 'certfile', '', False,
        'is not set'),
    'certfile garbage': (
        lambda c, t: {'certfile': write(t, 'garbage.pem', 'hello\n')},
        'certfile', 'garbage.pem', False, 'not a PEM certificate'),
    'certfile is a key': (
        lambda c, t: {'certfile': c.server_key}, 'certfile', 'server.key',
        False, 'not a PEM certificate'),
    'certfile corrupt': (
        lambda c, t: {'certfile': write(t, 'corrupt.pem', CORRUPT_CERT)},
        'certfile', 'corrupt.pem', False, 'corrupt PEM certificate'),
    'keyfile missing': (
        lambda c, t: {'keyfile': str(t / 'absent.key')},
        'keyfile', 'absent.key', True, 'does not exist'),
    'keyfile garbage': (
        lambda c, t: {'keyfile': write(t, 'garbage.key', 'hello\n')},
        'keyfile', 'garbage.key', False, 'not a PEM private key'),
    'keyfile corrupt': (
        lambda c, t: {'keyfile': write(t, 'corrupt.key', CORRUPT_KEY)},
        'keyfile', 'corrupt.key', False, 'corrupt or unsupported'),
    'keyfile mismatch': (
        lambda c, t: {'keyfile': c.wrong_key}, 'keyfile', 'wrong.key',
        False, 'does not match certfile'),
    'keyfile encrypted': (
        lambda c, t: {'keyfile': _encrypted_key(c, t)}, 'keyfile',
        'encrypted.key', False, 'encrypted'),
    'ca_certs missing': (
        lambda c, t: {'ca_certs': str(t / 'absent-ca.pem')},
        'ca_certs', 'absent-ca.pem', True, 'does not exist'),
    'ca_certs garbage': (
        lambda c, t: {'ca_certs': write(t, 'garbage-ca.pem', 'hello\n')},
        'ca_certs', 'garbage-ca.pem', False, 'not a PEM CA bundle'),
    'ca_certs corrupt': (
        lambda c, t: {'ca_certs': write(t, 'corrupt-ca.pem', CORRUPT_CERT)},
        'ca_certs', 'corrupt-ca.pem', False, 'not a valid PEM CA bundle'),
    'ca_certs leaf only': (
        lambda c, t: {'ca_certs': c.client_cert}, 'ca_certs', 'client.pem',
        False, 'no CA certificate'),
    'ca_certs unset but required': (
        lambda c, t: {'cert_required': True}, 'ca_certs', '', False,
        'cert_required is true'),
    'ciphers select nothing': (
        lambda c, t: {'ciphers': 'NO-SUCH-CIPHER'}, 'ciphers',
        'NO-SUCH-CIPHER', False, 'selects no cipher'),
    'minimum_version too old': (
        lambda c, t: {'minimum_version': 'TLSv1.1'}, 'minimum_version',
        'TLSv1.1', False, 'not supported'),
}


@pytest.mark.parametrize('case', FAILURES.values(), ids=list(FAILURES))
def test_failure_is_one_precise_line(certs, tmp_path, case):
    changes, option, value, missing_file, problem = case
    changes = changes(certs, tmp_path)
    with pytest.raises(tls.TLSConfigError) as info:
        tls.build_context(settings(certs, **changes), 'admin')
    message = str(info.value)
    assert '\n' not in message
    assert message.startswith('admin listener: [ssl] %s ' % option)
    assert (value or changes.get(option) or '') in message
    assert problem in message
    assert message.endswith('.')
    assert info.value.missing_file is missing_file
    assert info.value.option == option


@pytest.mark.skipif(os.geteuid() == 0,
                    reason='root reads files whatever their mode')
def test_unreadable_keyfile(certs, tmp_path):
    path = tmp_path / 'secret.key'
    path.write_bytes(pathlib.Path(certs.server_key).read_bytes())
    path.chmod(0)
    with pytest.raises(tls.TLSConfigError) as info:
        tls.build_context(settings(certs, keyfile=str(path)), 'public')
    assert 'public listener: [ssl] keyfile %s is not readable' % path in str(
        info.value)
    assert info.value.missing_file is True


# --- real handshakes, plain sockets and a thread -------------------------

class OneShotServer:
    """Accept one TLS connection on a thread and record how it went."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.sock = socket.create_server(('127.0.0.1', 0))
        self.sock.settimeout(TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.error = None
        self.peer = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                with self.ctx.wrap_socket(conn, server_side=True) as tconn:
                    self.peer = tconn.getpeercert()
                    tconn.sendall(b'hello')
        except OSError as exc:  # ssl.SSLError included
            self.error = exc
        finally:
            self.sock.close()

    def join(self):
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


def client_read(certs, port, cert=None, key=None, max_version=None):
    ctx = ssl.create_default_context(cafile=certs.ca_cert)
    if max_version:
        ctx.maximum_version = max_version
    if cert:
        ctx.load_cert_chain(cert, key)
    with socket.create_connection(('127.0.0.1', port), TIMEOUT) as sock:
        with ctx.wrap_socket(sock, server_hostname='localhost') as tsock:
            # Under TLS 1.3 a refused client certificate is reported after
            # the client's handshake returns: only a read shows it.
            return tsock.recv(5)


def mtls_server(certs, **changes):
    ctx = tls.build_context(
        settings(certs, ca_certs=certs.ca_cert, cert_required=True,
                 **changes), 'admin')
    return OneShotServer(ctx)


VERSIONS = pytest.mark.parametrize(
    'max_version', [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
    ids=['tls12', 'tls13'])


@VERSIONS
def test_client_with_valid_cert_completes(certs, max_version):
    server = mtls_server(certs)
    data = client_read(certs, server.port, certs.client_cert,
                       certs.client_key, max_version)
    server.join()
    assert data == b'hello'
    assert server.error is None
    assert (('commonName', 'test client'),) in server.peer['subject']


@VERSIONS
def test_client_without_cert_fails(certs, max_version):
    server = mtls_server(certs)
    with pytest.raises(ssl.SSLError):
        client_read(certs, server.port, max_version=max_version)
    server.join()
    assert isinstance(server.error, ssl.SSLError)


@VERSIONS
def test_client_with_other_ca_cert_fails(certs, max_version):
    server = mtls_server(certs)
    with pytest.raises(ssl.SSLError):
        client_read(certs, server.port, certs.other_client_cert,
                    certs.other_client_key, max_version)
    server.join()
    assert isinstance(server.error, ssl.SSLError)
    assert 'certificate verify failed' in str(server.error)


def test_optional_client_cert_allows_anonymous(certs):
    ctx = tls.build_context(settings(certs, ca_certs=certs.ca_cert), 'admin')
    server = OneShotServer(ctx)
    assert client_read(certs, server.port) == b'hello'
    server.join()
    assert server.error is None and not server.peer


def test_tls13_minimum_refuses_tls12_client(certs):
    server = mtls_server(certs, minimum_version='TLSv1.3')
    with pytest.raises(ssl.SSLError):
        client_read(certs, server.port, certs.client_cert, certs.client_key,
                    ssl.TLSVersion.TLSv1_2)
    server.join()
    assert isinstance(server.error, ssl.SSLError)
