"""Per-listener option overrides and the settings one listener runs with.

``[eventlet_server]`` and ``[ssl]`` hold the defaults for both listeners;
``[<group>_admin]`` and ``[<group>_public]`` hold the same options, unset by
default, for one listener. The override options are derived from the base
declarations so each option is declared once.
"""

import copy
import dataclasses

from keystone_like.server.config import eventlet_server
from keystone_like.server.config import ssl

LISTENERS = ('admin', 'public')

# (base group, options that can be overridden per listener)
OVERRIDABLE = (
    (eventlet_server.GROUP_NAME, eventlet_server.LISTENER_OPTS),
    (ssl.GROUP_NAME, ssl.LISTENER_OPTS),
)


def override_group(base_group, listener):
    """Return the group overriding ``base_group`` for one listener."""
    return '%s_%s' % (base_group, listener)


def _override_opts(base_group, opts, listener):
    copies = []
    for opt in opts:
        new = copy.copy(opt)
        new.default = None
        new.help = ('Overrides [%s] %s for the %s listener only; unset '
                    'uses the [%s] value.' % (base_group, opt.name, listener,
                                              base_group))
        copies.append(new)
    return copies


def _all_override_opts():
    for listener in LISTENERS:
        for base_group, opts in OVERRIDABLE:
            yield (override_group(base_group, listener),
                   _override_opts(base_group, opts, listener))


def register_opts(conf):
    """Register the per-listener override groups on ``conf``."""
    for group, opts in _all_override_opts():
        conf.register_opts(opts, group=group)


def list_opts():
    """Return the override groups for the sample config generator."""
    return dict(_all_override_opts())


def effective(conf, base_group, name, listener):
    """Return the value of ``[base_group] name`` as ``listener`` sees it."""
    value = conf[override_group(base_group, listener)][name]
    return conf[base_group][name] if value is None else value


@dataclasses.dataclass(frozen=True)
class TLSSettings:
    """TLS material and policy of one listener (paths, not loaded files)."""

    certfile: str
    keyfile: str
    ca_certs: str | None
    cert_required: bool
    minimum_version: str
    ciphers: str | None
    handshake_timeout: float


@dataclasses.dataclass(frozen=True)
class ListenerSettings:
    """What one listener needs to bind and serve, resolved from config."""

    name: str
    host: str
    port: int
    pool_size: int = 1000
    max_connections: int = 10000
    backlog: int = 4096
    max_request_line: int = 8192
    max_header_line: int = 16384
    max_request_head_size: int = 65536
    max_header_count: int = 100
    request_head_timeout: float = 10
    keepalive_timeout: float = 30
    wsgi_keep_alive: bool = True
    client_socket_timeout: float | None = 900
    tcp_keepidle: int = 600
    tls: TLSSettings | None = None
    access_log: bool = True
    trusted_proxies: tuple = ()


def listener_settings(conf, listener):
    """Build the :class:`ListenerSettings` of ``listener`` from ``conf``."""
    def server(name):
        return effective(conf, eventlet_server.GROUP_NAME, name, listener)

    def tls(name):
        return effective(conf, ssl.GROUP_NAME, name, listener)

    tls_settings = None
    if tls('enable'):
        tls_settings = TLSSettings(
            certfile=tls('certfile'), keyfile=tls('keyfile'),
            ca_certs=tls('ca_certs'), cert_required=tls('cert_required'),
            minimum_version=tls('minimum_version'), ciphers=tls('ciphers'),
            handshake_timeout=tls('handshake_timeout'))
    return ListenerSettings(
        name=listener,
        host=conf['%s_bind_host' % listener],
        port=conf['%s_port' % listener],
        pool_size=server('pool_size'),
        max_connections=server('max_connections'),
        backlog=server('backlog'),
        max_request_line=server('max_request_line'),
        max_header_line=server('max_header_line'),
        max_request_head_size=server('max_request_head_size'),
        max_header_count=server('max_header_count'),
        request_head_timeout=server('request_head_timeout'),
        keepalive_timeout=server('keepalive_timeout'),
        wsgi_keep_alive=server('wsgi_keep_alive'),
        client_socket_timeout=server('client_socket_timeout') or None,
        tcp_keepidle=server('tcp_keepidle'),
        tls=tls_settings,
        access_log=conf.access_log,
        trusted_proxies=tuple(conf.trusted_proxies),
    )
