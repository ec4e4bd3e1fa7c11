"""Role assignments in the store: grants, checks, listings and lookups."""

import pytest

from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)

UP = assignments.USER_PROJECT
UD = assignments.USER_DOMAIN


@pytest.fixture
def world(db_session):
    """Two domains, projects, users and roles; ids by short name."""
    ids = {}
    for name in ('d1', 'd2'):
        ids[name] = domains.create_domain(db_session, {'id': name,
                                                       'name': name})['id']
    for name, domain in (('p1', 'd1'), ('p2', 'd1'), ('p3', 'd2')):
        ids[name] = projects.create_project(db_session, {
            'name': name, 'domain_id': domain})['id']
    for name in ('alice', 'bob'):
        ids[name] = users.create_user(db_session, {
            'name': name, 'domain_id': 'd1'})['id']
    for name in ('admin', 'member', 'reader'):
        ids[name] = roles.create_role(db_session, {'name': name})['id']
    return ids


def entry(role, user, scope, target):
    """A role_assignments entry."""
    return {'role': {'id': role}, 'user': {'id': user},
            'scope': {scope: {'id': target}}}


def test_grant_is_idempotent_and_checkable(db_session, world):
    args = (UP, world['alice'], world['p1'], world['member'])
    expected = entry(world['member'], world['alice'], 'project', world['p1'])
    assert assignments.grant(db_session, *args) == expected
    assert assignments.grant(db_session, *args) == expected
    assert assignments.check_grant(db_session, *args) == expected
    assert assignments.list_assignments(db_session) == [expected]


def test_grant_on_a_domain(db_session, world):
    args = (UD, world['bob'], 'd2', world['admin'])
    assignments.grant(db_session, *args)
    assert assignments.check_grant(db_session, *args) == entry(
        world['admin'], world['bob'], 'domain', 'd2')


@pytest.mark.parametrize('kind,user,target,role,missing', [
    (UP, 'nope', 'p1', 'member', 'user'),
    (UP, 'alice', 'nope', 'member', 'project'),
    (UD, 'alice', 'nope', 'member', 'domain'),
    (UP, 'alice', 'p1', 'nope', 'role'),
])
def test_grant_of_unknown_things_is_not_found(db_session, world, kind, user,
                                              target, role, missing):
    with pytest.raises(exceptions.NotFound) as info:
        assignments.grant(db_session, kind, world.get(user, user),
                          world.get(target, target), world.get(role, role))
    assert str(info.value) == 'Could not find %s: nope.' % missing


def test_unknown_type_is_invalid(db_session, world):
    for call in (assignments.grant, assignments.check_grant,
                 assignments.revoke_grant):
        with pytest.raises(exceptions.ValidationError):
            call(db_session, 'GroupProject', world['alice'], world['p1'],
                 world['member'])


def test_revoke_and_missing_grants(db_session, world):
    args = (UP, world['alice'], world['p1'], world['member'])
    assignments.grant(db_session, *args)
    assignments.revoke_grant(db_session, *args)
    message = ('Could not find role assignment with role: %s, user or '
               'group: %s, project, domain, or system: %s.'
               % (world['member'], world['alice'], world['p1']))
    for call in (assignments.revoke_grant, assignments.check_grant):
        with pytest.raises(exceptions.NotFound) as info:
            call(db_session, *args)
        assert str(info.value) == message


def test_list_filters(db_session, world):
    grants = [(UP, 'alice', 'p1', 'member'), (UP, 'alice', 'p1', 'reader'),
              (UP, 'bob', 'p2', 'member'), (UD, 'alice', 'd1', 'admin'),
              (UD, 'bob', 'd2', 'member')]
    for kind, user, target, role in grants:
        assignments.grant(db_session, kind, world[user], world[target],
                          world[role])

    def listed(**filters):
        result = assignments.list_assignments(
            db_session, **{k: world[v] for k, v in filters.items()})
        by_id = {v: k for k, v in world.items()}
        return sorted(
            (by_id[e['user']['id']], by_id[list(e['scope'].values())[0]['id']],
             by_id[e['role']['id']]) for e in result)

    assert len(listed()) == 5
    assert listed(user_id='alice') == [('alice', 'd1', 'admin'),
                                       ('alice', 'p1', 'member'),
                                       ('alice', 'p1', 'reader')]
    assert listed(project_id='p1', role_id='reader') == [
        ('alice', 'p1', 'reader')]
    assert listed(domain_id='d2') == [('bob', 'd2', 'member')]
    assert listed(role_id='member', user_id='bob') == [
        ('bob', 'd2', 'member'), ('bob', 'p2', 'member')]
    with pytest.raises(exceptions.ValidationError):
        assignments.list_assignments(db_session, project_id=world['p1'],
                                     domain_id='d1')


def test_roles_for_user(db_session, world):
    for role in ('reader', 'member'):
        assignments.grant(db_session, UP, world['alice'], world['p1'],
                          world[role])
    assignments.grant(db_session, UD, world['alice'], 'd1', world['admin'])
    on_project = assignments.roles_for_user_on_project(
        db_session, world['alice'], world['p1'])
    assert on_project == [roles.get_role(db_session, world['member']),
                          roles.get_role(db_session, world['reader'])]
    assert [r['name'] for r in assignments.roles_for_user_on_domain(
        db_session, world['alice'], 'd1')] == ['admin']
    assert assignments.roles_for_user_on_project(
        db_session, world['bob'], world['p1']) == []


def test_projects_and_domains_for_user(db_session, world):
    for target in ('p1', 'p2', 'p3'):
        assignments.grant(db_session, UP, world['alice'], world[target],
                          world['member'])
    assignments.grant(db_session, UP, world['alice'], world['p1'],
                      world['reader'])
    assignments.grant(db_session, UD, world['alice'], 'd2', world['admin'])
    projects.update_project(db_session, world['p2'], {'enabled': False})

    def names(found):
        return [p['name'] for p in found]

    assert names(assignments.projects_for_user(
        db_session, world['alice'])) == ['p1', 'p2', 'p3']
    assert names(assignments.projects_for_user(
        db_session, world['alice'], enabled=True)) == ['p1', 'p3']
    domains.update_domain(db_session, 'd2', {'enabled': False})
    assert names(assignments.projects_for_user(
        db_session, world['alice'], enabled=True)) == ['p1']
    assert names(assignments.domains_for_user(
        db_session, world['alice'])) == ['d2']
    assert assignments.domains_for_user(
        db_session, world['alice'], enabled=True) == []
    assert assignments.projects_for_user(db_session, world['bob']) == []
