"""Projects in the store: hierarchy, CRUD, filters and errors."""

import pytest

from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def domain(db_session):
    """A domain with id ``d1``."""
    return domains.create_domain(db_session, {'id': 'd1', 'name': 'one'})


def test_create_returns_keystone_shape(db_session, domain):
    project = projects.create_project(db_session, {
        'name': 'p', 'domain_id': 'd1', 'description': 'desc'})
    assert len(project['id']) == 32
    assert project == {
        'id': project['id'], 'name': 'p', 'domain_id': 'd1',
        'parent_id': 'd1', 'description': 'desc', 'enabled': True,
        'is_domain': False, 'tags': [], 'options': {}}
    assert projects.get_project(db_session, project['id']) == project
    assert projects.get_project_by_name(db_session, 'p', 'd1') == project


def test_child_project_takes_its_parents_domain(db_session, domain):
    parent = projects.create_project(db_session, {'name': 'parent',
                                                  'domain_id': 'd1'})
    child = projects.create_project(db_session, {
        'name': 'child', 'parent_id': parent['id'], 'tags': ['t']})
    assert child['domain_id'] == 'd1'
    assert child['parent_id'] == parent['id']
    assert child['tags'] == ['t']
    top = projects.create_project(db_session, {
        'name': 'top', 'domain_id': 'd1', 'parent_id': 'd1'})
    assert top['parent_id'] == 'd1'


def test_parent_errors(db_session, domain):
    other = domains.create_domain(db_session, {'id': 'd2', 'name': 'two'})
    parent = projects.create_project(db_session, {'name': 'parent',
                                                  'domain_id': 'd1'})
    with pytest.raises(exceptions.ValidationError, match='different domain'):
        projects.create_project(db_session, {
            'name': 'x', 'domain_id': other['id'], 'parent_id': parent['id']})
    with pytest.raises(exceptions.ValidationError, match='parent domain'):
        projects.create_project(db_session, {
            'name': 'x', 'domain_id': 'd1', 'parent_id': 'd2'})
    with pytest.raises(exceptions.NotFound,
                       match='^Could not find project: nope.$'):
        projects.create_project(db_session, {'name': 'x',
                                             'parent_id': 'nope'})


def test_domain_must_exist_and_be_given(db_session):
    with pytest.raises(exceptions.NotFound,
                       match='^Could not find domain: nope.$'):
        projects.create_project(db_session, {'name': 'x',
                                             'domain_id': 'nope'})
    with pytest.raises(exceptions.ValidationError, match="'domain_id'"):
        projects.create_project(db_session, {'name': 'x'})
    # A project acting as a domain is made by the domains module.
    with pytest.raises(ValueError, match='create a domain'):
        projects.create_project(db_session, {'name': 'x', 'is_domain': True})


def test_names_are_unique_per_domain(db_session, domain):
    domains.create_domain(db_session, {'id': 'd2', 'name': 'two'})
    projects.create_project(db_session, {'name': 'p', 'domain_id': 'd1'})
    projects.create_project(db_session, {'name': 'p', 'domain_id': 'd2'})
    with pytest.raises(exceptions.Conflict) as info:
        projects.create_project(db_session, {'name': 'p', 'domain_id': 'd1'})
    assert str(info.value) == (
        'Conflict occurred attempting to store project - Duplicate entry '
        'found with name p at domain ID d1.')


def test_list_filters(db_session, domain):
    domains.create_domain(db_session, {'id': 'd2', 'name': 'two'})
    parent = projects.create_project(db_session, {'name': 'a',
                                                  'domain_id': 'd1'})
    projects.create_project(db_session, {'name': 'b', 'domain_id': 'd1',
                                         'enabled': False})
    projects.create_project(db_session, {'name': 'a', 'domain_id': 'd2'})
    projects.create_project(db_session, {'name': 'c',
                                         'parent_id': parent['id']})

    def names(**filters):
        return [(p['name'], p['domain_id'])
                for p in projects.list_projects(db_session, **filters)]

    assert len(names()) == 4
    assert names(name='a', domain_id='d2') == [('a', 'd2')]
    assert names(domain_id='d1', enabled=False) == [('b', 'd1')]
    assert names(parent_id=parent['id']) == [('c', 'd1')]
    assert names(parent_id='d1') == [('a', 'd1'), ('b', 'd1')]
    assert names(name='zzz') == []


def test_update_is_partial_and_keeps_immutables(db_session, domain):
    project = projects.create_project(db_session, {'name': 'p',
                                                   'domain_id': 'd1'})
    updated, also_disabled = projects.update_project(
        db_session, project['id'], dict(project, name='q', enabled=False,
                                        extra_field='v'))
    assert updated == dict(project, name='q', enabled=False,
                           extra_field='v')
    assert also_disabled == []
    for change in ({'domain_id': 'd2'}, {'is_domain': True}, {'id': 'other'},
                   {'name': None}):
        with pytest.raises(exceptions.ValidationError):
            projects.update_project(db_session, project['id'], change)
    # A new parent is 403 in Keystone (ForbiddenNotSecurity).
    with pytest.raises(exceptions.Forbidden, match='parent_id'):
        projects.update_project(db_session, project['id'],
                                {'parent_id': 'other'})
    projects.create_project(db_session, {'name': 'taken', 'domain_id': 'd1'})
    with pytest.raises(exceptions.Conflict, match='with name taken at'):
        projects.update_project(db_session, project['id'], {'name': 'taken'})


def test_unknown_project_is_not_found(db_session):
    for call, args in ((projects.get_project, ()),
                       (projects.update_project, ({},)),
                       (projects.delete_project, ())):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find project: nope.$'):
            call(db_session, 'nope', *args)
    with pytest.raises(exceptions.NotFound, match='project: p.$'):
        projects.get_project_by_name(db_session, 'p', 'd1')


def test_delete_removes_assignments_and_needs_a_leaf(db_session, domain):
    parent = projects.create_project(db_session, {'name': 'parent',
                                                  'domain_id': 'd1'})
    child = projects.create_project(db_session, {'name': 'child',
                                                 'parent_id': parent['id']})
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    role = roles.create_role(db_session, {'name': 'r'})
    for target in (parent, child):
        assignments.create_grant(db_session, assignments.Grant(
            'user', user['id'], 'project', target['id'], role['id']))
    with pytest.raises(exceptions.Forbidden, match='not a leaf'):
        projects.delete_project(db_session, parent['id'])
    projects.delete_project(db_session, child['id'])
    assert [a['project_id'] for a in assignments.list_assignments(
        db_session)] == [parent['id']]
    projects.delete_project(db_session, parent['id'])
    assert projects.list_projects(db_session) == []
    assert assignments.list_assignments(db_session) == []
