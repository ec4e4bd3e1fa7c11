"""Roles in the store: CRUD, global names and the assignment cascade."""

import pytest

from keystone_like import exceptions
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import roles
from keystone_like.store import users

pytestmark = pytest.mark.timeout(30)


def test_create_returns_keystone_shape(db_session):
    role = roles.create_role(db_session, {'name': 'admin'})
    assert len(role['id']) == 32
    assert role == {'id': role['id'], 'name': 'admin', 'description': None,
                    'domain_id': None, 'options': {}}
    assert roles.get_role(db_session, role['id']) == role
    assert roles.get_role_by_name(db_session, 'admin') == role


def test_duplicate_name_conflicts(db_session):
    roles.create_role(db_session, {'name': 'admin'})
    with pytest.raises(exceptions.Conflict) as info:
        roles.create_role(db_session, {'name': 'admin'})
    assert str(info.value) == ('Conflict occurred attempting to store role - '
                               'Duplicate entry found with name admin.')


def test_domain_specific_roles(db_session):
    domains.create_domain(db_session, {'id': 'd1', 'name': 'one'})
    global_role = roles.create_role(db_session, {'name': 'r'})
    # A domain role may reuse a global name, not one of its own domain.
    local = roles.create_role(db_session, {'name': 'r', 'domain_id': 'd1'})
    assert local['domain_id'] == 'd1'
    with pytest.raises(exceptions.Conflict, match='at domain ID d1'):
        roles.create_role(db_session, {'name': 'r', 'domain_id': 'd1'})
    with pytest.raises(exceptions.NotFound, match='domain: nope'):
        roles.create_role(db_session, {'name': 'x', 'domain_id': 'nope'})
    assert roles.list_roles(db_session) == [global_role]
    assert roles.list_roles(db_session, domain_id='d1') == [local]
    assert roles.get_role_by_name(db_session, 'r', 'd1') == local
    with pytest.raises(exceptions.ValidationError):
        roles.update_role(db_session, global_role['id'], {'domain_id': 'd1'})
    roles.delete_domain_roles(db_session, 'd1')
    assert roles.list_roles(db_session, domain_id='d1') == []


def test_an_immutable_role_only_unlocks(db_session):
    role = roles.create_role(db_session, {'name': 'fixed',
                                          'options': {'immutable': True}})
    assert role['options'] == {'immutable': True}
    for change in ({'name': 'x'}, {'options': {'immutable': True}},
                   {'name': 'x', 'options': {'immutable': False}}):
        with pytest.raises(exceptions.Forbidden, match='immutable'):
            roles.update_role(db_session, role['id'], change)
    with pytest.raises(exceptions.Forbidden, match='immutable'):
        roles.delete_role(db_session, role['id'])
    unlocked = roles.update_role(db_session, role['id'],
                                 {'options': {'immutable': False}})
    assert unlocked['options'] == {'immutable': False}
    roles.update_role(db_session, role['id'], {'name': 'renamed'})
    roles.delete_role(db_session, role['id'])
    with pytest.raises(exceptions.ValidationError, match='colour'):
        roles.create_role(db_session, {'name': 'y',
                                       'options': {'colour': 'red'}})


def test_inference_rules(db_session):
    domains.create_domain(db_session, {'id': 'd1', 'name': 'one'})
    made = {name: roles.create_role(db_session, {'name': name})['id']
            for name in ('admin', 'member', 'reader')}
    local = roles.create_role(db_session, {'name': 'l', 'domain_id': 'd1'})
    rule = roles.create_rule(db_session, made['member'], made['reader'])
    assert rule == {'prior_role': {'id': made['member'], 'name': 'member'},
                    'implies': {'id': made['reader'], 'name': 'reader'}}
    assert roles.create_rule(db_session, made['member'],
                             made['reader']) == rule
    assert roles.get_rule(db_session, made['member'], made['reader']) == rule
    with pytest.raises(exceptions.Forbidden, match='cannot be an implied'):
        roles.create_rule(db_session, made['member'], made['admin'])
    with pytest.raises(exceptions.Forbidden, match='Global role cannot'):
        roles.create_rule(db_session, made['member'], local['id'])
    roles.create_rule(db_session, local['id'], made['member'])
    assert roles.implications(db_session) == {
        made['member']: [made['reader']], local['id']: [made['member']]}
    roles.delete_role(db_session, made['member'])
    assert roles.implications(db_session) == {}
    with pytest.raises(exceptions.NotFound):
        roles.delete_rule(db_session, made['admin'], made['reader'])


def test_list_and_filter_by_name(db_session):
    for name in ('reader', 'admin', 'member'):
        roles.create_role(db_session, {'name': name})
    assert [r['name'] for r in roles.list_roles(db_session)] == [
        'admin', 'member', 'reader']
    assert [r['name'] for r in roles.list_roles(db_session,
                                                name='member')] == ['member']


def test_update(db_session):
    role = roles.create_role(db_session, {'name': 'r', 'description': 'd'})
    updated = roles.update_role(db_session, role['id'], {
        'name': 's', 'description': None, 'immutable': False})
    assert updated == dict(role, name='s', description=None, immutable=False)
    roles.create_role(db_session, {'name': 'taken'})
    with pytest.raises(exceptions.Conflict, match='with name taken.'):
        roles.update_role(db_session, role['id'], {'name': 'taken'})
    with pytest.raises(exceptions.ValidationError):
        roles.update_role(db_session, role['id'], {'id': 'other'})


def test_unknown_role_is_not_found(db_session):
    for call, args in ((roles.get_role, ()), (roles.update_role, ({},)),
                       (roles.delete_role, ()),
                       (roles.get_role_by_name, ())):
        with pytest.raises(exceptions.NotFound,
                           match='^Could not find role: nope.$'):
            call(db_session, 'nope', *args)


def test_delete_removes_its_assignments(db_session):
    domains.create_domain(db_session, {'id': 'd1', 'name': 'one'})
    user = users.create_user(db_session, {'name': 'u', 'domain_id': 'd1'})
    doomed = roles.create_role(db_session, {'name': 'doomed'})
    kept = roles.create_role(db_session, {'name': 'kept'})
    for role in (doomed, kept):
        assignments.create_grant(db_session, assignments.Grant(
            'user', user['id'], 'domain', 'd1', role['id']))
    roles.delete_role(db_session, doomed['id'])
    assert [a['role_id'] for a in assignments.list_assignments(
        db_session)] == [kept['id']]
    assert roles.list_roles(db_session) == [kept]
