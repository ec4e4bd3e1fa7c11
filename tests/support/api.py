"""The identity API in-process: the real paste pipelines on a test database.

``identity_api`` (a fixture over the ``database`` fixture, so every API test
runs on SQLite and on PostgreSQL) bootstraps an admin like ``service-manage
bootstrap`` does and sends webob requests through the real ``admin`` and
``main`` composites — no sockets.
"""

import contextlib
import json

import paste.deploy
import pytest
import webob

from keystone_like import backends
from keystone_like import conf
from keystone_like.identity import passwords
from keystone_like.manage import initial_data
from keystone_like.store import assignments
from keystone_like.store import bootstrap
from keystone_like.store import roles
from keystone_like.token import keys
from tests.support import identity

ADMIN_PASSWORD = 'admin-Pa55word'
PASTE_URI = 'config:%s' % (identity.ROOT / 'etc' / 'keystone_like-paste.ini')
APPS = {'admin': 'admin', 'public': 'main'}


def grant(session, actor_kind, actor_id, target_kind, target_id, role_id,
          inherited=False):
    """Store one grant (``target_id`` is ignored for the system)."""
    assignments.create_grant(session, assignments.Grant(
        actor_kind, actor_id, target_kind, target_id, role_id, inherited))


class IdentityAPI:
    """Both pipelines over one database, with a bootstrapped admin."""

    def __init__(self, database):
        self.database = database
        self.apps = {listener: paste.deploy.loadapp(PASTE_URI, name=name)
                     for listener, name in APPS.items()}
        self.admin_password = ADMIN_PASSWORD
        self._bootstrap()

    def _bootstrap(self):
        hashed = passwords.hash_password(ADMIN_PASSWORD, conf.CONF)
        with self.database.session() as session:
            self.default_domain = bootstrap.ensure_domain(
                session, 'Default', domain_id='default')
            self.admin_project = bootstrap.ensure_project(
                session, 'admin', 'default')
            self.admin_user = bootstrap.ensure_user(
                session, 'admin', 'default', password_hash=hashed)
            self.roles = {name: bootstrap.ensure_role(session, name)
                          for name in initial_data.ROLE_NAMES}
            chain = initial_data.IMPLIED_CHAIN
            for prior, implied in zip(chain, chain[1:]):
                roles.create_rule(session, self.roles[prior]['id'],
                                  self.roles[implied]['id'])
            for kind, target in (('project', self.admin_project['id']),
                                 ('domain', 'default'), ('system', '')):
                grant(session, 'user', self.admin_user['id'], kind, target,
                      self.roles['admin']['id'])

    def request(self, method, path, body=None, token=None,
                listener='admin', headers=None):
        """Send one request through a pipeline; return the webob Response."""
        request = webob.Request.blank(path, method=method)
        if body is not None:
            request.body = json.dumps(body).encode('utf-8')
            request.content_type = 'application/json'
        if token is not None:
            request.headers['X-Auth-Token'] = token
        for name, value in (headers or {}).items():
            request.headers[name] = value
        return request.get_response(self.apps[listener])

    def password_auth(self, username='admin', password=ADMIN_PASSWORD,
                      domain='Default', scope=None):
        """Return the POST /v3/auth/tokens body for a password login."""
        body = {'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'name': username, 'domain': {'name': domain},
                     'password': password}}}}}
        if scope is not None:
            body['auth']['scope'] = scope
        return body

    def token(self, username='admin', password=ADMIN_PASSWORD,
              project='admin', listener='public'):
        """Log in; return the token id (project-scoped unless None)."""
        scope = None
        if project is not None:
            scope = {'project': {'name': project,
                                 'domain': {'id': 'default'}}}
        response = self.request(
            'POST', '/v3/auth/tokens',
            self.password_auth(username, password, scope=scope),
            listener=listener)
        assert response.status_int == 201, response.text
        return response.headers['X-Subject-Token']


@contextlib.contextmanager
def configured_api(database, directory):
    """Yield an IdentityAPI over ``database``, its keys under ``directory``.

    Sets the configuration the pipelines read (database URL, token and
    credential keys, cheap password hashing) and restores it afterwards.
    """
    key_repository = directory / 'fernet-keys'
    keys.setup(str(key_repository), 3)
    credential_keys = directory / 'credential-keys'
    keys.setup(str(credential_keys), 3, kind=keys.CREDENTIALS)
    overrides = (('connection', database.url.render_as_string(
        hide_password=False), 'database'),
        ('key_repository', str(key_repository), 'fernet_tokens'),
        ('key_repository', str(credential_keys), 'credential'),
        ('password_hash_rounds', 4, 'identity'))
    conf.CONF([], project='keystone_like', default_config_files=[],
              default_config_dirs=[])
    for name, value, group in overrides:
        conf.CONF.set_override(name, value, group)
    backends.reset()
    try:
        yield IdentityAPI(database)
    finally:
        backends.reset()
        for name, _value, group in overrides:
            conf.CONF.clear_override(name, group)


@pytest.fixture
def identity_api(database, tmp_path):
    """The real pipelines over the test ``database`` (SQLite, PostgreSQL)."""
    with configured_api(database, tmp_path) as api:
        yield api
