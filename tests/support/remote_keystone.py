"""A running Keystone as the authorisation matrix's API (no tests here).

``KEYSTONE_LIKE_AUTHZ_REFERENCE=http://host:port/v3`` (with
``KEYSTONE_LIKE_AUTHZ_REFERENCE_PASSWORD``, default ``secret``, the
bootstrapped ``admin``'s) runs the matrix against a real Keystone with
``[oslo_policy] enforce_scope = enforce_new_defaults = true``, to check
the expected answers themselves. It creates uniquely named domains there
and leaves them.
"""

import json

import requests

from tests.support import api_users_support as support


class Response:
    """The parts of a webob Response the matrix reads."""

    def __init__(self, response):
        self.status_int = response.status_code
        self.body = response.content
        self.text = response.text
        self.headers = response.headers

    @property
    def json(self):
        return json.loads(self.body)


class RemoteKeystone:
    """``IdentityAPI``'s interface over HTTP to a real Keystone."""

    def __init__(self, url, password):
        self.password = password
        self.root = url.rstrip('/')
        if self.root.endswith('/v3'):
            self.root = self.root[:-3]
        self.http = requests.Session()
        body = {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'name': 'admin', 'domain': {'id': 'default'},
                     'password': password}}},
            'scope': {'system': {'all': True}}}}
        response = self.request('POST', '/v3/auth/tokens', body)
        assert response.status_int == 201, response.text
        self.admin_user = response.json['token']['user']
        token = response.headers['X-Subject-Token']
        roles = self.request('GET', '/v3/roles', token=token).json['roles']
        self.roles = {role['name']: role for role in roles}

    def request(self, method, path, body=None, token=None, listener=None,
                headers=None):
        """Send one request; return a :class:`Response`."""
        sent = dict(headers or {})
        if token is not None:
            sent['X-Auth-Token'] = token
        data = None
        if body is not None:
            data = json.dumps(body)
            sent['Content-Type'] = 'application/json'
        return Response(self.http.request(method, self.root + path,
                                          data=data, headers=sent,
                                          timeout=60))

    def issue_token(self, user_id, project_id=None, domain_id=None,
                    system=None):
        """Log in as ``user_id`` (the matrix users' password)."""
        scope = None
        if project_id:
            scope = {'project': {'id': project_id}}
        elif domain_id:
            scope = {'domain': {'id': domain_id}}
        elif system:
            scope = {'system': {'all': True}}
        password = support.PASSWORD
        if user_id == self.admin_user['id']:
            password = self.password
        body = {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'id': user_id, 'password': password}}}}}
        if scope:
            body['auth']['scope'] = scope
        response = self.request('POST', '/v3/auth/tokens', body)
        assert response.status_int == 201, response.text
        return response.headers['X-Subject-Token']
