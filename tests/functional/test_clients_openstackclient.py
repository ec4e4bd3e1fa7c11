"""The real ``openstack`` CLI (python-openstackclient) against service-all.

Each command is a child process with only the ``OS_*`` lines ``service-manage
setup`` printed (the operator's password in its placeholder), nothing else:
no ``OS_INTERFACE``, so management goes to the public listener, as with
Keystone. ``-f json`` output is parsed and checked.
"""

from concurrent import futures
import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.support.identity_service import BIN

# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(150),
              pytest.mark.usefixtures('client_versions')]

COMMAND_TIMEOUT = 60


def openstack_command():
    path = BIN / 'openstack'
    if path.is_file():
        return [str(path)]
    return [sys.executable, '-m', 'openstackclient.shell']


class Failed(AssertionError):
    """An ``openstack`` command exited non-zero."""

    def __init__(self, argv, completed):
        super().__init__('openstack %s exited %d:\n%s%s' % (
            ' '.join(argv), completed.returncode, completed.stdout,
            completed.stderr))
        self.completed = completed


def osc(identity, *argv, env=None):
    """Run ``openstack argv``; return parsed JSON output, or stdout."""
    completed = subprocess.run(
        openstack_command() + list(argv), capture_output=True, text=True,
        env=identity.printed_environ(**(env or {})),
        timeout=COMMAND_TIMEOUT,
        stdin=subprocess.DEVNULL, cwd=str(identity.directory))
    if completed.returncode != 0:
        raise Failed(argv, completed)
    if '-f' in argv and argv[argv.index('-f') + 1] == 'json':
        return json.loads(completed.stdout)
    return completed.stdout


def osc_all(identity, *commands):
    """Run independent commands concurrently; return their results.

    Each command is an argv tuple, or ``(argv tuple, keyword dict)``.
    Every command is still its own ``openstack`` process; running
    independent ones side by side only keeps the suite short.
    """
    def one(command):
        if isinstance(command[0], tuple):
            argv, kwargs = command
        else:
            argv, kwargs = command, {}
        return osc(identity, *argv, **kwargs)

    workers = min(len(commands), len(os.sched_getaffinity(0)))
    with futures.ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        return list(pool.map(one, commands))


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def names(rows):
    return {row['Name'] for row in rows}


def test_token_issue_and_revoke(identity_service):
    issued = osc(identity_service, 'token', 'issue', '-f', 'json')
    assert set(issued) >= {'id', 'expires', 'project_id', 'user_id'}
    token = issued['id']
    status, body = identity_service.validate(
        identity_service.public_port, token, token)
    assert status == 200
    assert body['token']['project']['id'] == issued['project_id']
    assert body['token']['user']['id'] == issued['user_id']

    osc(identity_service, 'token', 'revoke', token)
    check = identity_service.password_token()
    status, _ = identity_service.validate(identity_service.public_port,
                                          check, token)
    assert status == 404


def test_catalog_list(identity_service):
    catalog = osc(identity_service, 'catalog', 'list', '-f', 'json')
    [identity] = [row for row in catalog if row['Type'] == 'identity']
    assert identity['Name'] == 'keystone'
    by_interface = {e['interface']: e['url'] for e in identity['Endpoints']}
    assert by_interface == {'public': identity_service.auth_url,
                            'internal': identity_service.auth_url,
                            'admin': identity_service.admin_url}


def test_printed_lines_manage_with_no_interface_set(identity_service):
    # The first thing a new user tries after the quick start.
    assert 'OS_INTERFACE' not in identity_service.printed_environ()
    users = osc(identity_service, 'user', 'list', '-f', 'json')
    assert 'admin' in names(users)


