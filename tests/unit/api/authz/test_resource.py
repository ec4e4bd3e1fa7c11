"""Authorisation matrix: domains, projects and project tags (see
``tests.support.authz_matrix``)."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _fresh_project(world, persona):
    return {'fresh_project': world.project(tags=['one', 'two'])}


def _fresh_domain(world, persona):
    domain_id = world.make('POST', '/domains', {'domain': {
        'name': _name('domain'), 'enabled': False}})['domain']['id']
    return {'fresh_domain': domain_id}


def _fresh_tag(world, persona):
    value = _name('tag')
    world.make('PUT', '/projects/%s/tags/%s' % (world.ids['project_id'],
                                                value))
    return {'fresh_tag': value}


ROWS = [
    # Projects.
    Row('POST', '/projects', m.DOMAIN_MANAGERS, body=lambda ids: {
        'project': {'name': _name('project'), 'domain_id': ids['authz']}}),
    Row('GET', '/projects', m.DOMAIN_READERS),
    Row('GET', '/projects/{project_id}', m.PROJECT_READERS),
    Row('PATCH', '/projects/{project_id}', m.DOMAIN_MANAGERS,
        body={'project': {'description': 'changed'}}),
    Row('DELETE', '/projects/{project_id}', m.DOMAIN_MANAGERS,
        setup=_fresh_project, params={'project_id': 'fresh_project'}),
    # Domains.
    Row('POST', '/domains', m.ADMIN, body=lambda ids: {'domain': {
        'name': _name('domain')}}),
    Row('GET', '/domains', m.DOMAIN_READERS),
    Row('GET', '/domains/{domain_id}', m.PROJECT_READERS),
    Row('PATCH', '/domains/{domain_id}', m.ADMIN,
        body={'domain': {'description': 'changed'}}),
    Row('DELETE', '/domains/{domain_id}', m.ADMIN, setup=_fresh_domain,
        params={'domain_id': 'fresh_domain'}),
    # Project tags.
    Row('GET', '/projects/{project_id}/tags', m.PROJECT_READERS),
    Row('PUT', '/projects/{project_id}/tags', m.DOMAIN_MANAGERS,
        setup=_fresh_project, params={'project_id': 'fresh_project'},
        body={'tags': ['three']}),
    Row('DELETE', '/projects/{project_id}/tags', m.DOMAIN_MANAGERS,
        setup=_fresh_project, params={'project_id': 'fresh_project'}),
    Row('GET', '/projects/{project_id}/tags/{value}', m.PROJECT_READERS),
    Row('PUT', '/projects/{project_id}/tags/{value}', m.DOMAIN_MANAGERS,
        setup=lambda world, persona: {'new_tag': _name('tag')},
        params={'value': 'new_tag'}),
    Row('DELETE', '/projects/{project_id}/tags/{value}', m.DOMAIN_MANAGERS,
        setup=_fresh_tag, params={'value': 'fresh_tag'}),
]


# The same routes on targets in the other domain.
OTHER_PROJECT = {'project_id': 'other_project'}
ROWS += [
    Row('POST', '/projects', m.ANY_ADMIN, label='elsewhere',
        body=lambda ids: {'project': {'name': _name('project'),
                                      'domain_id': ids['other']}}),
    Row('GET', '/projects/{project_id}', m.ELSEWHERE_READERS,
        label='elsewhere', params=OTHER_PROJECT),
    Row('PATCH', '/projects/{project_id}', m.ANY_ADMIN, label='elsewhere',
        params=OTHER_PROJECT, body={'project': {'description': 'changed'}}),
    Row('DELETE', '/projects/{project_id}', m.ANY_ADMIN, label='elsewhere',
        setup=lambda world, persona: {'fresh': world.project('other')},
        params={'project_id': 'fresh'}),
    Row('GET', '/domains/{domain_id}', m.ELSEWHERE_READERS,
        label='elsewhere', params={'domain_id': 'other'}),
    Row('GET', '/projects/{project_id}/tags', m.ELSEWHERE_READERS,
        label='elsewhere', params=OTHER_PROJECT),
    Row('PUT', '/projects/{project_id}/tags/{value}', m.ANY_ADMIN,
        label='elsewhere', params=dict(OTHER_PROJECT, value='new_tag'),
        setup=lambda world, persona: {'new_tag': _name('tag')}),
]

# A domain filter is no domain scope.
ROWS += [
    Row('GET', '/projects', m.DOMAIN_READERS, query='domain_id={authz}'),
    Row('GET', '/domains', m.DOMAIN_READERS, query='name={authz_name}'),
]


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
