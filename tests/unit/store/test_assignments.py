"""Role grants in the store: create, check, delete, list, by actor and
target kind (users and groups; projects, domains and the system)."""

import pytest

from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import groups
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)
Grant = assignments.Grant


@pytest.fixture
def world(db_session):
    """Two domains, projects, users, a group and roles; ids by name."""
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
    ids['g1'] = groups.create_group(db_session, {'name': 'g1',
                                                 'domain_id': 'd1'})['id']
    for name in ('admin', 'member', 'reader'):
        ids[name] = roles.create_role(db_session, {'name': name})['id']
    ids['d2role'] = roles.create_role(db_session, {
        'name': 'member', 'domain_id': 'd2'})['id']
    return ids


def grant(world, actor, target, role, inherited=False):
    """A Grant from short names (actor and target kinds from the names)."""
    actor_kind = 'group' if actor.startswith('g') else 'user'
    target_kind = ('system' if target == 'system' else
                   'domain' if target.startswith('d') else 'project')
    return Grant(actor_kind, world[actor], target_kind,
                 world.get(target, ''), world[role], inherited)


def test_create_is_idempotent_and_checkable(db_session, world):
    one = grant(world, 'alice', 'p1', 'member')
    assignments.create_grant(db_session, one)
    assignments.create_grant(db_session, one)
    assert assignments.check_grant(db_session, one)['name'] == 'member'
    assert assignments.list_assignments(db_session) == [{
        'role_id': world['member'], 'user_id': world['alice'],
        'project_id': world['p1'], 'inherited_to_projects': False}]


@pytest.mark.parametrize('actor,target,inherited,shape', [
    ('g1', 'd1', True, {'group_id': 'g1', 'domain_id': 'd1'}),
    ('alice', 'system', False, {'user_id': 'alice', 'system': 'all'}),
    ('g1', 'system', False, {'group_id': 'g1', 'system': 'all'}),
    ('bob', 'p2', True, {'user_id': 'bob', 'project_id': 'p2'}),
])
def test_every_actor_and_target_kind(db_session, world, actor, target,
                                     inherited, shape):
    one = grant(world, actor, target, 'reader', inherited)
    assignments.create_grant(db_session, one)
    assignments.check_grant(db_session, one)
    expected = {key: world.get(value, value) for key, value in shape.items()}
    expected.update(role_id=world['reader'], inherited_to_projects=inherited)
    assert assignments.list_assignments(db_session) == [expected]
    # The inherited and the direct grant are two different grants.
    if target != 'system':
        with pytest.raises(exceptions.NotFound):
            assignments.check_grant(db_session, grant(
                world, actor, target, 'reader', not inherited))


def test_a_system_grant_cannot_be_inherited(world):
    with pytest.raises(exceptions.ValidationError):
        grant(world, 'alice', 'system', 'admin', inherited=True)


@pytest.mark.parametrize('actor,target,role,missing', [
    ('nope', 'p1', 'member', 'user'),
    ('alice', 'nope', 'member', 'project'),
    ('alice', 'dnope', 'member', 'domain'),
    ('alice', 'p1', 'nope', 'role'),
    ('gnope', 'p1', 'member', 'group'),
])
def test_grant_of_unknown_things_is_not_found(db_session, world, actor,
                                              target, role, missing):
    world = dict(world, nope='nope', dnope='nope', gnope='nope')
    with pytest.raises(exceptions.NotFound) as info:
        assignments.create_grant(db_session,
                                 grant(world, actor, target, role))
    assert str(info.value) == 'Could not find %s: nope.' % missing


def test_a_domain_role_only_on_projects_of_its_domain(db_session, world):
    with pytest.raises(exceptions.Forbidden):
        assignments.create_grant(db_session,
                                 grant(world, 'alice', 'p1', 'd2role'))
    assignments.create_grant(db_session, grant(world, 'alice', 'p3',
                                               'd2role'))


def test_delete_and_missing_grants(db_session, world):
    one = grant(world, 'alice', 'p1', 'member')
    assignments.create_grant(db_session, one)
    assignments.delete_grant(db_session, one)
    message = ('Could not find role assignment with role: %s, user or '
               'group: %s, project, domain, or system: %s.'
               % (world['member'], world['alice'], world['p1']))
    for call in (assignments.delete_grant, assignments.check_grant):
        with pytest.raises(exceptions.NotFound) as info:
            call(db_session, one)
        assert str(info.value) == message


def test_list_granted_roles_of_one_actor_on_one_target(db_session, world):
    for role in ('reader', 'member'):
        assignments.create_grant(db_session, grant(world, 'g1', 'd1', role))
    assignments.create_grant(db_session, grant(world, 'g1', 'd1', 'admin',
                                               inherited=True))
    names = [r['name'] for r in assignments.list_granted_roles(
        db_session, 'group', world['g1'], 'domain', 'd1')]
    assert names == ['member', 'reader']
    assert [r['name'] for r in assignments.list_granted_roles(
        db_session, 'group', world['g1'], 'domain', 'd1',
        inherited=True)] == ['admin']
    with pytest.raises(exceptions.NotFound):
        assignments.list_granted_roles(db_session, 'user', 'nope',
                                       'domain', 'd1')


def test_list_filters(db_session, world):
    for actor, target, role in (('alice', 'p1', 'member'),
                                ('alice', 'p1', 'reader'),
                                ('bob', 'p2', 'member'),
                                ('alice', 'd1', 'admin'),
                                ('g1', 'd2', 'member'),
                                ('bob', 'system', 'admin')):
        assignments.create_grant(db_session, grant(world, actor, target,
                                                   role))

    def count(**filters):
        return len(assignments.list_assignments(db_session, **filters))

    assert count() == 6
    assert count(actor_kind='user', actor_ids=[world['alice']]) == 3
    assert count(actor_kind='group') == 1
    assert count(target_kind='project', target_ids=[world['p1']],
                 role_id=world['reader']) == 1
    assert count(target_kind='system') == 1
    assert count(inherited=True) == 0
    assert assignments.has_assignments(db_session, world['g1'])
