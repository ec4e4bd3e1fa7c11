"""keystone_like's own ``[DEFAULT]`` options: endpoints, body size, list
limits and the project tree's depth.

The launcher's ``[DEFAULT]`` options (listeners, workers, logging) are in
``keystone_like.server.config.default``; ``state_dir``, read by both, is
declared there once and registered here too.
"""

from oslo_config import cfg

from keystone_like.server.config import default as server_default

GROUP_NAME = 'DEFAULT'

ALL_OPTS = [
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
    server_default.STATE_DIR,
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
