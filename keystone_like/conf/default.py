"""Options of the ``[DEFAULT]`` group: listeners, start-up hook, logging,
list limits."""

from oslo_config import cfg

GROUP_NAME = 'DEFAULT'

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
    cfg.URIOpt(
        'public_endpoint', schemes=['http', 'https'],
        help='The base URL clients use to reach the public listener, e.g. '
             'https://identity.example.com:5000/ when the service sits '
             'behind a proxy or load balancer. Version discovery links are '
             'built from it. When unset, links use the host and scheme of '
             'each request.'),
    cfg.URIOpt(
        'admin_endpoint', schemes=['http', 'https'],
        help='The base URL clients use to reach the admin listener. Same '
             'rules as public_endpoint.'),
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
    cfg.IntOpt(
        'max_request_body_size', default=114688, min=1,
        help='The largest request body, in bytes, the body-size-limit '
             'filter lets through; larger requests get 413. The default '
             'fits large service catalogs.'),
    cfg.IntOpt(
        'list_limit', min=1,
        help='The most entities a paginated list returns in one response '
             'when the request gives no ?limit=. A longer list answers the '
             'first page with "truncated": true and a links.next URL '
             '(?marker= the last id) for the rest. The list_limit of the '
             'resource\'s own group ([identity], [resource], [role], '
             '[catalog]) overrides it. '
             'Unset means no limit (max_db_limit still caps a page). Set it '
             'in large deployments so listing every user or project does '
             'not load the service.'),
    cfg.IntOpt(
        'max_db_limit', default=1000, min=1,
        help='The most entities one page of a paginated list (users, '
             'projects, domains, roles, regions, services, endpoints) holds: '
             'a larger ?limit= or list_limit is lowered to it, and a longer '
             'list is paginated as with list_limit even when no limit is '
             'set. Keystone\'s option of the same name.'),
    cfg.IntOpt(
        'max_project_tree_depth', default=5, min=1,
        help='The deepest a project tree may grow, the domain not counted: '
             'creating a project further down answers 403. Keystone\'s '
             'option of the same name; large values make every token '
             'validation walk longer ancestor chains.'),
    cfg.StrOpt(
        'state_dir', default='~/.keystone_like',
        help='Directory for the embedded SQLite database and the Fernet key '
             'repository when [database] connection and [fernet_tokens] '
             'key_repository are not set. Use /var/lib/keystone_like for a '
             'system service.'),
    cfg.StrOpt(
        'log_file',
        help='Write the log to this file instead of standard error.'),
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
