"""The launcher's ``[DEFAULT]`` options: listeners, processes, hooks, logs.

The application's own ``[DEFAULT]`` options (keystone_like's endpoints,
body size limit) live with it, in ``keystone_like.conf``; ``STATE_DIR`` is
the one both read, declared once here.
"""

from oslo_config import cfg

GROUP_NAME = 'DEFAULT'

STATE_DIR = cfg.StrOpt(
    'state_dir', default='~/.keystone_like',
    help='Directory for state: the pid and status files and the daemon '
         'log when pid_file and log_file are not set, and the embedded '
         'SQLite database and Fernet key repository when [database] '
         'connection and [fernet_tokens] key_repository are not set. Use '
         '/var/lib/keystone_like for a system service.')

ALL_OPTS = [
    cfg.HostAddressOpt(
        'admin_bind_host', default='0.0.0.0',
        help='The IP address or host name the admin listener binds to. '
             'Use 0.0.0.0 for every IPv4 address, :: for every IPv6 address '
             '(and IPv4 where the system maps it), or a single address such '
             'as 127.0.0.1 or ::1 to keep the admin API off the network.'),
    cfg.PortOpt(
        'admin_port', default=35357,
        help='The TCP port the admin listener binds to. Ports below 1024 '
             'need root or CAP_NET_BIND_SERVICE; 0 lets the kernel pick a '
             'free port (the start-up banner shows it).'),
    cfg.HostAddressOpt(
        'public_bind_host', default='0.0.0.0',
        help='The IP address or host name the public (main) listener binds '
             'to. Same forms as admin_bind_host.'),
    cfg.PortOpt(
        'public_port', default=5000,
        help='The TCP port the public (main) listener binds to. Same rules '
             'as admin_port.'),
    cfg.IntOpt(
        'admin_workers', min=0,
        help='Worker processes serving the admin listener. Unset means the '
             'number of CPUs; 0 serves both listeners from the launcher '
             'process itself (single-process mode: no supervision, no '
             'reload).'),
    cfg.IntOpt(
        'public_workers', min=0,
        help='Worker processes serving the public listener. Unset means the '
             'number of CPUs; 0 as for admin_workers (both must be 0 for '
             'single-process mode).'),
    cfg.StrOpt(
        'user',
        help='Run the serving processes as this user (name or uid) after '
             'the listeners are bound and the keys and certificates are '
             'read, so ports below 1024 and root-only key files work. Needs '
             'to start as root. Unset keeps the starting user.'),
    cfg.StrOpt(
        'group',
        help='Run the serving processes with this group (name or gid). '
             'Unset means the primary group of user.'),
    cfg.StrOpt(
        'pid_file',
        help='Where service-all writes its pid (and, next to it, '
             'service-all.status.json for "service-all status"). Unset means '
             'service-all.pid in state_dir.'),
    cfg.StrOpt(
        'onready',
        help='Run once both listeners answer through their pipelines. If '
             'the value names an importable Python module, its notify() '
             'function is called (keystone_like.server.systemd tells '
             'systemd READY=1); otherwise it is run as a command, split '
             'like a shell would but without a shell. A failing hook is '
             'logged and does not stop the service.'),
    cfg.BoolOpt(
        'standard_threads', default=False,
        help='Do not monkey-patch the thread module with green threads. '
             'Set it when a library needs real threads; the STANDARD_THREADS '
             'environment variable and an attached debugger do the same.'),
    STATE_DIR,
    cfg.StrOpt(
        'log_file',
        help='Write the log to this file instead of standard error.'),
    cfg.StrOpt(
        'log_format', default='text', choices=('text', 'json'),
        help='text: one line per record (time, pid, level, logger, '
             'message). json: one JSON object per line with time, level, '
             'logger, pid, message, the request id of the request being '
             'served, the access log\'s fields (client, method, path, '
             'status, bytes, duration_ms) and any exception, for log '
             'collectors such as Loki or Elasticsearch. Passwords, tokens '
             'and query strings are never logged in either format.'),
    cfg.BoolOpt(
        'access_log', default=True,
        help='Log one line per request (client, method, path without the '
             'query string, status, bytes, duration, request id) at INFO.'),
    cfg.ListOpt(
        'trusted_proxies', default=[],
        help='Addresses or networks (CIDR) of proxies whose '
             'X-Forwarded-For header the access log believes. Requests '
             'from anywhere else are logged with the peer address.'),
]

CLI_OPTS = [
    cfg.BoolOpt(
        'debug', short='d', default=False,
        help='Log at DEBUG level, log the effective option values (secrets '
             'masked) and print tracebacks of start-up errors.'),
]


def register_opts(conf):
    """Register this group's options (command-line ones too) on ``conf``."""
    conf.register_cli_opts(CLI_OPTS)
    conf.register_opts(ALL_OPTS)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: CLI_OPTS + ALL_OPTS}
