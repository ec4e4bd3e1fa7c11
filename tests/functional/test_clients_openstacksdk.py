"""openstacksdk against a running service-all.

``openstack.connect`` with explicit arguments only (no clouds.yaml, no
``OS_*`` variables); identity calls go to the catalog's admin endpoint.
"""

import uuid

import openstack
from openstack import exceptions as sdk_exceptions
import pytest


# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [
    pytest.mark.timeout(120), pytest.mark.usefixtures('client_versions'),
    # The SDK's notices about its own future releases.
    pytest.mark.filterwarnings(
        'ignore::openstack.warnings.OpenStackDeprecationWarning'),
    pytest.mark.filterwarnings(
        'ignore::openstack.warnings._RemovedInSDKWarning')]


def connect(identity, **overrides):
    arguments = dict(identity.credentials(), identity_api_version='3',
                     interface='admin', load_yaml_config=False,
                     load_envvars=False, api_timeout=10)
    arguments.update(overrides)
    return openstack.connect(**arguments)


@pytest.fixture(scope='module')
def conn(identity_service):
    connection = connect(identity_service)
    yield connection
    connection.close()


def test_authorize_returns_a_valid_token(conn, identity_service):
    token = conn.authorize()
    assert token and isinstance(token, str)
    status, body = identity_service.validate(identity_service.public_port,
                                             token, token)
    assert status == 200
    assert body['token']['project']['name'] == 'admin'
    assert conn.current_project_id == body['token']['project']['id']
    assert conn.current_user_id == body['token']['user']['id']
    assert conn.endpoint_for('identity').rstrip('/') == \
        identity_service.admin_url


def test_users_projects_and_find(conn):
    users = list(conn.identity.users())
    assert 'admin' in {u.name for u in users}
    admin = conn.identity.find_user('admin', domain_id='default')
    assert admin is not None and admin.domain_id == 'default'
    project = conn.identity.find_project('admin')
    assert project is not None and project.name == 'admin'
    assert project.domain_id == 'default'
    assert conn.identity.find_project(project.id).id == project.id
    assert conn.identity.find_project('no-such-' + uuid.uuid4().hex) is None
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        conn.identity.get_project(uuid.uuid4().hex)
    assert 'default' in {d.id for d in conn.identity.domains()}
    assert {'admin', 'member', 'reader'} <= {
        r.name for r in conn.identity.roles()}
    assert 'identity' in {s.type for s in conn.identity.services()}
    assert len(list(conn.identity.endpoints())) >= 3


def test_create_grant_and_delete(conn, identity_service):
    name = 'sdk-%s' % uuid.uuid4().hex[:8]
    password = 'Sdk-' + uuid.uuid4().hex
    project = conn.identity.create_project(name=name, domain_id='default')
    user = conn.identity.create_user(name=name, domain_id='default',
                                     password=password,
                                     default_project_id=project.id)
    member = conn.identity.find_role('member')
    conn.identity.assign_project_role_to_user(project, user, member)
    assert conn.identity.validate_user_has_project_role(project, user,
                                                        member)
    assignments = list(conn.identity.role_assignments(user_id=user.id))
    assert [(a.role['id'], a.scope['project']['id'])
            for a in assignments] == [(member.id, project.id)]

    own = connect(identity_service, username=name, password=password,
                  project_name=name, interface='public')
    try:
        assert own.authorize()
        assert own.current_user_id == user.id
        assert own.current_project_id == project.id
    finally:
        own.close()

    conn.identity.unassign_project_role_from_user(project, user, member)
    assert not conn.identity.validate_user_has_project_role(project, user,
                                                            member)
    conn.identity.delete_user(user)
    conn.identity.delete_project(project)
    assert conn.identity.find_user(user.id) is None
    assert conn.identity.find_project(project.id) is None
