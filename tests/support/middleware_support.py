"""keystonemiddleware's ``auth_token`` in front of a small WSGI app, for
the client tests (no tests here).

The middleware runs in-process with its own oslo.config object, no
memcached and no token cache, and validates every token against the
running service with the bootstrap admin as its service user.
"""

import json

from keystonemiddleware import auth_token
from oslo_config import cfg
import webob

TIMEOUT = 10
HEADERS = ('HTTP_X_IDENTITY_STATUS', 'HTTP_X_USER_ID', 'HTTP_X_USER_NAME',
           'HTTP_X_USER_DOMAIN_ID', 'HTTP_X_USER_DOMAIN_NAME',
           'HTTP_X_PROJECT_ID', 'HTTP_X_PROJECT_NAME',
           'HTTP_X_PROJECT_DOMAIN_ID', 'HTTP_X_PROJECT_DOMAIN_NAME',
           'HTTP_X_ROLES', 'HTTP_X_SERVICE_CATALOG')


def protected_app(environ, start_response):
    """Answer 200 with the identity headers the middleware set."""
    seen = {name: environ.get(name) for name in HEADERS}
    seen['keystone.token_info'] = environ.get('keystone.token_info')
    body = json.dumps(seen).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]


def middleware(identity, **overrides):
    """Return ``protected_app`` behind ``auth_token`` configured for the
    service ``identity`` (``overrides``: more ``[keystone_authtoken]``
    options, e.g. ``service_type``)."""
    options = {
        'www_authenticate_uri': identity.auth_url,
        'auth_url': identity.auth_url,
        'auth_type': 'password',
        'username': 'admin',
        'password': identity.admin_password,
        'project_name': 'admin',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'delay_auth_decision': 'false',
        'token_cache_time': '-1',
        'include_service_catalog': 'true',
        'http_connect_timeout': str(TIMEOUT),
        'http_request_max_retries': '0',
        'service_token_roles_required': 'true',
    }
    options.update(overrides)
    local_conf = cfg.ConfigOpts()
    local_conf([], project='keystone_like_tests', default_config_files=[],
               default_config_dirs=[])
    options['oslo_config_config'] = local_conf
    return auth_token.AuthProtocol(protected_app, options)


def call(app, token=None, headers=None, method='GET', path='/resource'):
    """Send one request through ``app``; return the webob Response."""
    request = webob.Request.blank(path, method=method)
    if token is not None:
        request.headers['X-Auth-Token'] = token
    for name, value in (headers or {}).items():
        request.headers[name] = value
    return request.get_response(app)
