"""A real, bootstrapped identity service for the client tests.

:class:`IdentityService` takes a database URL and a directory and does what
an operator does on a fresh machine: it writes a config file (state dir and
Fernet key repository in the directory, ``[identity] password_hash_rounds =
4`` so logins are fast, ``[database] connection``), runs ``service-manage
--config-file F setup`` with the admin password in ``OS_BOOTSTRAP_PASSWORD``
and the catalog's public and admin endpoints at the listeners' free
loopback ports (``http://127.0.0.1:<port>/v3``), then starts ``service-all``.
:meth:`IdentityService.start_another` starts a second ``service-all`` on
other ports with the same database and key repository (a second node).
Every process is stopped by pid when the fixture ends. The environment
variable ``KEYSTONE_LIKE_TEST_WORKERS`` sets ``admin_workers`` and
``public_workers`` (e.g. 2 to run the client suite against worker
processes); unset leaves what :mod:`tests.support.service` configures
(single-process mode).

Fixtures: ``identity_service`` (module scope, one per backend: SQLite, then
PostgreSQL, shared by the tests of a module, which therefore make uniquely
named resources), ``fresh_identity_service`` (one per test) and
``client_versions`` (the versions of the clients under test, written to the
terminal and to ``client-versions.json`` in the run's base temp directory).
Test modules load them with ``pytest_plugins =
['tests.support.identity_service']``.
"""

import contextlib
import datetime
import http.client
import importlib.metadata
import json
import logging
import os
import pathlib
import shlex
import subprocess
import sys
import time
import uuid

import pytest

from keystone_like.token import formats
from keystone_like.token import keys
from tests.support import databases
from tests.support import service

LOG = logging.getLogger(__name__)
ADMIN_USER = 'admin'
ADMIN_PROJECT = 'admin'
ADMIN_PASSWORD = 'Adm1n-' + uuid.uuid4().hex[:12]
DEFAULT_DOMAIN = 'Default'
HOST = '127.0.0.1'
BIN = pathlib.Path(sys.executable).parent
MANAGE_TIMEOUT = 60
WORKERS_ENV = 'KEYSTONE_LIKE_TEST_WORKERS'
CLIENTS = ('keystoneauth1', 'python-keystoneclient', 'keystonemiddleware',
           'python-openstackclient', 'openstacksdk', 'osc-lib')


def _console_script(name, module):
    path = BIN / name
    if path.is_file():
        return [str(path)]
    return [sys.executable, '-m', module]


def clean_environ(**extra):
    """The environment without any ``OS_*`` variable, plus ``extra``.

    A developer's own cloud settings (``OS_CLOUD``, ``OS_AUTH_URL``, ...)
    must never reach the clients under test.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(extra)
    return env


def poll(condition, timeout, what, interval=0.05):
    """Call ``condition()`` until it is truthy; return it, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


