"""Options of the ``[eventlet_server]`` group: how each listener serves HTTP.

Every option except ``graceful_shutdown_timeout`` can be set for one
listener in ``[eventlet_server_admin]`` or ``[eventlet_server_public]``.
"""

from oslo_config import cfg

GROUP_NAME = 'eventlet_server'

LISTENER_OPTS = [
    cfg.IntOpt(
        'pool_size', default=1000, min=1,
        help='The most requests one listener handles at the same time '
             '(green threads running the application). Further requests '
             'wait for a free slot. Idle keep-alive connections do not '
             'hold a slot.'),
    cfg.IntOpt(
        'max_connections', default=10000, min=1,
        help='The most client connections one listener keeps open. At the '
             'limit it stops accepting (new clients wait in the kernel '
             'backlog) until a connection closes. Keep it below the open '
             'file limit (ulimit -n).'),
    cfg.IntOpt(
        'backlog', default=4096, min=1,
        help='The listen backlog: connections the kernel queues before '
             'they are accepted. Capped by net.core.somaxconn.'),
    cfg.IntOpt(
        'max_request_line', default=8192, min=256,
        help='The longest request line (method, target with its query '
             'string, and version), in bytes, as nginx\'s default. Longer '
             'request lines get 414 and the connection is closed. '
             'Independent of max_header_line, so long URLs can be refused '
             'while large token headers pass.'),
    cfg.IntOpt(
        'max_header_line', default=16384, min=256,
        help='The longest header line, in bytes. Tokens and service '
             'catalogs travel in headers, so this is larger than most '
             'servers\' 8192. Longer lines get 431.'),
    cfg.IntOpt(
        'max_request_head_size', default=65536, min=1024,
        help='The largest request head (request line and all headers) or '
             'trailer section, in bytes. Larger heads get 431 and the '
             'connection is closed; this bounds the memory one client can '
             'hold while its head is parsed.'),
    cfg.IntOpt(
        'max_header_count', default=100, min=1,
        help='The most header (and trailer) fields in one request. More '
             'get 431.'),
    cfg.IntOpt(
        'request_head_timeout', default=10, min=1,
        help='Seconds a client has to send a complete request head '
             '(request line and headers), counted from the connection (or, '
             'on a keep-alive connection, from the first byte of the '
             'request). A client that trickles its head slower is cut '
             'off. This bounds slow-header (slowloris) attacks.'),
    cfg.IntOpt(
        'keepalive_timeout', default=30, min=1,
        help='Seconds an idle keep-alive connection waits for its next '
             'request before the server closes it.'),
    cfg.BoolOpt(
        'wsgi_keep_alive', default=True,
        help='Keep connections open between requests (HTTP keep-alive). '
             'When false every response carries "Connection: close".'),
    cfg.IntOpt(
        'client_socket_timeout', default=900, min=0,
        help='Seconds a single read of a request body or write of a '
             'response may block before the connection is dropped. 0 '
             'waits forever (not recommended).'),
    cfg.IntOpt(
        'tcp_keepidle', default=600, min=1,
        help='Seconds a TCP connection is idle before the kernel sends '
             'keepalive probes (TCP_KEEPIDLE), so dead peers are noticed.'),
]

GLOBAL_OPTS = [
    cfg.IntOpt(
        'graceful_shutdown_timeout', default=60, min=0,
        help='On SIGTERM, seconds to let in-flight requests finish before '
             'the remaining connections are closed. 0 waits for them '
             'without a limit.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(LISTENER_OPTS + GLOBAL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: LISTENER_OPTS + GLOBAL_OPTS}
