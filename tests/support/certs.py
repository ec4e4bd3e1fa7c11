"""X.509 material made at test time: two CAs, server and client certificates.

Everything is generated fresh (EC P-256 keeps it fast) so no test depends on
checked-in keys that expire or leak.
"""

import dataclasses
import datetime
import ipaddress
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

# Backdate so a clock a little behind the test host still accepts them.
_SKEW = datetime.timedelta(hours=1)
_LIFETIME = datetime.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class CertFiles:
    """Paths of the generated PEM files."""

    ca_cert: str
    ca_key: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str
    other_ca_cert: str
    other_ca_key: str
    other_client_cert: str
    other_client_key: str
    wrong_cert: str
    wrong_key: str


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'keystone_like tests'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _new_key():
    return ec.generate_private_key(ec.SECP256R1())


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _SKEW)
            .not_valid_after(now + _LIFETIME))


def _make_ca(common_name):
    key = _new_key()
    name = _name(common_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                           critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_leaf(common_name, ca_key, ca_cert, usage, sans=()):
    key = _new_key()
    builder = (_builder(_name(common_name), ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False,
                                                    path_length=None),
                              critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(
                   x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       ca_key.public_key()), critical=False))
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(list(sans)), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _server_sans():
    return (x509.DNSName('localhost'),
            x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
            x509.IPAddress(ipaddress.ip_address('::1')))


def _write(directory, stem, key, cert):
    key_path = directory / ('%s.key' % stem)
    cert_path = directory / ('%s.pem' % stem)
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)


def generate(directory):
    """Write a full set of test certificates into ``directory``."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _make_ca('keystone_like test CA')
    other_ca_key, other_ca_cert = _make_ca('keystone_like other CA')
    server = _make_leaf('localhost', ca_key, ca_cert,
                        ExtendedKeyUsageOID.SERVER_AUTH, _server_sans())
    client = _make_leaf('test client', ca_key, ca_cert,
                        ExtendedKeyUsageOID.CLIENT_AUTH)
    other_client = _make_leaf('other client', other_ca_key, other_ca_cert,
                              ExtendedKeyUsageOID.CLIENT_AUTH)
    # Self-signed server pair: its key never matches server_cert.
    wrong = _make_ca('wrong server')

    paths = {}
    for stem, (key, cert) in (('ca', (ca_key, ca_cert)),
                              ('server', server),
                              ('client', client),
                              ('other_ca', (other_ca_key, other_ca_cert)),
                              ('other_client', other_client),
                              ('wrong', wrong)):
        paths['%s_cert' % stem], paths['%s_key' % stem] = _write(
            directory, stem, key, cert)
    return CertFiles(**paths)
