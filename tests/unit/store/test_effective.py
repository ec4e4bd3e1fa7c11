"""Effective roles: groups, inheritance down domains and project trees,
implied roles, domain-specific roles; and the role_assignments listing."""

import pytest

from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import groups
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)
CHAIN = ('admin', 'manager', 'member', 'reader')


@pytest.fixture
def world(db_session):
    """d1: p1 > p1a > p1a1, p2; d2: p3. alice in g1; bob alone.

    Roles admin > manager > member > reader (implied), plus dr, a role
    of d1 implying member. Ids by name.
    """
    ids = {}
    for name in ('d1', 'd2'):
        ids[name] = domains.create_domain(db_session, {'id': name,
                                                       'name': name})['id']
    for name, parent, domain in (('p1', None, 'd1'), ('p1a', 'p1', 'd1'),
                                 ('p1a1', 'p1a', 'd1'), ('p2', None, 'd1'),
                                 ('p3', None, 'd2')):
        ids[name] = projects.create_project(db_session, {
            'name': name, 'domain_id': domain,
            'parent_id': ids.get(parent)})['id']
    for name in ('alice', 'bob'):
        ids[name] = users.create_user(db_session, {
            'name': name, 'domain_id': 'd1'})['id']
    ids['g1'] = groups.create_group(db_session, {'name': 'g1',
                                                 'domain_id': 'd1'})['id']
    groups.add_member(db_session, ids['g1'], ids['alice'])
    for name in CHAIN:
        ids[name] = roles.create_role(db_session, {'name': name})['id']
    for prior, implied in zip(CHAIN, CHAIN[1:]):
        roles.create_rule(db_session, ids[prior], ids[implied])
    ids['dr'] = roles.create_role(db_session, {'name': 'dr',
                                               'domain_id': 'd1'})['id']
    roles.create_rule(db_session, ids['dr'], ids['member'])
    return ids


def give(session, world, actor, target, role, inherited=False):
    """Grant by short names."""
    kind = ('system' if target == 'system' else
            'domain' if target.startswith('d') else 'project')
    assignments.create_grant(session, assignments.Grant(
        'group' if actor.startswith('g') else 'user', world[actor], kind,
        world.get(target, ''), world[role], inherited))


def names(world, role_ids):
    by_id = {v: k for k, v in world.items()}
    return sorted(by_id[r] for r in role_ids)


def on_project(session, world, user, project):
    return names(world, effective.role_ids_on_project(
        session, world[user], world[project],
        projects.get_project(session, world[project])['domain_id']))


def test_a_direct_grant_brings_its_implied_roles(db_session, world):
    give(db_session, world, 'alice', 'p2', 'manager')
    assert on_project(db_session, world, 'alice', 'p2') == [
        'manager', 'member', 'reader']
    assert on_project(db_session, world, 'bob', 'p2') == []


def test_a_group_grant_reaches_members_only(db_session, world):
    give(db_session, world, 'g1', 'p2', 'reader')
    assert on_project(db_session, world, 'alice', 'p2') == ['reader']
    assert on_project(db_session, world, 'bob', 'p2') == []
    groups.remove_member(db_session, world['g1'], world['alice'])
    assert on_project(db_session, world, 'alice', 'p2') == []


def test_an_inherited_domain_grant_reaches_its_projects_only(db_session,
                                                             world):
    give(db_session, world, 'g1', 'd1', 'member', inherited=True)
    for project in ('p1', 'p1a1', 'p2'):
        assert on_project(db_session, world, 'alice', project) == [
            'member', 'reader']
    assert on_project(db_session, world, 'alice', 'p3') == []
    assert effective.role_ids_on_domain(db_session, world['alice'],
                                        'd1') == set()


def test_an_inherited_project_grant_reaches_the_subtree(db_session, world):
    give(db_session, world, 'bob', 'p1', 'reader', inherited=True)
    assert on_project(db_session, world, 'bob', 'p1') == []
    assert on_project(db_session, world, 'bob', 'p1a') == ['reader']
    assert on_project(db_session, world, 'bob', 'p1a1') == ['reader']
    assert on_project(db_session, world, 'bob', 'p2') == []


def test_a_domain_role_implies_but_never_shows(db_session, world):
    give(db_session, world, 'bob', 'p1', 'dr')
    assert on_project(db_session, world, 'bob', 'p1') == ['member', 'reader']


