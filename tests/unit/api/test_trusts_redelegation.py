"""Redelegation: a trust-scoped token creates a trust with no more rights,
one step less deep, chained to its own."""

import datetime

import pytest

from keystone_like import conf
from keystone_like.store import users
from keystone_like.token import formats
from tests.support import api_auth_support as auth
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(120)


def _later(**delta):
    at = datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0) + datetime.timedelta(**delta)
    return formats.format_time(at)


@pytest.fixture
def chain(trust_world):
    """tor -> tee (impersonating, redelegatable twice) and tee's token."""
    world = trust_world
    root = world.created(impersonation=True, allow_redelegation=True,
                         redelegation_count=2)
    token_id, _body = world.trust_token(root['id'])
    return world, root, token_id


def test_a_trustee_redelegates_down_to_depth_zero(chain):
    world, root, tee_token = chain
    child = world.created(token=tee_token, trustee_user_id=world.other['id'],
                          impersonation=True, allow_redelegation=True)
    assert child['redelegated_trust_id'] == root['id']
    assert child['redelegation_count'] == 1
    assert child['trustor_user_id'] == world.tor['id']
    other_token, body = world.trust_token(child['id'], world.other)
    assert body['user']['id'] == world.tor['id']
    assert sorted(r['name'] for r in body['roles']) == ['member', 'reader']
    grandchild = world.created(token=other_token, impersonation=True,
                               allow_redelegation=True)
    assert grandchild['redelegation_count'] == 0
    last_token, _body = world.trust_token(grandchild['id'])
    response = world.create(token=last_token,
                            trustee_user_id=world.other['id'])
    assert support.assert_error(response, 403) == (
        'You are not authorized to perform the requested action.')
    # Deleting the root takes the whole chain and its tokens with it.
    response = world.api.request('DELETE', '/v3/OS-TRUST/trusts/'
                                 + root['id'], token=world.tor_token)
    assert response.status_int == 204
    for trust in (child, grandchild):
        shown = world.get('/OS-TRUST/trusts/' + trust['id'])
        assert shown.status_int == 404
    assert not world.validates(other_token)
    assert not world.validates(last_token)


@pytest.mark.parametrize('fields', [
    {'roles': [{'name': 'admin'}]},
    {'remaining_uses': 1},
    {'allow_redelegation': True, 'redelegation_count': 2},
], ids=['more roles', 'limited uses', 'another depth'])
def test_a_redelegation_never_widens(chain, fields):
    world, _root, tee_token = chain
    fields = dict({'trustee_user_id': world.other['id'],
                   'impersonation': True}, **fields)
    response = world.create(token=tee_token, **fields)
    if fields.get('roles'):
        # The trustor does not hold admin: Keystone's 404 comes first.
        assert support.assert_error(response, 404).startswith(
            'Could not find role')
    else:
        support.assert_error(response, 403)


def test_roles_expiry_and_impersonation_stay_within_the_parent(trust_world):
    world = trust_world
    expiry = _later(hours=1)
    parent = world.created(roles=[{'name': 'reader'}], expires_at=expiry,
                           impersonation=True, allow_redelegation=True)
    token_id, _body = world.trust_token(parent['id'])
    refusals = [{'roles': [{'name': 'member'}]},
                {'expires_at': _later(hours=2)}]
    for fields in refusals:
        response = world.create(token=token_id, impersonation=True,
                                trustee_user_id=world.other['id'], **fields)
        support.assert_error(response, 403)
    child = world.created(token=token_id, roles=[{'name': 'reader'}],
                          trustee_user_id=world.other['id'])
    # Without an expiry the child inherits its parent's.
    assert child['expires_at'] == expiry
    plain = world.created(allow_redelegation=True, impersonation=False,
                          expires_at=_later(hours=3))
    plain_token, _body = world.trust_token(plain['id'])
    # Without impersonation the caller is the trustee: it may only
    # delegate roles it holds itself (none here), as in Keystone.
    response = world.create(token=plain_token,
                            trustor_user_id=world.tee['id'],
                            trustee_user_id=world.other['id'])
    assert support.assert_error(response, 404).startswith(
        'Could not find role')


def test_a_redelegation_stays_on_the_project(chain):
    world, _root, tee_token = chain
    elsewhere = auth.make_project(world.api, 'elsewhere')
    auth.grant(world.api, world.tor['id'], 'member',
               project_id=elsewhere['id'])
    # The trustor holds the roles there too: Keystone would accept it.
    response = world.create(token=tee_token, impersonation=True,
                            trustee_user_id=world.other['id'],
                            project_id=elsewhere['id'])
    support.assert_error(response, 403)


def test_a_non_redelegatable_trust_cannot_be_redelegated(trust_world):
    world = trust_world
    trust = world.created(impersonation=True)
    token_id, _body = world.trust_token(trust['id'])
    response = world.create(token=token_id, impersonation=True,
                            trustee_user_id=world.other['id'])
    support.assert_error(response, 403)


def test_a_disabled_trustee_up_the_chain_stops_it(chain):
    world, _root, tee_token = chain
    child = world.created(token=tee_token, trustee_user_id=world.other['id'],
                          impersonation=True)
    other_token, _body = world.trust_token(child['id'], world.other)
    with world.api.database.session() as session:
        users.update_user(session, world.tee['id'], {'enabled': False})
    assert not world.validates(other_token)
    support.assert_error(world.trust_login(child['id'], world.other), 403)
    assert world.get('/OS-TRUST/trusts/' + child['id']).status_int == 403


@pytest.fixture
def max_count_one():
    conf.CONF.set_override('max_redelegation_count', 1, 'trust')
    yield
    conf.CONF.clear_override('max_redelegation_count', 'trust')


def test_the_configured_maximum_depth(trust_world, max_count_one):
    world = trust_world
    support.assert_error(world.create(allow_redelegation=True,
                                      redelegation_count=2), 403)
    trust = world.created(allow_redelegation=True)
    assert trust['redelegation_count'] == 1
