"""Application credentials with real clients against a running service-all
(SQLite, then PostgreSQL; DEBUG logging on, so the secret-in-log checks
see everything the service logs).

- The ``openstack`` CLI creates, lists, shows and deletes credentials,
  and authenticates with one (``OS_AUTH_TYPE=v3applicationcredential``
  and nothing but its id and secret).
- keystonemiddleware's ``auth_token`` enforces access rules for a
  service: it validates with ``OpenStack-Identity-Access-Rules: 1``, needs
  its own ``service_type`` (and that type in the token's catalog), and
  lets through only the method and path a rule allows (401 otherwise).
"""

import dataclasses
import json
import subprocess
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ka_session
from keystoneclient.v3 import client as ks_client
import pytest

from tests.support import databases
from tests.support import identity_service as support
from tests.support.middleware_support import call
from tests.support.middleware_support import middleware
from tests.support.middleware_support import TIMEOUT

pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.usefixtures('client_versions')]

COMMAND_TIMEOUT = 60
SERVERS = {'service': 'compute', 'method': 'GET', 'path': '/v2.1/servers/*'}


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module', params=databases.BACKENDS)
def identity(request, tmp_path_factory):
    """A running service per backend, logging at DEBUG."""
    directory = tmp_path_factory.mktemp('appcreds-%s' % request.param)
    with databases.empty_database(request.param, directory) as url:
        with support.running_identity_service(
                directory, url,
                extra_sections={'DEFAULT': {'debug': True}}) as running:
            yield running


@dataclasses.dataclass
class Member:
    """A user with the member role on its own project."""

    name: str
    password: str
    user_id: str
    project_name: str
    project_id: str
    client: ks_client.Client


@pytest.fixture(scope='module')
def admin(identity):
    sess = ka_session.Session(auth=v3.Password(**identity.credentials()),
                              timeout=TIMEOUT)
    return ks_client.Client(session=sess)


@pytest.fixture
def member(identity, admin):
    project = admin.projects.create(name=unique('apps'), domain='default')
    password = 'Mbr-' + uuid.uuid4().hex
    user = admin.users.create(name=unique('dev'), domain='default',
                              password=password)
    admin.roles.grant(admin.roles.find(name='member'), user=user,
                      project=project)
    sess = ka_session.Session(auth=v3.Password(
        auth_url=identity.auth_url, username=user.name, password=password,
        user_domain_id='default', project_id=project.id), timeout=TIMEOUT)
    yield Member(user.name, password, user.id, project.name, project.id,
                 ks_client.Client(session=sess))
    admin.users.delete(user)
    admin.projects.delete(project)