# Every CLI run costs about a second of CPU (imports), so the full cycle
# runs on the embedded default (SQLite) only; the same routes are driven on
# PostgreSQL by the keystoneclient and openstacksdk tests.
@pytest.mark.parametrize('identity_service', ['sqlite'], indirect=True)
def test_create_list_show_delete_everything(identity_service):
    """domain, project, user, role, service and endpoint: the full cycle,
    with role add and role assignment list in the middle."""
    identity = identity_service
    domain, project, user, role, service_name = (
        unique('osc-dom'), unique('osc-proj'), unique('osc-user'),
        unique('osc-role'), unique('osc-svc'))
    password = 'Osc-' + uuid.uuid4().hex
    url = 'http://volume.example.com:8776/v3'
    j = ('-f', 'json')

    # create
    (created_domain, created_project, created_user, created_role,
     created_service) = osc_all(
        identity,
        ('domain', 'create', '--description', 'from the cli', domain) + j,
        ('project', 'create', '--domain', 'default', '--description', 'cli',
         project) + j,
        ('user', 'create', '--domain', 'default', '--password', password,
         '--email', 'osc@example.com', user) + j,
        ('role', 'create', role) + j,
        ('service', 'create', '--name', service_name, '--description',
         'block storage', 'volumev3') + j)
    assert created_domain['name'] == domain
    assert created_domain['enabled'] is True
    assert created_project['domain_id'] == 'default'
    assert created_project['name'] == project
    assert created_user['name'] == user and 'password' not in created_user
    assert created_role['name'] == role
    assert created_service['type'] == 'volumev3'
    assert created_service['name'] == service_name

    # list; the endpoint's create, now that its service exists; role add
    (domains, projects, users, roles, services, endpoint, _) = osc_all(
        identity,
        ('domain', 'list') + j, ('project', 'list') + j,
        ('user', 'list', '--domain', 'default') + j, ('role', 'list') + j,
        ('service', 'list') + j,
        ('endpoint', 'create', '--region', 'RegionOne',
         created_service['id'], 'public', url) + j,
        ('role', 'add', '--project', project, '--user', user, role))
    assert domain in names(domains)
    assert project in names(projects)
    assert user in names(users)
    assert role in names(roles)
    assert service_name in names(services)
    assert endpoint['url'] == url and endpoint['interface'] == 'public'
    assert endpoint['service_id'] == created_service['id']
    assert endpoint['region'] == 'RegionOne'

    # show; endpoint list; role assignment list; the user logs in
    (shown_domain, shown_project, shown_user, shown_role, shown_service,
     shown_endpoint, endpoints, assigned, own) = osc_all(
        identity,
        ('domain', 'show', domain) + j, ('project', 'show', project) + j,
        ('user', 'show', '--domain', 'default', user) + j,
        ('role', 'show', role) + j,
        ('service', 'show', created_service['id']) + j,
        ('endpoint', 'show', endpoint['id']) + j,
        ('endpoint', 'list', '--service', created_service['id']) + j,
        ('role', 'assignment', 'list', '--user', user, '--names') + j,
        (('token', 'issue') + j, {
            'env': {'OS_USERNAME': user, 'OS_PASSWORD': password,
                    'OS_PROJECT_NAME': project}}))
    assert shown_domain['id'] == created_domain['id']
    assert shown_domain['description'] == 'from the cli'
    assert shown_project['id'] == created_project['id']
    assert shown_user['id'] == created_user['id']
    assert shown_user['email'] == 'osc@example.com'
    assert shown_role['id'] == created_role['id']
    assert shown_service['description'] == 'block storage'
    assert shown_endpoint['service_name'] == service_name
    assert shown_endpoint['url'] == url
    assert [(e['ID'], e['URL'], e['Interface']) for e in endpoints] == [
        (endpoint['id'], url, 'public')]
    assert [(r['Role'], r['User'], r['Project']) for r in assigned] == [
        (role, '%s@Default' % user, '%s@Default' % project)]
    assert own['user_id'] == created_user['id']
    assert own['project_id'] == created_project['id']

    # delete (a domain must be disabled first, as in Keystone)
    osc_all(identity,
            ('domain', 'set', '--disable', domain),
            ('project', 'delete', project),
            ('user', 'delete', '--domain', 'default', user),
            ('role', 'delete', role),
            ('endpoint', 'delete', endpoint['id']))
    osc_all(identity,
            ('domain', 'delete', created_domain['id']),
            ('service', 'delete', created_service['id']))
    token = identity.password_token()
    for path in ('domains/%s' % created_domain['id'],
                 'projects/%s' % created_project['id'],
                 'users/%s' % created_user['id'],
                 'roles/%s' % created_role['id'],
                 'services/%s' % created_service['id'],
                 'endpoints/%s' % endpoint['id']):
        status, _, _ = identity.request(identity.admin_port, 'GET',
                                        '/v3/' + path,
                                        headers={'X-Auth-Token': token})
        assert status == 404, path


