"""Authorisation matrix: regions, services, endpoints, endpoint groups and
project endpoints (OS-EP-FILTER), policies and their associations
(OS-ENDPOINT-POLICY) (see ``tests.support.authz_matrix``)."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)
EP = '/OS-EP-FILTER'
POLICY = '/policies/{policy_id}/OS-ENDPOINT-POLICY'


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _fresh(kind):
    def setup(world, persona):
        return {'fresh': getattr(world, kind)()}
    return setup


def _fresh_project_endpoint(world, persona):
    endpoint_id = world.endpoint()
    world.make('PUT', EP + '/projects/%s/endpoints/%s' % (
        world.ids['project_id'], endpoint_id))
    return {'fresh': endpoint_id}


def _fresh_group_project(world, persona):
    group_id = world.endpoint_group()
    world.make('PUT', EP + '/endpoint_groups/%s/projects/%s' % (
        group_id, world.ids['project_id']))
    return {'fresh': group_id}


def _fresh_association(suffix, associated=True):
    """A setup: a new policy and, as associations replace each other, a
    new endpoint or service to associate it with."""
    def setup(world, persona):
        ids = {'fresh': world.policy()}
        if 'endpoint_id' in suffix:
            ids['fresh_endpoint'] = world.endpoint()
        else:
            ids['fresh_service'] = world.service()
        if associated:
            world.make('PUT', POLICY.format(policy_id=ids['fresh']) + suffix
                       .format(endpoint_id=ids.get('fresh_endpoint'),
                               service_id=ids.get('fresh_service'),
                               region_id=world.ids['region_id']))
        return ids
    return setup


def _policy_rows():
    rows = [Row('GET', POLICY + '/endpoints', m.ADMIN_OR_SYSTEM_READER),
            Row('GET', '/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy',
                m.ADMIN_OR_SYSTEM_READER)]
    for suffix in ('/endpoints/{endpoint_id}', '/services/{service_id}',
                   '/services/{service_id}/regions/{region_id}'):
        route = POLICY + suffix
        fresh = {'policy_id': 'fresh', 'endpoint_id': 'fresh_endpoint',
                 'service_id': 'fresh_service'}
        rows += [
            Row('PUT', route, m.ADMIN, params=fresh,
                setup=_fresh_association(suffix, associated=False)),
            Row('GET', route, m.ADMIN_OR_SYSTEM_READER),
            Row('DELETE', route, m.ADMIN, params=fresh,
                setup=_fresh_association(suffix)),
        ]
    return rows


ROWS = [
    # Regions: anyone with a token reads them.
    Row('POST', '/regions', m.ADMIN, body={'region': {}}),
    Row('GET', '/regions', m.EVERYONE),
    Row('PUT', '/regions/{region_id}', m.ADMIN, body={'region': {}},
        setup=lambda world, persona: {'new': _name('region')},
        params={'region_id': 'new'}),
    Row('GET', '/regions/{region_id}', m.EVERYONE),
    Row('PATCH', '/regions/{region_id}', m.ADMIN,
        body={'region': {'description': 'changed'}}),
    Row('DELETE', '/regions/{region_id}', m.ADMIN, setup=_fresh('region'),
        params={'region_id': 'fresh'}),
    # Services.
    Row('POST', '/services', m.ADMIN, body={'service': {'type': 'x'}}),
    Row('GET', '/services', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', '/services/{service_id}', m.ADMIN_OR_SYSTEM_READER),
    Row('PATCH', '/services/{service_id}', m.ADMIN,
        body={'service': {'description': 'changed'}}),
    Row('DELETE', '/services/{service_id}', m.ADMIN,
        setup=_fresh('service'), params={'service_id': 'fresh'}),
    # Endpoints.
    Row('POST', '/endpoints', m.ADMIN, body=lambda ids: {'endpoint': {
        'service_id': ids['service_id'], 'interface': 'admin',
        'url': 'http://new.example/'}}),
    Row('GET', '/endpoints', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', '/endpoints/{endpoint_id}', m.ADMIN_OR_SYSTEM_READER),
    Row('PATCH', '/endpoints/{endpoint_id}', m.ADMIN,
        body={'endpoint': {'description': 'changed'}}),
    Row('DELETE', '/endpoints/{endpoint_id}', m.ADMIN,
        setup=_fresh('endpoint'), params={'endpoint_id': 'fresh'}),
    # Endpoint groups and project endpoints (OS-EP-FILTER).
    Row('POST', EP + '/endpoint_groups', m.ADMIN, body={'endpoint_group': {
        'name': 'new', 'filters': {'interface': 'admin'}}}),
    Row('GET', EP + '/endpoint_groups', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', EP + '/endpoint_groups/{endpoint_group_id}',
        m.ADMIN_OR_SYSTEM_READER),
    Row('PATCH', EP + '/endpoint_groups/{endpoint_group_id}', m.ADMIN,
        body={'endpoint_group': {'description': 'changed'}}),
    Row('DELETE', EP + '/endpoint_groups/{endpoint_group_id}', m.ADMIN,
        setup=_fresh('endpoint_group'),
        params={'endpoint_group_id': 'fresh'}),
    Row('GET', EP + '/endpoint_groups/{endpoint_group_id}/endpoints',
        m.ADMIN_OR_SYSTEM_READER),
    Row('GET', EP + '/endpoint_groups/{endpoint_group_id}/projects',
        m.ADMIN_OR_SYSTEM_READER),
    Row('PUT', EP + '/endpoint_groups/{endpoint_group_id}/projects/'
        '{project_id}', m.ADMIN, setup=_fresh('endpoint_group'),
        params={'endpoint_group_id': 'fresh'}),
    Row('GET', EP + '/endpoint_groups/{endpoint_group_id}/projects/'
        '{project_id}', m.ADMIN_OR_SYSTEM_READER),
    Row('DELETE', EP + '/endpoint_groups/{endpoint_group_id}/projects/'
        '{project_id}', m.ADMIN, setup=_fresh_group_project,
        params={'endpoint_group_id': 'fresh'}),
    Row('GET', EP + '/projects/{project_id}/endpoint_groups',
        m.ADMIN_OR_SYSTEM_READER),
    Row('GET', EP + '/projects/{project_id}/endpoints',
        m.ADMIN_OR_SYSTEM_READER),
    Row('GET', EP + '/endpoints/{endpoint_id}/projects',
        m.ADMIN_OR_SYSTEM_READER),
    Row('PUT', EP + '/projects/{project_id}/endpoints/{endpoint_id}',
        m.ADMIN, setup=_fresh('endpoint'), params={'endpoint_id': 'fresh'}),
    Row('GET', EP + '/projects/{project_id}/endpoints/{endpoint_id}',
        m.ADMIN_OR_SYSTEM_READER),
    Row('DELETE', EP + '/projects/{project_id}/endpoints/{endpoint_id}',
        m.ADMIN, setup=_fresh_project_endpoint,
        params={'endpoint_id': 'fresh'}),
    # Policies (OS-ENDPOINT-POLICY below).
    Row('POST', '/policies', m.ADMIN, body={'policy': {
        'blob': '{}', 'type': 'application/json'}}),
    Row('GET', '/policies', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', '/policies/{policy_id}', m.ADMIN_OR_SYSTEM_READER),
    Row('PATCH', '/policies/{policy_id}', m.ADMIN,
        body={'policy': {'blob': '{"changed": true}'}}),
    Row('DELETE', '/policies/{policy_id}', m.ADMIN, setup=_fresh('policy'),
        params={'policy_id': 'fresh'}),
] + _policy_rows()


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
