"""A TLS scan of both listeners with sslyze, as an auditor would run it.

service-all serves TLS on both listeners, mutual TLS (``cert_required``)
on the admin one, with the defaults otherwise. sslyze connects with its
own OpenSSL build (nassl), which still speaks SSL 3.0 to TLS 1.1, so a
protocol the server would accept is seen.
"""

import pathlib

import pytest

sslyze = pytest.importorskip('sslyze')

from tests.support import service  # noqa: E402

pytestmark = pytest.mark.timeout(180)

OLD_PROTOCOLS = ('ssl_2_0_cipher_suites', 'ssl_3_0_cipher_suites',
                 'tls_1_0_cipher_suites', 'tls_1_1_cipher_suites')
CURRENT_PROTOCOLS = ('tls_1_2_cipher_suites', 'tls_1_3_cipher_suites')
WEAK = ('NULL', 'anon', 'EXPORT', 'RC4', 'DES', 'MD5', 'IDEA', 'SEED',
        'CAMELLIA', 'ARIA', 'PSK', 'SRP', 'CBC')
COMMANDS = {getattr(sslyze.ScanCommand, name.upper())
            for name in OLD_PROTOCOLS + CURRENT_PROTOCOLS + (
                'tls_compression', 'session_renegotiation',
                'certificate_info')}


@pytest.fixture(scope='module')
def tls_service(tmp_path_factory, certs):
    """service-all with TLS on both listeners and mTLS on admin."""
    directory = tmp_path_factory.mktemp('tls-scan')
    with service.Services(directory) as services:
        yield services(sections={
            'ssl': {'enable': True, 'certfile': certs.server_cert,
                    'keyfile': certs.server_key},
            'ssl_admin': {'ca_certs': certs.ca_cert, 'cert_required': True},
        }).start()


def scan(port, credentials=None):
    """Run the scan commands against 127.0.0.1:``port``; return results."""
    location = sslyze.ServerNetworkLocation('127.0.0.1', port)
    configuration = sslyze.ServerNetworkConfiguration(
        'localhost', tls_client_auth_credentials=credentials)
    scanner = sslyze.Scanner(per_server_concurrent_connections_limit=4)
    scanner.queue_scans([sslyze.ServerScanRequest(
        server_location=location, network_configuration=configuration,
        scan_commands=COMMANDS)])
    [result] = scanner.get_results()
    assert result.scan_status == sslyze.ServerScanStatusEnum.COMPLETED, (
        result.connectivity_error_trace)
    return result


def accepted(result, protocol):
    """The names of the cipher suites accepted for ``protocol``."""
    attempt = getattr(result.scan_result, protocol)
    assert attempt.status == sslyze.ScanCommandAttemptStatusEnum.COMPLETED, (
        protocol, attempt.error_reason, attempt.error_trace)
    return [suite.cipher_suite.name
            for suite in attempt.result.accepted_cipher_suites]


def assert_hardened(result):
    """TLS 1.2+ with strong suites only, no compression, safe renegotiation."""
    for protocol in OLD_PROTOCOLS:
        assert accepted(result, protocol) == [], protocol
    suites = [name for protocol in CURRENT_PROTOCOLS
              for name in accepted(result, protocol)]
    assert suites, 'no TLS 1.2 or 1.3 suite accepted'
    weak = [name for name in suites
            if any(part in name.split('_') for part in WEAK)]
    assert weak == [], weak
    compression = result.scan_result.tls_compression.result
    assert not compression.supports_compression
    renegotiation = result.scan_result.session_renegotiation.result
    assert not renegotiation.is_vulnerable_to_client_renegotiation_dos
    assert renegotiation.supports_secure_renegotiation


def test_public_listener_is_hardened(tls_service):
    result = scan(tls_service.public_port)
    assert_hardened(result)
    assert (result.connectivity_result.client_auth_requirement
            == sslyze.ClientAuthRequirementEnum.DISABLED)


def test_admin_listener_requires_a_client_certificate(tls_service, certs):
    # Without a certificate the scan learns the requirement and can go no
    # further than the handshake; with one, it audits the rest.
    location = sslyze.ServerNetworkLocation('127.0.0.1',
                                            tls_service.admin_port)
    without = sslyze.ServerNetworkConfiguration('localhost')
    scanner = sslyze.Scanner()
    scanner.queue_scans([sslyze.ServerScanRequest(
        server_location=location, network_configuration=without,
        scan_commands={sslyze.ScanCommand.TLS_COMPRESSION})])
    [result] = scanner.get_results()
    assert (result.connectivity_result.client_auth_requirement
            == sslyze.ClientAuthRequirementEnum.REQUIRED)
    credentials = sslyze.ClientAuthenticationCredentials(
        certificate_chain_path=pathlib.Path(certs.client_cert),
        key_path=pathlib.Path(certs.client_key))
    assert_hardened(scan(tls_service.admin_port, credentials))
