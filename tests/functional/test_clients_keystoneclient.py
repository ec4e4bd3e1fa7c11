"""python-keystoneclient v3 against a running service-all.

The admin's client uses the catalog's admin endpoint (the admin listener,
where management lives): CRUD of domains, projects, users, roles, regions,
services and endpoints; grants, checks and revocations of roles;
``role_assignments``; token validation and revocation. A user's own
client (public endpoint) reads itself, lists its projects and changes its
password.
"""

import uuid

from keystoneauth1 import exceptions as ka_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ka_session
from keystoneclient.v3 import client as ks_client
import pytest


# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.usefixtures('client_versions')]

TIMEOUT = 10
ADMIN = {'service_type': 'identity', 'interface': 'admin'}


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def session_for(identity, **overrides):
    arguments = identity.credentials()
    arguments.update(overrides)
    return ka_session.Session(auth=v3.Password(**arguments), timeout=TIMEOUT)


@pytest.fixture(scope='module')
def admin_session(identity_service):
    return session_for(identity_service)


@pytest.fixture(scope='module')
def keystone(admin_session):
    """The admin's client on the catalog's admin endpoint."""
    return ks_client.Client(session=admin_session, interface='admin')


def ids(items):
    return {item.id for item in items}


def test_client_talks_to_the_admin_listener(keystone, identity_service):
    assert keystone.session.get_endpoint(service_type='identity',
                                         interface='admin') == \
        identity_service.admin_url
    version = keystone.session.get_endpoint_data(
        service_type='identity', interface='admin').api_version
    assert version[0] == 3


def test_management_is_on_the_public_listener_too(admin_session):
    # As with Keystone: clients default to the public interface.
    public = ks_client.Client(session=admin_session, interface='public')
    assert 'admin' in {user.name for user in public.users.list()}
    project = public.projects.create(name=unique('pub'), domain='default')
    public.projects.delete(project)


def test_domains_crud(keystone):
    name = unique('dom')
    domain = keystone.domains.create(name=name, description='a domain')
    assert domain.name == name and domain.enabled is True
    assert domain.description == 'a domain'
    assert keystone.domains.get(domain.id).name == name
    assert ids(keystone.domains.list(name=name)) == {domain.id}
    assert domain.id in ids(keystone.domains.list())
    assert 'default' in ids(keystone.domains.list(enabled=True))
    with pytest.raises(ka_exceptions.Conflict):
        keystone.domains.create(name=name)
    updated = keystone.domains.update(domain, description='changed',
                                      enabled=False)
    assert updated.description == 'changed' and updated.enabled is False
    assert domain.id not in ids(keystone.domains.list(enabled=True))
    keystone.domains.delete(domain)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.domains.get(domain.id)
    # An enabled domain cannot be deleted (Keystone: 403).
    with pytest.raises(ka_exceptions.Forbidden):
        keystone.domains.delete('default')


def test_projects_crud(keystone):
    domain = keystone.domains.create(name=unique('pdom'))
    name = unique('proj')
    project = keystone.projects.create(name=name, domain=domain,
                                       description='p', enabled=True)
    assert project.domain_id == domain.id
    assert project.name == name and project.description == 'p'
    assert keystone.projects.get(project.id).name == name
    assert ids(keystone.projects.list(domain=domain)) == {project.id}
    assert ids(keystone.projects.list(name=name)) == {project.id}
    with pytest.raises(ka_exceptions.Conflict):
        keystone.projects.create(name=name, domain=domain)
    # The same name in another domain is another project.
    other = keystone.projects.create(name=name, domain='default')
    assert other.id != project.id
    updated = keystone.projects.update(project, enabled=False,
                                       description='off')
    assert updated.enabled is False and updated.description == 'off'
    assert project.id not in ids(keystone.projects.list(enabled=True))
    keystone.projects.delete(project)
    keystone.projects.delete(other)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.projects.get(project.id)
    # As Keystone answers: an unknown domain is a bad request.
    with pytest.raises(ka_exceptions.BadRequest):
        keystone.projects.create(name=unique('p'), domain=uuid.uuid4().hex)
    keystone.domains.update(domain, enabled=False)
    keystone.domains.delete(domain)


