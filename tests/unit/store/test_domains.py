"""Domains in the store: CRUD, filters, errors and the delete cascade."""

import pytest

from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)


def test_create_returns_keystone_shape(db_session):
    domain = domains.create_domain(db_session, {
        'name': 'acme', 'description': 'ACME', 'links': {'self': 'x'}})
    assert len(domain['id']) == 32
    assert domain == {'id': domain['id'], 'name': 'acme',
                      'description': 'ACME', 'enabled': True, 'tags': [],
                      'options': {}}
    assert domains.get_domain(db_session, domain['id']) == domain
    assert domains.get_domain_by_name(db_session, 'acme') == domain


def test_create_with_explicit_id_and_extra(db_session):
    domain = domains.create_domain(db_session, {
        'id': 'default', 'name': 'Default', 'enabled': False, 'x': 1})
    assert domain['id'] == 'default'
    assert domain['enabled'] is False
    assert domain['x'] == 1
    assert domain['description'] is None


def test_duplicate_name_and_id_conflict(db_session):
    domains.create_domain(db_session, {'id': 'd1', 'name': 'acme'})
    with pytest.raises(exceptions.Conflict) as info:
        domains.create_domain(db_session, {'name': 'acme'})
    assert str(info.value) == ('Conflict occurred attempting to store domain '
                               '- Duplicate entry found with name acme.')
    with pytest.raises(exceptions.Conflict, match='Duplicate ID, d1.'):
        domains.create_domain(db_session, {'id': 'd1', 'name': 'other'})


def test_duplicate_found_only_by_the_database_is_a_conflict(database,
                                                            monkeypatch):
    # Two requests racing past the pre-check: the unique index decides.
    with database.session() as session:
        domains.create_domain(session, {'name': 'acme'})
    monkeypatch.setattr(domains, '_check_name_free', lambda *args: None)
    with pytest.raises(exceptions.Conflict, match='with name acme'):
        with database.session() as session:
            domains.create_domain(session, {'name': 'acme'})


@pytest.mark.parametrize('ref', [{}, {'name': None}])
def test_name_is_required(db_session, ref):
    with pytest.raises(exceptions.ValidationError, match="'name'"):
        domains.create_domain(db_session, ref)


def test_unknown_ids_are_not_found(db_session):
    message = 'Could not find domain: nope.'
    for call in (domains.get_domain, domains.get_domain_by_name,
                 domains.delete_domain):
        with pytest.raises(exceptions.NotFound) as info:
            call(db_session, 'nope')
        assert str(info.value) == message
    with pytest.raises(exceptions.NotFound, match=message):
        domains.update_domain(db_session, 'nope', {'name': 'x'})


def test_list_filters(db_session):
    for name, enabled in (('b', True), ('a', False), ('c', True)):
        domains.create_domain(db_session, {'name': name, 'enabled': enabled})

    def names(**filters):
        return [d['name'] for d in domains.list_domains(db_session,
                                                        **filters)]

    assert names() == ['a', 'b', 'c']
    assert names(enabled=True) == ['b', 'c']
    assert names(enabled=False) == ['a']
    assert names(name='b') == ['b']
    assert names(name='b', enabled=False) == []


def test_update_is_partial(db_session):
    domain = domains.create_domain(db_session, {
        'name': 'acme', 'description': 'old', 'x': 1})
    updated = domains.update_domain(db_session, domain['id'], {
        'description': 'new', 'enabled': False, 'y': 2, 'id': domain['id']})
    assert updated == dict(domain, description='new', enabled=False, y=2)
    assert domains.get_domain(db_session, domain['id']) == updated


def test_update_rejects_id_change_and_duplicate_name(db_session):
    domains.create_domain(db_session, {'name': 'taken'})
    domain = domains.create_domain(db_session, {'name': 'acme'})
    with pytest.raises(exceptions.ValidationError):
        domains.update_domain(db_session, domain['id'], {'id': 'other'})
    with pytest.raises(exceptions.Conflict, match='with name taken'):
        domains.update_domain(db_session, domain['id'], {'name': 'taken'})
    with pytest.raises(exceptions.ValidationError):
        domains.update_domain(db_session, domain['id'], {'enabled': None})


def test_delete_enabled_domain_is_forbidden(db_session):
    domain = domains.create_domain(db_session, {'name': 'acme'})
    with pytest.raises(exceptions.Forbidden) as info:
        domains.delete_domain(db_session, domain['id'])
    assert info.value.code == 403
    assert str(info.value) == ('Cannot delete a domain that is enabled, '
                               'please disable it first.')


def test_delete_cascades_projects_users_and_assignments(db_session):
    doomed = domains.create_domain(db_session, {'name': 'doomed'})
    kept = domains.create_domain(db_session, {'name': 'kept'})
    role = roles.create_role(db_session, {'name': 'member'})
    parent = projects.create_project(db_session, {
        'name': 'parent', 'domain_id': doomed['id']})
    child = projects.create_project(db_session, {
        'name': 'child', 'parent_id': parent['id']})
    inside = users.create_user(db_session, {
        'name': 'in', 'domain_id': doomed['id']})
    outside = users.create_user(db_session, {
        'name': 'out', 'domain_id': kept['id']})
    kept_project = projects.create_project(db_session, {
        'name': 'kept', 'domain_id': kept['id']})
    grants = [
        ('project', inside['id'], kept_project['id']),
        ('project', outside['id'], child['id']),
        ('domain', outside['id'], doomed['id']),
        ('domain', outside['id'], kept['id']),
    ]
    for kind, user_id, target_id in grants:
        assignments.create_grant(db_session, assignments.Grant(
            'user', user_id, kind, target_id, role['id']))
    domains.update_domain(db_session, doomed['id'], {'enabled': False})

    gone = domains.delete_domain(db_session, doomed['id'])

    assert gone['users'] == [inside['id']]
    assert sorted(gone['projects']) == sorted([parent['id'], child['id']])
    assert [d['name'] for d in domains.list_domains(db_session)] == ['kept']
    assert [u['name'] for u in users.list_users(db_session)] == ['out']
    assert [p['name'] for p in projects.list_projects(db_session)] == [
        'kept']
    assert assignments.list_assignments(db_session) == [{
        'role_id': role['id'], 'user_id': outside['id'],
        'domain_id': kept['id'], 'inherited_to_projects': False}]
