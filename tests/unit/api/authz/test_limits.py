"""Authorisation matrix: registered limits, limits and the enforcement
model (see ``tests.support.authz_matrix``)."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _registered_body(ids):
    return {'registered_limits': [{
        'service_id': ids['service_id'], 'region_id': ids['region_id'],
        'resource_name': _name('resource'), 'default_limit': 5}]}


def _new_resource(world, persona):
    resource = _name('resource')
    world.registered_limit(resource)
    return {'resource': resource}


def _limit_body(ids):
    return {'limits': [{
        'service_id': ids['service_id'], 'region_id': ids['region_id'],
        'project_id': ids['project_id'], 'resource_name': ids['resource'],
        'resource_limit': 3}]}


ROWS = [
    # Registered limits: anyone with a token reads them.
    Row('POST', '/registered_limits', m.ADMIN, body=_registered_body),
    Row('GET', '/registered_limits', m.EVERYONE),
    Row('GET', '/registered_limits/{registered_limit_id}', m.EVERYONE),
    # A registered limit that limits use cannot change: new ones.
    Row('PATCH', '/registered_limits/{registered_limit_id}', m.ADMIN,
        setup=lambda world, persona: {'fresh': world.registered_limit()},
        params={'registered_limit_id': 'fresh'},
        body={'registered_limit': {'default_limit': 7}}),
    Row('DELETE', '/registered_limits/{registered_limit_id}', m.ADMIN,
        setup=lambda world, persona: {'fresh': world.registered_limit()},
        params={'registered_limit_id': 'fresh'}),
    Row('GET', '/limits/model', m.EVERYONE),
    # Limits: a list shows each caller what it may see.
    Row('POST', '/limits', m.ADMIN, setup=_new_resource, body=_limit_body),
    Row('GET', '/limits', m.EVERYONE),
    Row('GET', '/limits/{limit_id}', m.PROJECT_READERS),
    Row('GET', '/limits/{limit_id}', m.DOMAIN_READERS, label='domain',
        params={'limit_id': 'domain_limit_id'}),
    Row('GET', '/limits/{limit_id}', m.ELSEWHERE_READERS, label='elsewhere',
        params={'limit_id': 'other_limit_id'}),
    Row('PATCH', '/limits/{limit_id}', m.ADMIN,
        body={'limit': {'resource_limit': 4}}),
    Row('DELETE', '/limits/{limit_id}', m.ADMIN,
        setup=lambda world, persona: {'fresh': world.limit()},
        params={'limit_id': 'fresh'}),
]


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
