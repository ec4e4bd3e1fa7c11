"""The server-side TLS context of one listener, built and checked at start-up.

Files are opened and inspected here before OpenSSL sees them, because
OpenSSL's own errors ("PEM lib") do not say which file or what is wrong.
Stdlib only: the launcher calls this before any engine is chosen.
"""

import os
import re
import ssl

_VERSIONS = {
    'TLSv1.2': ssl.TLSVersion.TLSv1_2,
    'TLSv1.3': ssl.TLSVersion.TLSv1_3,
}
_CERT_BLOCK = re.compile(
    rb'-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----', re.DOTALL)
_CIPHER_EXAMPLE = 'ECDHE+AESGCM:ECDHE+CHACHA20'
# TLS 1.2 suites when ``ciphers`` is unset: forward secret and AEAD only
# (Mozilla's "intermediate" profile). OpenSSL's own default still offers
# CBC suites, which scanners rate weak (Lucky13-style padding oracles).
DEFAULT_CIPHERS = 'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20'


class TLSConfigError(Exception):
    """A listener's TLS settings cannot be loaded; ``str()`` is one line."""

    def __init__(self, listener, option, problem, fix, missing_file=False):
        self.listener = listener
        self.option = option
        # True: a file is absent or unreadable (EX_NOINPUT); False: a value
        # or a file's content is wrong (EX_CONFIG).
        self.missing_file = missing_file
        message = '%s listener: [ssl] %s %s; %s.' % (listener, option,
                                                     problem, fix)
        super().__init__(' '.join(message.splitlines()))


class _EncryptedKey(Exception):
    pass


def _no_password():
    # Without a callback OpenSSL would prompt on the terminal and hang a
    # daemon's start-up; fail instead.
    raise _EncryptedKey()


def _read(listener, option, path, fix):
    """Return the bytes of ``path`` or raise a precise TLSConfigError."""
    if not path:
        raise TLSConfigError(listener, option, 'is not set', fix)

    def fail(problem, remedy=fix):
        raise TLSConfigError(listener, option, '%s %s' % (path, problem),
                             remedy, missing_file=True)

    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        fail('does not exist')
    except IsADirectoryError:
        fail('is a directory, not a file')
    except PermissionError:
        fail('is not readable by uid %d (permission denied)' % os.geteuid(),
             'make it readable by the user the service starts as')
    except OSError as exc:
        fail('cannot be read (%s)' % exc.strerror)


def _detail(exc):
    """Return " (OpenSSL: reason)", or '' when OpenSSL gives only "PEM lib"."""
    reason = getattr(exc, 'reason', None)
    if not reason:
        return ''
    return ' (OpenSSL: %s)' % reason.lower().replace('_', ' ')


def _check_certfile(listener, path):
    fix = 'point it at the PEM certificate the listener presents'
    data = _read(listener, 'certfile', path, fix)
    blocks = _CERT_BLOCK.findall(data)
    if not blocks:
        raise TLSConfigError(
            listener, 'certfile',
            '%s is not a PEM certificate (no BEGIN CERTIFICATE block)' % path,
            fix + ', not a key or a DER file')
    # Parse the certificates on their own so a corrupt one is not blamed on
    # the key, which load_cert_chain cannot tell apart.
    try:
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.load_verify_locations(
            cadata=b'\n'.join(blocks).decode('ascii'))
    except (ssl.SSLError, UnicodeDecodeError) as exc:
        raise TLSConfigError(
            listener, 'certfile', '%s holds a corrupt PEM certificate%s'
            % (path, _detail(exc)),
            're-export the certificate in PEM format') from None


def _check_keyfile(listener, path):
    fix = 'point it at the PEM private key matching certfile'
    data = _read(listener, 'keyfile', path, fix)
    if b'PRIVATE KEY-----' not in data:
        raise TLSConfigError(
            listener, 'keyfile',
            '%s is not a PEM private key (no BEGIN PRIVATE KEY block)' % path,
            fix)
    if (b'BEGIN ENCRYPTED PRIVATE KEY' in data
            or b'Proc-Type: 4,ENCRYPTED' in data):
        raise _encrypted_key(listener, path)


def _encrypted_key(listener, path):
    return TLSConfigError(
        listener, 'keyfile', '%s is encrypted with a passphrase' % path,
        'store the key unencrypted and readable by root only')


def _load_chain(ctx, listener, tls):
    _check_certfile(listener, tls.certfile)
    _check_keyfile(listener, tls.keyfile)
    try:
        ctx.load_cert_chain(tls.certfile, tls.keyfile, password=_no_password)
    except _EncryptedKey:
        raise _encrypted_key(listener, tls.keyfile) from None
    except ssl.SSLError as exc:
        if exc.reason == 'KEY_VALUES_MISMATCH':
            raise TLSConfigError(
                listener, 'keyfile', '%s does not match certfile %s'
                % (tls.keyfile, tls.certfile),
                'point keyfile at the key the certificate was issued '
                'for') from None
        raise TLSConfigError(
            listener, 'keyfile', '%s holds a corrupt or unsupported '
            'private key%s' % (tls.keyfile, _detail(exc)),
            're-export the key in PEM format') from None


def _load_ca(ctx, listener, path):
    fix = 'point it at the PEM bundle of the CAs that sign client certificates'
    data = _read(listener, 'ca_certs', path, fix)
    if not _CERT_BLOCK.search(data):
        raise TLSConfigError(
            listener, 'ca_certs',
            '%s is not a PEM CA bundle (no BEGIN CERTIFICATE block)' % path,
            fix)
    try:
        ctx.load_verify_locations(cafile=path)
    except ssl.SSLError as exc:
        raise TLSConfigError(
            listener, 'ca_certs', '%s is not a valid PEM CA bundle%s'
            % (path, _detail(exc)), fix) from None
    if not ctx.cert_store_stats()['x509_ca']:
        # A leaf certificate here would make every client fail to verify.
        raise TLSConfigError(
            listener, 'ca_certs', '%s holds no CA certificate' % path, fix)


def build_context(tls_settings, listener_name):
    """Return the listener's server ``SSLContext``; raise TLSConfigError."""
    tls, name = tls_settings, listener_name
    version = _VERSIONS.get(tls.minimum_version)
    if version is None:
        raise TLSConfigError(
            name, 'minimum_version', '%r is not supported'
            % (tls.minimum_version,), 'use TLSv1.2 or TLSv1.3')
    if tls.cert_required and not tls.ca_certs:
        raise TLSConfigError(
            name, 'ca_certs', 'is not set but cert_required is true',
            'point it at the PEM bundle of the CAs that sign client '
            'certificates')
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = version
    ctx.options |= ssl.OP_NO_COMPRESSION  # CRIME
    ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    # Client-initiated TLS 1.2 renegotiation is a cheap CPU-exhaustion lever.
    ctx.options |= ssl.OP_NO_RENEGOTIATION
    try:
        ctx.set_ciphers(tls.ciphers or DEFAULT_CIPHERS)
    except ssl.SSLError:
        raise TLSConfigError(
            name, 'ciphers', '%r selects no cipher' % (tls.ciphers,),
            'use an OpenSSL cipher list such as "%s" or unset it'
            % _CIPHER_EXAMPLE) from None
    _load_chain(ctx, name, tls)
    if tls.ca_certs:
        _load_ca(ctx, name, tls.ca_certs)
    if tls.cert_required:
        ctx.verify_mode = ssl.CERT_REQUIRED
    elif tls.ca_certs:
        ctx.verify_mode = ssl.CERT_OPTIONAL
    else:
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
