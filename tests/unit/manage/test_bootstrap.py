"""service-manage bootstrap on SQLite and PostgreSQL."""

import pytest

from keystone_like.identity import passwords
from keystone_like.manage import bootstrap
from keystone_like.server import errors
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import endpoints
from keystone_like.store import projects
from keystone_like.store import regions
from keystone_like.store import roles
from keystone_like.store import services
from keystone_like.store import users
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage
manage_db = support.manage_db

PASSWORD = 'correct horse battery staple'


def _state(session):
    """Everything bootstrap makes, as comparable data."""
    return {
        'domains': domains.list_domains(session),
        'projects': projects.list_projects(session),
        'users': users.list_users(session),
        'roles': roles.list_roles(session),
        'assignments': assignments.list_assignments(session),
        'regions': regions.list_regions(session),
        'services': services.list_services(session),
        'endpoints': endpoints.list_endpoints(session),
    }


@pytest.fixture
def migrated(manage_db):
    assert manage_db('db_sync').code == errors.EXIT_OK
    return manage_db


def test_bootstrap_creates_everything(migrated, caplog):
    run = migrated('bootstrap', '--bootstrap-password', PASSWORD)
    assert run.code == errors.EXIT_OK, run.err
    assert PASSWORD not in run.out + run.err + caplog.text
    assert run.out.splitlines()[-1] == ('Bootstrap complete: 19 created, 0 '
                                        'updated, 0 already present.')
    with migrated.session() as session:
        domain = domains.get_domain(session, 'default')
        assert domain['name'] == 'Default'
        project = projects.get_project_by_name(session, 'admin', 'default')
        user = users.get_user_by_name(session, 'admin', 'default')
        assert passwords.verify_password(
            PASSWORD, users.get_password_hash(session, user['id']))
        default_roles = ['admin', 'manager', 'member', 'reader', 'service']
        assert [r['name'] for r in roles.list_roles(session)] == (
            default_roles)
        assert all(r['options'] == {'immutable': True}
                   for r in roles.list_roles(session))
        by_id = {r['id']: r['name'] for r in roles.list_roles(session)}
        assert sorted((by_id[p.id], by_id[i.id])
                      for p, i in roles.list_rules(session)) == [
            ('admin', 'manager'), ('manager', 'member'),
            ('member', 'reader')]
        admin = roles.get_role_by_name(session, 'admin')
        # The admin role on the project, the domain and the system.
        granted = sorted(
            (a['role_id'], a.get('system') or a.get('project_id')
             or a.get('domain_id'))
            for a in effective.list_role_assignments(session,
                                                     user_id=user['id']))
        assert granted == sorted([(admin['id'], 'default'),
                                  (admin['id'], project['id']),
                                  (admin['id'], 'all')])
        assert {by_id[r] for r in effective.role_ids_on_project(
            session, user['id'], project['id'], 'default')} == {
            'admin', 'manager', 'member', 'reader'}
        assert regions.get_region(session, 'RegionOne')
        [service] = services.list_services(session)
        assert (service['type'], service['name']) == ('identity', 'keystone')
        urls = {e['interface']: (e['url'], e['region_id'])
                for e in endpoints.list_endpoints(session)}
    public = 'http://localhost:%d/v3' % migrated.public_port
    assert urls == {
        'public': (public, 'RegionOne'), 'internal': (public, 'RegionOne'),
        'admin': ('http://localhost:%d/v3' % migrated.admin_port,
                  'RegionOne')}


def test_bootstrap_twice_changes_nothing(migrated):
    assert migrated('bootstrap', '--bootstrap-password',
                    PASSWORD).code == 0
    with migrated.session() as session:
        first = _state(session)
        user_id = users.get_user_by_name(session, 'admin', 'default')['id']
        password_hash = users.get_password_hash(session, user_id)
    run = migrated('bootstrap', '--bootstrap-password', 'another password')
    assert run.code == errors.EXIT_OK, run.err
    assert run.out.splitlines()[-1] == ('Bootstrap complete: 0 created, 0 '
                                        'updated, 19 already present.')
    assert 'add --reset-password to set the given one' in run.out
    with migrated.session() as session:
        assert _state(session) == first
        assert users.get_password_hash(session, user_id) == password_hash
    assert len(first['assignments']) == 3
    # An existing user needs no password at all.
    assert migrated('bootstrap').code == errors.EXIT_OK


def test_reset_password(migrated, monkeypatch):
    assert migrated('bootstrap', '--bootstrap-password',
                    PASSWORD).code == 0
    monkeypatch.setenv(bootstrap.PASSWORD_ENV, 'the new one')
    run = migrated('bootstrap', '--reset-password')
    assert run.code == errors.EXIT_OK, run.err
    assert 'the new one' not in run.out + run.err
    assert 'updated         password of user admin' in run.out
    with migrated.session() as session:
        user = users.get_user_by_name(session, 'admin', 'default')
        encoded = users.get_password_hash(session, user['id'])
    assert passwords.verify_password('the new one', encoded)
    assert not passwords.verify_password(PASSWORD, encoded)