@pytest.mark.parametrize('identity_service', ['sqlite'], indirect=True)
def test_groups_implied_roles_and_system_assignments(identity_service):
    """What part 1 of the identity API adds, driven by the CLI alone."""
    identity = identity_service
    group, user, prior, project = (unique('osc-grp'), unique('osc-usr'),
                                   unique('osc-prior'), unique('osc-prj'))
    password = 'Osc-' + uuid.uuid4().hex
    j = ('-f', 'json')
    made_group, made_user, made_prior, made_project = osc_all(
        identity,
        ('group', 'create', '--domain', 'default', group) + j,
        ('user', 'create', '--domain', 'default', '--password', password,
         user) + j,
        ('role', 'create', prior) + j,
        ('project', 'create', '--domain', 'default', project) + j)

    # The group brings a role on the project; the prior role implies
    # reader; the user holds the reader role on the system.
    osc_all(identity,
            ('group', 'add', 'user', group, user),
            ('implied', 'role', 'create', '--implied-role', 'reader',
             prior) + j,
            ('role', 'add', '--group', group, '--project', project, prior),
            ('role', 'add', '--user', user, '--system', 'all', 'reader'))
    (contains, implied, on_system, effective, user_groups) = osc_all(
        identity,
        ('group', 'contains', 'user', group, user),
        ('implied', 'role', 'list') + j,
        ('role', 'assignment', 'list', '--system', 'all', '--names') + j,
        ('role', 'assignment', 'list', '--effective', '--user',
         made_user['id'], '--names') + j,
        ('group', 'list', '--user', made_user['id']) + j)
    assert '%s in group %s' % (user, group) in contains
    assert {(r['Prior Role Name'], r['Implied Role Name'])
            for r in implied} >= {(prior, 'reader'),
                                  ('admin', 'manager')}
    assert ('reader', '%s@Default' % user) in {
        (r['Role'], r['User']) for r in on_system}
    assert {(r['Role'], r['Project']) for r in effective} >= {
        (prior, '%s@Default' % project), ('reader', '%s@Default' % project)}
    assert [g['Name'] for g in user_groups] == [group]

    # The user's own tokens: project-scoped through the group (with the
    # implied role), and system-scoped.
    as_user = {'OS_USERNAME': user, 'OS_PASSWORD': password,
               'OS_PROJECT_NAME': project}
    on_project, system_token = osc_all(
        identity,
        (('token', 'issue') + j, {'env': as_user}),
        (('token', 'issue') + j, {'env': {
            'OS_USERNAME': user, 'OS_PASSWORD': password,
            'OS_PROJECT_NAME': '', 'OS_PROJECT_DOMAIN_NAME': '',
            'OS_SYSTEM_SCOPE': 'all'}}))
    admin_token = identity.password_token()
    status, body = identity.validate(identity.public_port, admin_token,
                                     on_project['id'])
    assert status == 200
    assert {r['name'] for r in body['token']['roles']} == {prior, 'reader'}
    status, body = identity.validate(identity.public_port, admin_token,
                                     system_token['id'])
    assert status == 200 and body['token']['system'] == {'all': True}

    # Leaving the group takes the project role (and revokes the token).
    osc_all(identity,
            ('group', 'remove', 'user', group, user),
            ('role', 'remove', '--user', user, '--system', 'all', 'reader'))
    for token in (on_project['id'], system_token['id']):
        status, _ = identity.validate(identity.public_port, admin_token,
                                      token)
        assert status == 404
    osc_all(identity,
            ('implied', 'role', 'delete', '--implied-role', 'reader', prior),
            ('group', 'delete', made_group['id']),
            ('user', 'delete', made_user['id']),
            ('project', 'delete', made_project['id']))
    osc(identity, 'role', 'delete', made_prior['id'])