def test_users_crud(keystone):
    project = keystone.projects.create(name=unique('uproj'),
                                       domain='default')
    name = unique('user')
    user = keystone.users.create(name=name, domain='default',
                                 password='Pa55-' + name,
                                 default_project=project,
                                 email='%s@example.com' % name,
                                 description='someone')
    assert user.name == name and user.domain_id == 'default'
    assert user.default_project_id == project.id
    assert user.email == '%s@example.com' % name
    assert not hasattr(user, 'password')
    fetched = keystone.users.get(user.id)
    assert fetched.name == name and fetched.enabled is True
    assert not hasattr(fetched, 'password')
    assert ids(keystone.users.list(name=name)) == {user.id}
    assert user.id in ids(keystone.users.list(domain='default'))
    with pytest.raises(ka_exceptions.Conflict):
        keystone.users.create(name=name, domain='default')
    updated = keystone.users.update(user, email='new@example.com',
                                    enabled=False)
    assert updated.email == 'new@example.com' and updated.enabled is False
    assert user.id not in ids(keystone.users.list(enabled=True))
    keystone.users.delete(user)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.users.get(user.id)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.users.delete(user.id)
    keystone.projects.delete(project)


def test_roles_crud(keystone):
    name = unique('role')
    role = keystone.roles.create(name=name)
    assert role.name == name
    assert keystone.roles.get(role.id).name == name
    assert ids(keystone.roles.list(name=name)) == {role.id}
    assert {'admin', 'member', 'reader'} <= {
        r.name for r in keystone.roles.list()}
    with pytest.raises(ka_exceptions.Conflict):
        keystone.roles.create(name=name)
    renamed = keystone.roles.update(role, name=name + '-x')
    assert renamed.name == name + '-x'
    keystone.roles.delete(role)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.roles.get(role.id)


def test_regions_services_and_endpoints_crud(keystone):
    region_id = unique('Region')
    region = keystone.regions.create(id=region_id, description='r')
    assert region.id == region_id and region.description == 'r'
    assert keystone.regions.get(region_id).description == 'r'
    assert region_id in ids(keystone.regions.list())
    assert keystone.regions.update(region_id,
                                   description='r2').description == 'r2'
    with pytest.raises(ka_exceptions.Conflict):
        keystone.regions.create(id=region_id)
    generated = keystone.regions.create(description='no id given')
    assert generated.id

    service_name = unique('svc')
    svc = keystone.services.create(name=service_name, type='compute',
                                   description='s', enabled=True)
    assert svc.type == 'compute' and svc.name == service_name
    assert keystone.services.get(svc.id).name == service_name
    assert svc.id in ids(keystone.services.list(type='compute'))
    assert svc.id not in ids(keystone.services.list(type='identity'))
    assert keystone.services.update(svc, description='s2').description \
        == 's2'

    url = 'http://compute.example.com:8774/v2.1'
    endpoint = keystone.endpoints.create(service=svc, url=url,
                                         interface='public',
                                         region=region_id, enabled=True)
    assert endpoint.url == url and endpoint.interface == 'public'
    assert endpoint.service_id == svc.id
    assert endpoint.region_id == region_id
    assert keystone.endpoints.get(endpoint.id).url == url
    assert ids(keystone.endpoints.list(service=svc)) == {endpoint.id}
    assert endpoint.id in ids(keystone.endpoints.list(interface='public'))
    assert endpoint.id not in ids(keystone.endpoints.list(interface='admin'))
    moved = keystone.endpoints.update(endpoint, url=url + '/x',
                                      interface='internal')
    assert moved.url == url + '/x' and moved.interface == 'internal'
    # keystoneclient refuses a bad interface itself; send one anyway.
    with pytest.raises(ka_exceptions.BadRequest):
        keystone.session.post('/endpoints', endpoint_filter=ADMIN, json={
            'endpoint': {'service_id': svc.id, 'url': url,
                         'interface': 'sideways'}})

    keystone.endpoints.delete(endpoint)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.endpoints.get(endpoint.id)
    keystone.services.delete(svc)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.services.get(svc.id)
    keystone.regions.delete(region_id)
    keystone.regions.delete(generated)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.regions.get(region_id)


