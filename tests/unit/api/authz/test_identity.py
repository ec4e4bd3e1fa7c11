"""Authorisation matrix: users, groups and group membership (see
``tests.support.authz_matrix``)."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _fresh_user(world, persona):
    return {'fresh_user': world.user()}


def _fresh_group(world, persona):
    return {'fresh_group': world.group()}


def _fresh_member(world, persona):
    user_id = world.user()
    world.make('PUT', '/groups/%s/users/%s' % (world.ids['group_id'],
                                               user_id))
    return {'fresh_user': user_id}


ROWS = [
    # Users.
    Row('POST', '/users', m.DOMAIN_MANAGERS, body=lambda ids: {'user': {
        'name': _name('user'), 'domain_id': ids['authz']}}),
    Row('GET', '/users', m.DOMAIN_READERS),
    Row('GET', '/users/{user_id}', m.DOMAIN_READERS),
    Row('GET', '/users/{user_id}', m.EVERYONE, label='own',
        params={'user_id': 'self_user_id'}),
    Row('PATCH', '/users/{user_id}', m.DOMAIN_MANAGERS,
        body={'user': {'description': 'changed'}}),
    Row('DELETE', '/users/{user_id}', m.DOMAIN_MANAGERS,
        setup=_fresh_user, params={'user_id': 'fresh_user'}),
    Row('GET', '/users/{user_id}/projects', m.DOMAIN_READERS),
    Row('GET', '/users/{user_id}/projects', m.EVERYONE, label='own',
        params={'user_id': 'self_user_id'}),
    # Groups.
    Row('POST', '/groups', m.DOMAIN_MANAGERS, body=lambda ids: {'group': {
        'name': _name('group'), 'domain_id': ids['authz']}}),
    Row('GET', '/groups', m.DOMAIN_READERS),
    Row('GET', '/groups/{group_id}', m.DOMAIN_READERS),
    Row('PATCH', '/groups/{group_id}', m.DOMAIN_MANAGERS,
        body={'group': {'description': 'changed'}}),
    Row('DELETE', '/groups/{group_id}', m.DOMAIN_MANAGERS,
        setup=_fresh_group, params={'group_id': 'fresh_group'}),
    # Membership.
    Row('GET', '/groups/{group_id}/users', m.DOMAIN_READERS),
    Row('PUT', '/groups/{group_id}/users/{user_id}', m.DOMAIN_MANAGERS),
    Row('GET', '/groups/{group_id}/users/{user_id}', m.DOMAIN_READERS),
    Row('DELETE', '/groups/{group_id}/users/{user_id}', m.DOMAIN_MANAGERS,
        setup=_fresh_member, params={'user_id': 'fresh_user'}),
    Row('GET', '/users/{user_id}/groups', m.DOMAIN_READERS),
    Row('GET', '/users/{user_id}/groups', m.EVERYONE, label='own',
        params={'user_id': 'self_user_id'}),
]


# The same routes on targets in the other domain: the domain's manager
# and readers are no longer enough.
OTHER_USER = {'user_id': 'other_user_id'}
OTHER_GROUP = {'group_id': 'other_group_id'}
ROWS += [
    Row('POST', '/users', m.ANY_ADMIN, label='elsewhere',
        body=lambda ids: {'user': {'name': _name('user'),
                                   'domain_id': ids['other']}}),
    Row('GET', '/users/{user_id}', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere', params=OTHER_USER),
    Row('PATCH', '/users/{user_id}', m.ANY_ADMIN, label='elsewhere',
        params=OTHER_USER, body={'user': {'description': 'changed'}}),
    Row('DELETE', '/users/{user_id}', m.ANY_ADMIN, label='elsewhere',
        setup=lambda world, persona: {'fresh_user': world.user('other')},
        params={'user_id': 'fresh_user'}),
    Row('GET', '/users/{user_id}/projects', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere', params=OTHER_USER),
    Row('GET', '/users/{user_id}/groups', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere', params=OTHER_USER),
    Row('GET', '/groups/{group_id}', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere', params=OTHER_GROUP),
    Row('PATCH', '/groups/{group_id}', m.ANY_ADMIN, label='elsewhere',
        params=OTHER_GROUP, body={'group': {'description': 'changed'}}),
    Row('GET', '/groups/{group_id}/users', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere', params=OTHER_GROUP),
    # A group of the domain, a user of the other one.
    Row('PUT', '/groups/{group_id}/users/{user_id}', m.ANY_ADMIN,
        label='elsewhere', params=OTHER_USER),
    Row('GET', '/groups/{group_id}/users/{user_id}',
        m.ANY_ADMIN_OR_SYSTEM_READER, label='elsewhere', params=OTHER_USER),
]

# Filters: a domain filter is no domain scope, a user filter no owner.
ROWS += [
    Row('GET', '/users', m.DOMAIN_READERS, query='domain_id={authz}'),
    Row('GET', '/groups', m.DOMAIN_READERS, query='domain_id={authz}'),
    Row('GET', '/users/{user_id}/projects', m.DOMAIN_READERS,
        query='user_id={self_user_id}'),
    Row('GET', '/users/{user_id}/groups', m.DOMAIN_READERS,
        query='user_id={self_user_id}'),
]


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