class IdentityService:
    """A configured, bootstrapped and running keystone_like (one or more
    ``service-all`` processes over one database and one key repository)."""

    def __init__(self, directory, database_url, services,
                 password=ADMIN_PASSWORD, extra_sections=None, workers=None):
        self.directory = pathlib.Path(directory)
        self.database_url = database_url
        self.backend = database_url.split(':', 1)[0].split('+', 1)[0]
        self.services = services
        self.admin_password = password
        self.state_dir = self.directory / 'state'
        self.key_repository = self.directory / 'fernet-keys'
        self.extra_sections = extra_sections or {}
        self.workers = workers
        self.nodes = []
        self.primary = self._node('service')

    # -- configuration -----------------------------------------------------

    def sections(self):
        """The config sections every node shares (ports come per node)."""
        sections = {
            'DEFAULT': {'state_dir': self.state_dir},
            'database': {'connection': self.database_url},
            'fernet_tokens': {'key_repository': self.key_repository},
            'identity': {'password_hash_rounds': 4},
        }
        if self.workers is not None:
            sections['DEFAULT'].update(admin_workers=self.workers,
                                       public_workers=self.workers)
        for section, options in self.extra_sections.items():
            sections.setdefault(section, {}).update(options)
        return sections

    def _node(self, name):
        node = self.services(sections=self.sections(), host=HOST, name=name)
        self.nodes.append(node)
        return node

    @property
    def config_path(self):
        """The primary node's config file (service-manage uses it too)."""
        return self.primary.config_path

    # -- the primary node's URLs and the admin's credentials ---------------

    @staticmethod
    def url(port, path='/v3'):
        """``http://127.0.0.1:<port><path>``."""
        return 'http://%s:%d%s' % (HOST, port, path)

    @property
    def auth_url(self):
        """The public ``/v3`` URL: what clients authenticate against."""
        return self.url(self.primary.public_port)

    @property
    def admin_url(self):
        """The admin listener's ``/v3`` URL (management API)."""
        return self.url(self.primary.admin_port)

    @property
    def public_port(self):
        """The primary node's public port."""
        return self.primary.public_port

    @property
    def admin_port(self):
        """The primary node's admin port."""
        return self.primary.admin_port

    def credentials(self, auth_url=None):
        """keystoneauth1 v3 Password arguments for the bootstrap admin."""
        return {'auth_url': auth_url or self.auth_url,
                'username': ADMIN_USER, 'password': self.admin_password,
                'project_name': ADMIN_PROJECT,
                'user_domain_name': DEFAULT_DOMAIN,
                'project_domain_name': DEFAULT_DOMAIN}

    def os_environ(self, **extra):
        """``OS_*`` variables for the openstack CLI (admin, project scope)."""
        variables = dict(
            OS_AUTH_URL=self.auth_url, OS_IDENTITY_API_VERSION='3',
            OS_AUTH_TYPE='password', OS_USERNAME=ADMIN_USER,
            OS_PASSWORD=self.admin_password, OS_PROJECT_NAME=ADMIN_PROJECT,
            OS_USER_DOMAIN_NAME=DEFAULT_DOMAIN,
            OS_PROJECT_DOMAIN_NAME=DEFAULT_DOMAIN)
        variables.update(extra)
        return clean_environ(**variables)

    # -- lifecycle ---------------------------------------------------------

    def manage(self, *argv, check=True, env=None):
        """Run ``service-manage --config-file F argv``; return the result."""
        command = _console_script('service-manage',
                                  'keystone_like.cmd.manage')
        full_env = clean_environ(**(env or {}))
        completed = subprocess.run(
            command + ['--config-file', str(self.config_path)] + list(argv),
            capture_output=True, text=True, env=full_env,
            cwd=str(self.directory), timeout=MANAGE_TIMEOUT,
            stdin=subprocess.DEVNULL)
        if check and completed.returncode != 0:
            raise AssertionError(
                'service-manage %s exited %d:\n%s%s' % (
                    ' '.join(argv), completed.returncode, completed.stdout,
                    completed.stderr))
        return completed

    def setup(self):
        """Write the config and run ``service-manage setup``."""
        self.primary.write_config()
        completed = self.manage(
            'setup',
            '--bootstrap-public-url', self.auth_url,
            '--bootstrap-admin-url', self.admin_url,
            env={'OS_BOOTSTRAP_PASSWORD': self.admin_password})
        self.setup_output = completed.stdout
        return completed

    def printed_environ(self, **extra):
        """The ``export OS_*=...`` lines ``setup`` printed, as an environ.

        The password was given, so setup printed a placeholder for it: the
        operator's own password goes there, nothing else is added.
        """
        variables = {}
        for line in self.setup_output.splitlines():
            words = shlex.split(line)
            if words[:1] == ['export'] and '=' in words[1]:
                name, value = words[1].split('=', 1)
                variables[name] = value
        assert variables['OS_PASSWORD'] == '<the password of admin>'
        variables['OS_PASSWORD'] = self.admin_password
        variables.update(extra)
        return clean_environ(**variables)

    def start(self):
        """Start the primary node; return once it is ready."""
        self.primary.start()
        return self

    def start_another(self, name=None):
        """Start one more ``service-all`` on new ports, same database and
        keys; return its :class:`~tests.support.service.ServiceProcess`."""
        node = self._node(name or 'service%d' % len(self.nodes))
        node.start()
        return node

    def rotate_keys(self):
        """Run ``service-manage fernet_rotate``; return its stdout."""
        return self.manage('fernet_rotate').stdout

    def stop(self):
        """Stop every node this object started."""
        for node in self.nodes:
            node.stop()

    def logs(self):
        """The logs of every node, for failure messages."""
        return '\n'.join('--- %s ---\n%s' % (node.config_path.name, node.log)
                         for node in self.nodes)

    # -- tokens and plain HTTP ---------------------------------------------

    def request(self, port, method, path, body=None, headers=None,
                timeout=10.0):
        """One HTTP request; return ``(status, headers, parsed JSON|None)``.

        Header names in the returned dict are lower case.
        """
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            all_headers['Content-Type'] = 'application/json'
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            status = response.status
        finally:
            conn.close()
        parsed = None
        if raw and 'json' in got.get('content-type', ''):
            parsed = json.loads(raw)
        return status, got, parsed

    def password_token(self, port=None, username=ADMIN_USER, password=None,
                       project=ADMIN_PROJECT):
        """POST /v3/auth/tokens (name + Default domain); return token id."""
        auth = {'identity': {'methods': ['password'], 'password': {
            'user': {'name': username, 'domain': {'name': DEFAULT_DOMAIN},
                     'password': password or self.admin_password}}}}
        if project is not None:
            auth['scope'] = {'project': {
                'name': project, 'domain': {'name': DEFAULT_DOMAIN}}}
        status, headers, body = self.request(
            port or self.public_port, 'POST', '/v3/auth/tokens?nocatalog',
            body={'auth': auth})
        assert status == 201, (status, body)
        return headers['x-subject-token']

    def validate(self, port, auth_token, subject_token):
        """GET /v3/auth/tokens; return ``(status, body)``."""
        status, _, body = self.request(
            port, 'GET', '/v3/auth/tokens',
            headers={'X-Auth-Token': auth_token,
                     'X-Subject-Token': subject_token})
        return status, body

    def key_ring(self):
        """The current keys of the shared repository (a MultiFernet)."""
        return keys.load(str(self.key_repository))

    def craft_token(self, user_id, project_id=None, issued_ago=7200,
                    lifetime=3600, methods=('password',)):
        """A genuine Fernet token made with the service's keys, issued
        ``issued_ago`` seconds ago and valid for ``lifetime`` seconds (so
        by default it expired an hour ago)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        issued = now - datetime.timedelta(seconds=issued_ago)
        payload = formats.TokenPayload(
            user_id=user_id, methods=list(methods), project_id=project_id,
            issued_at=issued,
            expires_at=issued + datetime.timedelta(seconds=lifetime),
            audit_ids=formats.new_audit_ids())
        return formats.encrypt(payload, self.key_ring())


def workers_from_environment():
    """``KEYSTONE_LIKE_TEST_WORKERS`` as an int, or None when unset."""
    value = os.environ.get(WORKERS_ENV)
    return int(value) if value not in (None, '') else None


@contextlib.contextmanager
def running_identity_service(directory, database_url, **kwargs):
    """Yield a set-up, started :class:`IdentityService`; stop it after.

    Unless ``workers`` is given, ``[DEFAULT] admin_workers`` and
    ``public_workers`` come from ``KEYSTONE_LIKE_TEST_WORKERS`` (unset:
    what :class:`~tests.support.service.ServiceProcess` configures).
    """
    kwargs.setdefault('workers', workers_from_environment())
    with service.Services(directory) as services:
        identity = IdentityService(directory, database_url, services,
                                   **kwargs)
        identity.setup()
        identity.start()
        yield identity


@pytest.fixture(scope='module', params=databases.BACKENDS)
def identity_service(request, tmp_path_factory):
    """A running service per backend, shared by one module's tests."""
    directory = tmp_path_factory.mktemp('identity-%s' % request.param)
    with databases.empty_database(request.param, directory) as url:
        with running_identity_service(directory, url) as identity:
            yield identity


@pytest.fixture
def fresh_identity_service(tmp_path, database_url):
    """A running service of the test's own (on both backends)."""
    with running_identity_service(tmp_path, database_url) as identity:
        yield identity


_REPORTED = []


def versions():
    """``{distribution: version}`` of the clients under test."""
    found = {}
    for name in CLIENTS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@pytest.fixture(scope='session')
def client_versions(request, tmp_path_factory):
    """Record the client versions: terminal, test log and a JSON file."""
    found = versions()
    if _REPORTED:
        return found
    _REPORTED.append(True)
    line = 'client versions: %s' % ', '.join(
        '%s %s' % item for item in sorted(found.items()))
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin('terminalreporter')
    capture = plugins.get_plugin('capturemanager')
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line('')
            reporter.write_line(line)
    LOG.warning('%s', line)     # in the test log of the first client test
    path = tmp_path_factory.getbasetemp() / 'client-versions.json'
    path.write_text(json.dumps(found, indent=2, sort_keys=True) + '\n')
    return found
