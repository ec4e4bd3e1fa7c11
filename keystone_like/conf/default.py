"""keystone_like's own ``[DEFAULT]`` options: endpoints and body size.

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
    server_default.STATE_DIR,
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