def openstack(env, *argv, check=True):
    """Run the ``openstack`` CLI with exactly ``env``; return the result
    (``-f json`` output parsed)."""
    command = support.BIN / 'openstack'
    completed = subprocess.run(
        [str(command)] + list(argv), capture_output=True, text=True,
        env=env, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
    if not check:
        return completed
    assert completed.returncode == 0, (argv, completed.stdout,
                                       completed.stderr)
    if '-f' in argv and argv[argv.index('-f') + 1] == 'json':
        return json.loads(completed.stdout)
    return completed.stdout


def app_cred_environ(identity, cred_id, secret):
    """Only what v3applicationcredential needs: no user, no project."""
    return support.clean_environ(
        OS_AUTH_URL=identity.auth_url, OS_IDENTITY_API_VERSION='3',
        OS_AUTH_TYPE='v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_ID=cred_id,
        OS_APPLICATION_CREDENTIAL_SECRET=secret)


def test_openstack_cli_manages_and_uses_credentials(identity, member):
    as_member = identity.printed_environ(
        OS_USERNAME=member.name, OS_PASSWORD=member.password,
        OS_PROJECT_NAME=member.project_name)
    name = unique('ci')
    created = openstack(as_member, 'application', 'credential', 'create',
                        name, '--role', 'reader', '--description', 'ci job',
                        '-f', 'json')
    secret = created['Secret']
    assert created['Project ID'] == member.project_id
    assert 'reader' in str(created['Roles'])
    with_cred = app_cred_environ(identity, created['ID'], secret)
    token = openstack(with_cred, 'token', 'issue', '-f', 'json')
    assert token['project_id'] == member.project_id
    assert token['user_id'] == member.user_id
    # The credential's token runs commands: here, reading its own kind.
    listed = openstack(with_cred, 'application', 'credential', 'list',
                       '-f', 'json')
    assert [c['Name'] for c in listed] == [name]
    shown = openstack(as_member, 'application', 'credential', 'show', name,
                      '-f', 'json')
    assert shown['ID'] == created['ID']
    assert shown['Description'] == 'ci job'
    assert secret not in json.dumps(shown)
    # A restricted credential cannot delete credentials...
    refused = openstack(with_cred, 'application', 'credential', 'delete',
                        name, check=False)
    assert refused.returncode != 0
    assert secret not in refused.stdout + refused.stderr
    # ...its user can, and then it authenticates no more.
    openstack(as_member, 'application', 'credential', 'delete', name)
    assert openstack(as_member, 'application', 'credential', 'list',
                     '-f', 'json') == []
    gone = openstack(with_cred, 'token', 'issue', check=False)
    assert gone.returncode != 0
    logs = identity.logs()
    # The log saw the credential's whole life, never its secret.
    assert 'DELETE /v3/users/%s/application_credentials/%s' % (
        member.user_id, created['ID']) in logs
    assert secret not in logs


def _compute_in_catalog(admin):
    """The catalog of a deployment with a compute service."""
    existing = admin.services.list(type='compute')
    if existing:
        return existing[0]
    region = admin.endpoints.list()[0].region_id
    service = admin.services.create(name='nova', type='compute')
    admin.endpoints.create(service=service, url='http://127.0.0.1:9/v2.1',
                           interface='public', region=region)
    return service


def _app_cred_token(identity, cred):
    auth = v3.ApplicationCredential(
        auth_url=identity.auth_url, application_credential_id=cred.id,
        application_credential_secret=cred.secret)
    return ka_session.Session(auth=auth, timeout=TIMEOUT).get_token()


def test_middleware_enforces_access_rules(identity, admin, member):
    _compute_in_catalog(admin)
    cred = member.client.application_credentials.create(
        name=unique('limited'), access_rules=[SERVERS])
    token = _app_cred_token(identity, cred)
    compute = middleware(identity, service_type='compute')
    allowed = call(compute, token, path='/v2.1/servers/abc')
    assert allowed.status_int == 200, allowed.text
    seen = allowed.json
    assert seen['HTTP_X_USER_ID'] == member.user_id
    assert seen['HTTP_X_PROJECT_ID'] == member.project_id
    assert seen['keystone.token_info']['token']['application_credential'][
        'access_rules'] == [dict(SERVERS, id=cred.access_rules[0]['id'])]
    for method, path in (('POST', '/v2.1/servers/abc'),
                         ('GET', '/v2.1/flavors'),
                         ('GET', '/v2.1/servers/abc/ips')):
        refused = call(compute, token, method=method, path=path)
        assert refused.status_int == 401, (method, path)
        assert refused.headers['WWW-Authenticate'] == \
            'Keystone uri="%s"' % identity.auth_url
    # A service that does not say what it is, or is not in the catalog,
    # cannot honour rules: it refuses such tokens outright.
    for unsure in (middleware(identity),
                   middleware(identity, service_type='image')):
        assert call(unsure, token,
                    path='/v2.1/servers/abc').status_int == 401
    # A credential without rules is not limited, anywhere.
    free = member.client.application_credentials.create(name=unique('free'))
    free_token = _app_cred_token(identity, free)
    assert call(middleware(identity), free_token, method='DELETE',
                path='/anything').status_int == 200
    # Validators that do not announce access rule support never see a
    # limited token.
    assert identity.validate(identity.public_port,
                             identity.password_token(), token)[0] == 404
    logs = identity.logs()
    assert 'POST /v3/users/%s/application_credentials' % member.user_id in logs
    assert cred.secret not in logs and free.secret not in logs
