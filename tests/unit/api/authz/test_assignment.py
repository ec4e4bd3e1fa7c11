"""Authorisation matrix: roles, implied roles, grants on projects, domains
and the system, inherited grants and role assignments (see
``tests.support.authz_matrix``)."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _fresh_role(world, persona):
    return {'fresh_role': world.role()}


def _fresh_rule(world, persona):
    prior, implied = world.role(), world.role()
    world.make('PUT', '/roles/%s/implies/%s' % (prior, implied))
    return {'fresh_prior': prior, 'fresh_implied': implied}


def _fresh_pair(world, persona):
    return {'fresh_prior': world.role(), 'fresh_implied': world.role()}


def _revocable(target, actor, inherited=False, system=False):
    """A setup: a new user or group holding member on ``target``."""
    def setup(world, persona):
        group = actor == 'group'
        actor_id = world.group() if group else world.user()
        if system:
            world.grant(actor_id, 'member', system=True, group=group)
        else:
            world.grant(actor_id, 'member', group=group,
                        inherited=inherited,
                        **{target: world.ids[target + '_id']})
        return {'fresh_actor': actor_id}
    return setup


def _grant_rows():
    rows = []
    for target in ('project', 'domain'):
        for actor in ('user', 'group'):
            base = '/%ss/{%s_id}/%ss/{%s_id}/roles' % (target, target,
                                                       actor, actor)
            one = base + '/{role_id}'
            inherited = '/OS-INHERIT' + one + '/inherited_to_projects'
            fresh = {actor + '_id': 'fresh_actor'}
            rows += [
                Row('GET', base, m.DOMAIN_READERS),
                Row('PUT', one, m.DOMAIN_MANAGERS),
                # A domain manager assigns manager, member and reader only.
                Row('PUT', one, m.ANY_ADMIN, label='admin role',
                    params={'role_id': 'admin_role_id'}),
                Row('GET', one, m.DOMAIN_READERS),
                Row('DELETE', one, m.DOMAIN_MANAGERS, params=fresh,
                    setup=_revocable(target, actor)),
                Row('PUT', inherited, m.DOMAIN_MANAGERS),
                Row('GET', inherited, m.DOMAIN_READERS),
                Row('DELETE', inherited, m.DOMAIN_MANAGERS, params=fresh,
                    setup=_revocable(target, actor, inherited=True)),
            ]
            if target == 'domain':
                rows.append(Row('GET', '/OS-INHERIT' + base
                                + '/inherited_to_projects',
                                m.DOMAIN_READERS))
    for actor in ('user', 'group'):
        system = '/system/%ss/{%s_id}/roles' % (actor, actor)
        rows += [
            Row('GET', system, m.ADMIN_OR_SYSTEM_READER),
            Row('PUT', system + '/{role_id}', m.ADMIN),
            Row('GET', system + '/{role_id}', m.ADMIN_OR_SYSTEM_READER),
            Row('DELETE', system + '/{role_id}', m.ADMIN,
                params={actor + '_id': 'fresh_actor'},
                setup=_revocable(None, actor, system=True)),
        ]
    return rows


ROWS = [
    # Roles: managers read the roles they may assign.
    Row('POST', '/roles', m.ADMIN, body=lambda ids: {'role': {
        'name': _name('role')}}),
    Row('GET', '/roles', m.DOMAIN_READERS),
    Row('GET', '/roles/{role_id}', m.DOMAIN_READERS),
    Row('GET', '/roles/{role_id}', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='admin role', params={'role_id': 'admin_role_id'}),
    Row('PATCH', '/roles/{role_id}', m.ADMIN, setup=_fresh_role,
        params={'role_id': 'fresh_role'},
        body={'role': {'description': 'changed'}}),
    Row('DELETE', '/roles/{role_id}', m.ADMIN, setup=_fresh_role,
        params={'role_id': 'fresh_role'}),
    # Implied roles.
    Row('GET', '/roles/{prior_role_id}/implies', m.ADMIN_OR_SYSTEM_READER),
    Row('PUT', '/roles/{prior_role_id}/implies/{implied_role_id}', m.ADMIN,
        setup=_fresh_pair, params={'prior_role_id': 'fresh_prior',
                                   'implied_role_id': 'fresh_implied'}),
    Row('GET', '/roles/{prior_role_id}/implies/{implied_role_id}',
        m.ADMIN_OR_SYSTEM_READER),
    Row('DELETE', '/roles/{prior_role_id}/implies/{implied_role_id}',
        m.ADMIN, setup=_fresh_rule,
        params={'prior_role_id': 'fresh_prior',
                'implied_role_id': 'fresh_implied'}),
    Row('GET', '/role_inferences', m.ADMIN_OR_SYSTEM_READER),
    # Role assignments (a domain reader's list is its domain's).
    Row('GET', '/role_assignments', m.DOMAIN_READERS),
    Row('GET', '/role_assignments', m.DOMAIN_READERS,
        query='scope.project.id={project_id}'),
    Row('GET', '/role_assignments', m.DOMAIN_READERS,
        query='user.id={self_user_id}'),
    Row('GET', '/role_assignments', m.DOMAIN_READERS,
        query='scope.domain.id={authz}'),
] + _grant_rows()


# Grants where the project, the domain or the user is in the other domain:
# the domain's manager and readers are no longer enough.
GRANT = '/projects/{project_id}/users/{user_id}/roles'
DOMAIN_GRANT = '/domains/{domain_id}/users/{user_id}/roles'
ROWS += [
    Row('PUT', GRANT + '/{role_id}', m.ANY_ADMIN, label='project elsewhere',
        params={'project_id': 'other_project'}),
    Row('PUT', GRANT + '/{role_id}', m.ANY_ADMIN, label='user elsewhere',
        params={'user_id': 'other_user_id'}),
    Row('GET', GRANT, m.ANY_ADMIN_OR_SYSTEM_READER, label='elsewhere',
        params={'project_id': 'other_project', 'user_id': 'other_user_id'}),
    Row('GET', GRANT + '/{role_id}', m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere',
        params={'project_id': 'other_project', 'user_id': 'other_user_id'}),
    Row('PUT', DOMAIN_GRANT + '/{role_id}', m.ANY_ADMIN, label='elsewhere',
        params={'domain_id': 'other', 'user_id': 'other_user_id'}),
    Row('GET', DOMAIN_GRANT, m.ANY_ADMIN_OR_SYSTEM_READER,
        label='elsewhere',
        params={'domain_id': 'other', 'user_id': 'other_user_id'}),
]


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
