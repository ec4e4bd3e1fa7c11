"""Credentials and EC2 with real clients against service-all.

A member user manages its own credentials with the ``openstack`` CLI
(``credential create/list/show/delete``, ``ec2 credentials
create/list/show/delete``); an EC2-style client signs requests with the
EC2 access key and secret (botocore's signature version 4 and 2 signers,
as an S3 or EC2 API gateway receives them), and a service exchanges them
at ``/v3/ec2tokens`` for the user's project token through a keystoneauth
session. The service runs with ``debug = true``; its log never holds a
blob or a secret.
"""

import uuid

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
import pytest

from tests.functional import test_clients_openstackclient as cli
from tests.support import databases
from tests.support import ec2_signing
from tests.support import identity_service as support

pytestmark = [pytest.mark.timeout(180),
              pytest.mark.usefixtures('client_versions')]
pytest_plugins = ['tests.support.identity_service']
J = ('-f', 'json')


@pytest.fixture(scope='module', params=['sqlite'])
def identity_service(request, tmp_path_factory):
    """One service (every CLI call costs a second of CPU: SQLite only; the
    API tests cover PostgreSQL), logging at debug level."""
    directory = tmp_path_factory.mktemp('identity-credentials')
    with databases.empty_database(request.param, directory) as url:
        with support.running_identity_service(
                directory, url,
                extra_sections={'DEFAULT': {'debug': True}}) as identity:
            yield identity


@pytest.fixture(scope='module')
def member(identity_service):
    """A user with the member role on a new project, and its CLI env."""
    name, project = cli.unique('cred-user'), cli.unique('cred-proj')
    password = 'Cred-' + uuid.uuid4().hex
    made_project, made_user = cli.osc_all(
        identity_service,
        ('project', 'create', '--domain', 'default', project) + J,
        ('user', 'create', '--domain', 'default', '--password', password,
         name) + J)
    cli.osc(identity_service, 'role', 'add', '--project', project, '--user',
            name, 'member')
    env = {'OS_USERNAME': name, 'OS_PASSWORD': password,
           'OS_PROJECT_NAME': project}
    return {'user': made_user, 'project': made_project, 'env': env}


def as_member(identity, member, *argv):
    return cli.osc(identity, *argv, env=member['env'])


def test_openstack_credential_cycle(identity_service, member):
    identity = identity_service
    user_id = member['user']['id']
    blob = 'cert-blob-' + uuid.uuid4().hex
    created = as_member(identity, member, 'credential', 'create', '--type',
                        'cert', user_id, blob, *J)
    assert created['user_id'] == user_id and created['type'] == 'cert'
    assert created['blob'] == blob
    listed, shown, by_admin = cli.osc_all(
        identity,
        (('credential', 'list') + J, {'env': member['env']}),
        (('credential', 'show', created['id']) + J, {'env': member['env']}),
        ('credential', 'list', '--user', user_id, '--type', 'cert') + J)
    assert [c['ID'] for c in listed] == [created['id']]
    assert shown['blob'] == blob and shown['id'] == created['id']
    assert [c['ID'] for c in by_admin] == [created['id']]
    as_member(identity, member, 'credential', 'delete', created['id'])
    with pytest.raises(cli.Failed) as info:
        cli.osc(identity, 'credential', 'show', created['id'])
    assert 'Could not find credential' in info.value.completed.stderr
    assert blob not in identity.logs()


def service_session(identity):
    """A keystoneauth session of the admin, acting as the EC2 gateway."""
    auth = v3.Password(auth_url=identity.auth_url, username=support.ADMIN_USER,
                       password=identity.admin_password,
                       project_name=support.ADMIN_PROJECT,
                       user_domain_name=support.DEFAULT_DOMAIN,
                       project_domain_name=support.DEFAULT_DOMAIN)
    return ks_session.Session(auth=auth)


def test_ec2_credentials_and_tokens(identity_service, member):
    identity = identity_service
    created = as_member(identity, member, 'ec2', 'credentials', 'create',
                        *J)
    access, secret = created['access'], created['secret']
    assert created['project_id'] == member['project']['id']
    assert created['user_id'] == member['user']['id']
    listed, shown = cli.osc_all(
        identity,
        (('ec2', 'credentials', 'list') + J, {'env': member['env']}),
        (('ec2', 'credentials', 'show', access) + J, {'env': member['env']}))
    assert [(c['Access'], c['Secret']) for c in listed] == [(access, secret)]
    assert shown['secret'] == secret

    gateway = service_session(identity)
    for signed in (ec2_signing.v4_body, ec2_signing.v2_body):
        response = gateway.post(identity.auth_url + '/ec2tokens',
                                json=signed(access, secret),
                                raise_exc=False)
        assert response.status_code == 200, response.text
        token_id = response.headers['X-Subject-Token']
        status, body = identity.validate(
            identity.public_port, identity.password_token(), token_id)
        assert status == 200
        token = body['token']
        assert token['methods'] == ['ec2credential']
        assert token['user']['id'] == member['user']['id']
        assert token['project']['id'] == member['project']['id']
    forged = gateway.post(identity.auth_url + '/ec2tokens',
                          json=ec2_signing.v4_body(access, 'guessed'),
                          raise_exc=False)
    assert forged.status_code == 401

    as_member(identity, member, 'ec2', 'credentials', 'delete', access)
    assert as_member(identity, member, 'ec2', 'credentials', 'list',
                     *J) == []
    gone = gateway.post(identity.auth_url + '/ec2tokens',
                        json=ec2_signing.v4_body(access, secret),
                        raise_exc=False)
    assert gone.status_code == 404
    assert secret not in identity.logs()
