"""Options of the ``[ssl]`` group: TLS and mutual TLS for the listeners.

Each option can be set for one listener in ``[ssl_admin]`` or
``[ssl_public]``, e.g. to require client certificates on admin only.
"""

from oslo_config import cfg

GROUP_NAME = 'ssl'

LISTENER_OPTS = [
    cfg.BoolOpt(
        'enable', default=False,
        help='Serve HTTPS instead of HTTP. Needs certfile and keyfile.'),
    cfg.StrOpt(
        'certfile',
        help='Path of the PEM certificate (chain) the listener presents. '
             'Put intermediate certificates after the server certificate.'),
    cfg.StrOpt(
        'keyfile',
        help='Path of the PEM private key matching certfile. It may be '
             'readable by root only: it is read before privileges drop.'),
    cfg.StrOpt(
        'ca_certs',
        help='Path of the PEM CA bundle client certificates are checked '
             'against. Needed when cert_required is true.'),
    cfg.BoolOpt(
        'cert_required', default=False,
        help='Require every client to present a certificate signed by a CA '
             'in ca_certs (mutual TLS). Clients without one, or with one '
             'from another CA, fail the handshake.'),
    cfg.StrOpt(
        'minimum_version', default='TLSv1.2',
        choices=[('TLSv1.2', 'TLS 1.2 and newer'),
                 ('TLSv1.3', 'TLS 1.3 only')],
        help='The oldest TLS version the listener accepts.'),
    cfg.StrOpt(
        'ciphers',
        help='OpenSSL cipher list for TLS 1.2, e.g. '
             '"ECDHE+AESGCM:ECDHE+CHACHA20". Unset allows forward-secret '
             'AEAD suites only (ECDHE or DHE with AES-GCM or '
             'ChaCha20-Poly1305, as Mozilla\'s intermediate profile); '
             'OpenSSL\'s own default would add CBC suites. TLS 1.3 suites '
             'are not affected.'),
    cfg.IntOpt(
        'handshake_timeout', default=10, min=1,
        help='Seconds a client has to finish the TLS handshake.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(LISTENER_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: LISTENER_OPTS}
