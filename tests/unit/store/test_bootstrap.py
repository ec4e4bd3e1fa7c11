"""Bootstrap helpers find or create, so running them twice changes nothing."""

import pytest

from keystone_like.store import assignments
from keystone_like.store import bootstrap
from keystone_like.store import endpoints
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)


def _bootstrap(session, url='http://localhost:5000/v3'):
    domain = bootstrap.ensure_domain(session, 'Default', domain_id='default',
                                     description='The default domain')
    project = bootstrap.ensure_project(session, 'admin', domain['id'])
    user = bootstrap.ensure_user(session, 'admin', domain['id'],
                                 password_hash='hash-1')
    role = bootstrap.ensure_role(session, 'admin')
    for name in ('member', 'reader'):
        bootstrap.ensure_role(session, name)
    assignments.create_grant(session, assignments.Grant(
        'user', user['id'], 'project', project['id'], role['id']))
    region = bootstrap.ensure_region(session, 'RegionOne')
    service = bootstrap.ensure_service(session, 'identity', 'keystone',
                                       description='Identity')
    endpoint = bootstrap.ensure_endpoint(session, service['id'], 'public',
                                         url, region_id=region['id'])
    plain = bootstrap.ensure_endpoint(session, service['id'], 'admin', url)
    return [domain, project, user, role, region, service, endpoint, plain]


def test_bootstrap_twice_is_the_same(database):
    with database.session() as session:
        first = _bootstrap(session)
    with database.session() as session:
        second = _bootstrap(session)
        assert second == first
        assert first[0]['id'] == 'default'
        assert len(endpoints.list_endpoints(session)) == 2
        assert len(assignments.list_assignments(session)) == 1


def test_existing_user_keeps_its_password(db_session):
    _bootstrap(db_session)
    user = bootstrap.ensure_user(db_session, 'admin', 'default',
                                 password_hash='hash-2')
    assert users.get_password_hash(db_session, user['id']) == 'hash-1'


def test_domain_found_by_name_when_the_id_differs(db_session):
    domain = bootstrap.ensure_domain(db_session, 'Default')
    assert bootstrap.ensure_domain(db_session, 'Default',
                                   domain_id='default') == domain


def test_endpoint_url_is_updated(db_session):
    before = _bootstrap(db_session)
    after = _bootstrap(db_session, url='https://id.example.com/v3')
    assert after[6]['id'] == before[6]['id']
    assert after[6]['url'] == 'https://id.example.com/v3'
    assert after[7]['url'] == 'https://id.example.com/v3'