def test_system_roles_direct_and_through_groups(db_session, world):
    give(db_session, world, 'g1', 'system', 'reader')
    give(db_session, world, 'bob', 'system', 'admin')
    assert names(world, effective.role_ids_on_system(
        db_session, world['alice'])) == ['reader']
    assert names(world, effective.role_ids_on_system(
        db_session, world['bob'])) == ['admin', 'manager', 'member',
                                       'reader']
    # System grants never reach projects or domains.
    assert on_project(db_session, world, 'bob', 'p1') == []


def short(world, entries):
    """Entries as sorted tuples of short names, ``indirect`` flattened."""
    by_id = {v: k for k, v in world.items()}
    result = []
    for entry in entries:
        parts = []
        for key in ('user_id', 'group_id', 'project_id', 'domain_id',
                    'role_id'):
            if key in entry:
                parts.append(by_id[entry[key]])
        if entry.get('system'):
            parts.insert(1, 'system')
        for key, value in sorted(entry.get('indirect', {}).items()):
            parts.append('%s<%s' % (key.split('_')[0], by_id[value]))
        if entry.get('inherited_to_projects'):
            parts.append('inherited')
        result.append(tuple(parts))
    return sorted(result)


def test_effective_listing_expands_everything(db_session, world):
    give(db_session, world, 'g1', 'p1', 'member', inherited=True)
    give(db_session, world, 'bob', 'd2', 'reader')
    listed = effective.list_role_assignments(db_session, effective=True)
    assert short(world, listed) == sorted([
        ('alice', 'p1a', 'member', 'group<g1', 'project<p1'),
        ('alice', 'p1a', 'reader', 'group<g1', 'project<p1', 'role<member'),
        ('alice', 'p1a1', 'member', 'group<g1', 'project<p1'),
        ('alice', 'p1a1', 'reader', 'group<g1', 'project<p1', 'role<member'),
        ('bob', 'd2', 'reader'),
    ])
    # The same grants, unexpanded.
    assert short(world, effective.list_role_assignments(db_session)) == [
        ('bob', 'd2', 'reader'), ('g1', 'p1', 'member', 'inherited')]


def test_effective_listing_filters(db_session, world):
    give(db_session, world, 'alice', 'd1', 'reader', inherited=True)
    give(db_session, world, 'alice', 'p1a', 'member')
    give(db_session, world, 'bob', 'p1a', 'reader')

    def listed(**filters):
        filters = {k: world.get(v, v) for k, v in filters.items()}
        return short(world, effective.list_role_assignments(
            db_session, effective=True, **filters))

    assert listed(user_id='bob') == [('bob', 'p1a', 'reader')]
    assert listed(project_id='p1a', user_id='alice') == [
        ('alice', 'p1a', 'member'), ('alice', 'p1a', 'reader', 'domain<d1'),
        ('alice', 'p1a', 'reader', 'role<member')]
    assert listed(project_id='p1a', role_id='member') == [
        ('alice', 'p1a', 'member')]
    assert listed(project_id='p1', include_subtree=True, user_id='bob') == [
        ('bob', 'p1a', 'reader')]
    assert listed(domain_id='d1') == []
    assert listed(domain_id='d1', inherited=True) == []


def test_direct_listing_of_the_system_and_inheritance(db_session, world):
    give(db_session, world, 'alice', 'system', 'admin')
    give(db_session, world, 'alice', 'd1', 'reader', inherited=True)
    give(db_session, world, 'bob', 'p1', 'reader')

    def listed(**filters):
        return short(world, effective.list_role_assignments(db_session,
                                                            **filters))

    assert listed(system=True) == [('alice', 'system', 'admin')]
    assert listed(inherited=True) == [('alice', 'd1', 'reader', 'inherited')]
    assert listed(inherited=False) == [('alice', 'system', 'admin'),
                                       ('bob', 'p1', 'reader')]
    assert len(listed()) == 3


def test_projects_and_domains_for_user(db_session, world):
    give(db_session, world, 'g1', 'p1', 'reader', inherited=True)
    give(db_session, world, 'alice', 'd2', 'member')
    assert [p['name'] for p in effective.projects_for_user(
        db_session, world['alice'])] == ['p1a', 'p1a1']
    assert [d['name'] for d in effective.domains_for_user(
        db_session, world['alice'])] == ['d2']
    projects.update_project(db_session, world['p1a1'], {'enabled': False})
    assert [p['name'] for p in effective.projects_for_user(
        db_session, world['alice'], enabled=True)] == ['p1a']