def test_grants_checks_revocations_and_assignments(keystone,
                                                   identity_service):
    project = keystone.projects.create(name=unique('gproj'),
                                       domain='default')
    password = 'Gr4nt-' + uuid.uuid4().hex
    user = keystone.users.create(name=unique('guser'), domain='default',
                                 password=password)
    member = keystone.roles.find(name='member')
    reader = keystone.roles.find(name='reader')

    keystone.roles.grant(member, user=user, project=project)
    keystone.roles.grant(reader, user=user, domain='default')
    keystone.roles.check(member, user=user, project=project)
    keystone.roles.check(reader, user=user, domain='default')
    with pytest.raises(ka_exceptions.NotFound):
        keystone.roles.check(reader, user=user, project=project)
    assert ids(keystone.roles.list(user=user, project=project)) == \
        {member.id}
    assert ids(keystone.roles.list(user=user, domain='default')) == \
        {reader.id}

    assignments = keystone.role_assignments.list(user=user)
    seen = {(a.role['id'], tuple(sorted(a.scope))) for a in assignments}
    assert seen == {(member.id, ('project',)), (reader.id, ('domain',))}
    assert all(a.user['id'] == user.id for a in assignments)
    on_project = keystone.role_assignments.list(project=project)
    assert [(a.user['id'], a.role['id']) for a in on_project] == \
        [(user.id, member.id)]
    effective = keystone.role_assignments.list(user=user, effective=True)
    assert {a.role['id'] for a in effective} == {member.id, reader.id}
    by_role = keystone.role_assignments.list(role=reader)
    assert (user.id, 'default') in {
        (a.user['id'], a.scope.get('domain', {}).get('id')) for a in by_role}
    named = keystone.role_assignments.list(user=user, project=project,
                                           include_names=True)
    assert named[0].role['name'] == 'member'
    assert named[0].scope['project']['name'] == project.name
    assert named[0].user['name'] == user.name

    # The user can log in to the project now; revoking the grant kills
    # that token.
    user_session = session_for(identity_service, username=user.name,
                               password=password, project_name=project.name)
    user_token = user_session.get_token()
    # member implies reader.
    assert sorted(keystone.tokens.validate(user_token).role_names) == [
        'member', 'reader']
    keystone.roles.revoke(member, user=user, project=project)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.roles.check(member, user=user, project=project)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.tokens.validate(user_token)
    assert [a.role['id'] for a in keystone.role_assignments.list(
        user=user)] == [reader.id]
    with pytest.raises(ka_exceptions.NotFound):
        keystone.roles.grant(member, user=user, project=uuid.uuid4().hex)
    keystone.roles.revoke(reader, user=user, domain='default')
    assert keystone.role_assignments.list(user=user) == []
    keystone.users.delete(user)
    keystone.projects.delete(project)


def test_self_service_and_password_change(keystone, identity_service):
    project = keystone.projects.create(name=unique('sproj'),
                                       domain='default')
    old = 'Old-' + uuid.uuid4().hex
    new = 'New-' + uuid.uuid4().hex
    user = keystone.users.create(name=unique('self'), domain='default',
                                 password=old)
    keystone.roles.grant(keystone.roles.find(name='member'), user=user,
                         project=project)
    own_session = session_for(identity_service, username=user.name,
                              password=old, project_name=project.name)
    own = ks_client.Client(session=own_session, interface='public')
    assert own.users.get(user.id).name == user.name
    assert ids(own.projects.list(user=user.id)) == {project.id}
    # The unscoped user can list its projects through /v3/auth/projects.
    unscoped = ks_client.Client(session=session_for(
        identity_service, username=user.name, password=old,
        project_name=None, project_domain_name=None), interface='public')
    assert ids(unscoped.auth.projects()) == {project.id}
    assert unscoped.auth.domains() == []   # no role on any domain
    # Not someone else.
    with pytest.raises(ka_exceptions.Forbidden):
        own.users.get(identity_service_admin_id(keystone))
    old_token = own_session.get_token()

    with pytest.raises(ka_exceptions.Unauthorized):
        own.users.update_password('wrong-' + old, new)
    own.users.update_password(old, new)
    # Keystone revokes the user's tokens on a password change.
    with pytest.raises(ka_exceptions.NotFound):
        keystone.tokens.validate(old_token)
    with pytest.raises(ka_exceptions.Unauthorized):
        session_for(identity_service, username=user.name, password=old,
                    project_name=project.name).get_token()
    assert session_for(identity_service, username=user.name, password=new,
                       project_name=project.name).get_token()
    keystone.users.delete(user)
    keystone.projects.delete(project)


def identity_service_admin_id(keystone):
    return keystone.users.find(name='admin').id


def test_tokens_validate_and_revoke(keystone, identity_service,
                                    admin_session):
    other = session_for(identity_service)
    token = other.get_token()
    access = keystone.tokens.validate(token)
    assert access.auth_token == token
    assert access.user_id == admin_session.get_user_id()
    assert access.project_name == 'admin'
    assert access.service_catalog.url_for(service_type='identity',
                                          endpoint_type='admin') == \
        identity_service.admin_url
    bare = keystone.tokens.validate(token, include_catalog=False)
    assert not bare.service_catalog.get_endpoints()
    data = keystone.tokens.get_token_data(token)
    assert data['token']['user']['name'] == 'admin'

    keystone.tokens.revoke_token(token)
    with pytest.raises(ka_exceptions.NotFound):
        keystone.tokens.validate(token)
    # Revoking one token leaves the caller's own token working.
    assert keystone.domains.get('default').name == 'Default'
    with pytest.raises(ka_exceptions.NotFound):
        keystone.tokens.validate('not-a-token')