def test_password_from_the_environment(migrated, monkeypatch):
    monkeypatch.setenv(bootstrap.PASSWORD_ENV, PASSWORD)
    run = migrated('bootstrap', '--bootstrap-username', 'root',
                   '--bootstrap-project-name', 'ops')
    assert run.code == errors.EXIT_OK, run.err
    assert PASSWORD not in run.out
    with migrated.session() as session:
        user = users.get_user_by_name(session, 'root', 'default')
        project = projects.get_project_by_name(session, 'ops', 'default')
        assert passwords.verify_password(
            PASSWORD, users.get_password_hash(session, user['id']))
        assert effective.projects_for_user(session, user['id']) == [
            project]


def test_missing_password_creates_nothing(migrated):
    run = migrated('bootstrap')
    assert run.code == errors.EXIT_USAGE
    line = support.one_line_error(run, 'bootstrap')
    assert ('no password to create user admin with; pass '
            '--bootstrap-password or set OS_BOOTSTRAP_PASSWORD') in line
    assert run.out == ''
    with migrated.session() as session:
        assert not any(_state(session).values())


def test_reset_without_password(migrated):
    assert migrated('bootstrap', '--bootstrap-password',
                    PASSWORD).code == 0
    run = migrated('bootstrap', '--reset-password')
    assert run.code == errors.EXIT_USAGE
    assert 'no password to reset user admin with' in support.one_line_error(
        run, 'bootstrap')


def test_empty_password_flag(migrated):
    run = migrated('bootstrap', '--bootstrap-password', '')
    assert run.code == errors.EXIT_USAGE
    line = support.one_line_error(run, 'bootstrap')
    assert '--bootstrap-password is empty' in line


def test_unmigrated_database_says_run_db_sync(manage_db):
    run = manage_db('bootstrap', '--bootstrap-password', PASSWORD)
    assert run.code == errors.EXIT_CONFIG
    line = support.one_line_error(run, 'bootstrap')
    assert line.endswith('has no schema; run: service-manage db_sync')


def test_urls_from_options_and_flags(migrated):
    migrated.set('DEFAULT', public_endpoint='https://id.example.com:5000/',
                 admin_endpoint='https://admin.example.com/v3')
    assert migrated('bootstrap', '--bootstrap-password', PASSWORD,
                    '--bootstrap-region-id', 'North').code == 0
    with migrated.session() as session:
        urls = {e['interface']: (e['url'], e['region_id'])
                for e in endpoints.list_endpoints(session)}
    assert urls == {
        'public': ('https://id.example.com:5000/v3', 'North'),
        'internal': ('https://id.example.com:5000/v3', 'North'),
        'admin': ('https://admin.example.com/v3', 'North')}
    run = migrated('bootstrap', '--bootstrap-region-id', 'North',
                   '--bootstrap-internal-url', 'http://10.0.0.5:5000/v3')
    assert run.code == errors.EXIT_OK, run.err
    assert ('updated         internal endpoint http://10.0.0.5:5000/v3'
            in run.out)
    assert 'was https://id.example.com:5000/v3' in run.out
    with migrated.session() as session:
        assert len(endpoints.list_endpoints(session)) == 3
        [internal] = endpoints.list_endpoints(session, interface='internal')
    assert internal['url'] == 'http://10.0.0.5:5000/v3'


def test_custom_role_is_created_and_granted(migrated):
    run = migrated('bootstrap', '--bootstrap-password', PASSWORD,
                   '--bootstrap-role-name', 'superuser')
    assert run.code == errors.EXIT_OK, run.err
    with migrated.session() as session:
        names = [r['name'] for r in roles.list_roles(session)]
        user = users.get_user_by_name(session, 'admin', 'default')
        granted = effective.role_ids_on_domain(session, user['id'],
                                               'default')
        superuser = roles.get_role_by_name(session, 'superuser')
    assert sorted(names) == ['admin', 'manager', 'member', 'reader',
                             'service', 'superuser']
    assert granted == {superuser['id']}


@pytest.mark.parametrize('flag', ['--bootstrap-public-url',
                                  '--bootstrap-admin-url'])
def test_malformed_url(manage, flag):
    run = manage('bootstrap', '--bootstrap-password', PASSWORD, flag,
                 'localhost:5000')
    assert run.code == errors.EXIT_USAGE
    assert "%s 'localhost:5000' is not an http:// or https:// URL" % flag \
        in support.one_line_error(run, 'bootstrap')


def test_bad_hash_rounds(migrated):
    migrated.set('identity', password_hash_rounds=99)
    run = migrated('bootstrap', '--bootstrap-password', PASSWORD)
    assert run.code == errors.EXIT_CONFIG
    assert '[identity] password_hash_rounds = 99 is out of range' in \
        support.one_line_error(run, 'bootstrap')


def test_too_long_password(migrated):
    migrated.set('identity', max_password_length=16)
    run = migrated('bootstrap', '--bootstrap-password', 'x' * 17)
    assert run.code == errors.EXIT_USAGE
    line = support.one_line_error(run, 'bootstrap')
    assert 'max_password_length = 16' in line
