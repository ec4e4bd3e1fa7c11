"""Trust-scoped tokens: what they carry, how many, and when they stop."""

import concurrent.futures
import datetime

import pytest

from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users
from keystone_like.token import formats
from tests.support import api_auth_support as auth
from tests.support import api_users_support as support
from tests.support import trust_support

pytestmark = pytest.mark.timeout(120)


def _roles(token_body):
    return sorted(role['name'] for role in token_body['roles'])


def test_a_trust_token_carries_the_trust(trust_world):
    world = trust_world
    trust = world.created()
    response = world.trust_login(trust['id'])
    assert response.status_int == 201, response.text
    body = response.json['token']
    assert body['OS-TRUST:trust'] == {
        'id': trust['id'], 'impersonation': False,
        'trustor_user': {'id': world.tor['id']},
        'trustee_user': {'id': world.tee['id']}}
    assert body['user']['id'] == world.tee['id']
    assert body['project'] == {'id': world.project['id'], 'name': 'tp',
                               'domain': {'id': 'default',
                                          'name': 'Default'}}
    assert 'is_domain' not in body
    # member, and reader which it implies, in Keystone's full shape.
    assert _roles(body) == ['member', 'reader']
    member = world.api.roles['member']
    assert {'id': member['id'], 'name': 'member', 'domain_id': None,
            'description': None, 'options': member['options']} in (
        body['roles'])
    assert body['methods'] == ['password'] and 'catalog' in body
    token_id = response.headers['X-Subject-Token']
    validated = auth.on_subject(world.api, world.api.token(), token_id,
                                query='?nocatalog')
    assert validated.status_int == 200
    assert validated.json['token']['OS-TRUST:trust'] == body['OS-TRUST:trust']
    assert _roles(validated.json['token']) == ['member', 'reader']


def test_only_the_delegated_roles_are_carried(trust_world):
    world = trust_world
    trust = world.created(roles=[{'name': 'reader'}])
    _token_id, body = world.trust_token(trust['id'])
    assert _roles(body) == ['reader']


def test_impersonation_acts_as_the_trustor(trust_world):
    world = trust_world
    trust = world.created(impersonation=True)
    token_id, body = world.trust_token(trust['id'])
    assert body['user'] == {'id': world.tor['id'], 'name': 'tor',
                            'domain': {'id': 'default', 'name': 'Default'},
                            'password_expires_at': None}
    assert body['OS-TRUST:trust']['trustee_user'] == {'id': world.tee['id']}
    # Policy sees the trustor: its own user record, not the trustee's.
    assert world.get('/users/' + world.tor['id'], token_id).status_int == 200
    assert world.get('/users/' + world.tee['id'], token_id).status_int == 403
    plain, _body = world.trust_token(world.created()['id'])
    assert world.get('/users/' + world.tee['id'], plain).status_int == 200
    assert world.get('/users/' + world.tor['id'], plain).status_int == 403


def test_a_trust_token_never_outlives_the_trust(trust_world):
    world = trust_world
    expiry = datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0) + datetime.timedelta(minutes=5)
    trust = world.created(expires_at=formats.format_time(expiry))
    _token_id, body = world.trust_token(trust['id'])
    assert body['expires_at'] == formats.format_time(expiry)


def test_remaining_uses_are_spent_one_per_token(trust_world):
    world = trust_world
    trust = world.created(remaining_uses=2)
    issued = [world.trust_token(trust['id'])[0] for _ in range(2)]
    support.assert_error(world.trust_login(trust['id']), 401)
    # Unlike Keystone, the tokens issued stay good after the last use.
    assert all(world.validates(token_id) for token_id in issued)


def test_concurrent_requests_for_the_last_use(trust_world):
    world = trust_world
    trust = world.created(remaining_uses=1)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(
            lambda _: world.trust_login(trust['id']).status_int, range(4)))
    assert statuses == [201, 401, 401, 401]


@pytest.mark.parametrize('case, status', [
    ('not the trustee', 403), ('unknown trust', 401), ('no project', 401),
    ('no id', 400), ('expired', 401)])
def test_trust_scope_refusals(trust_world, case, status):
    world = trust_world
    trust_id = world.created()['id']
    user = world.tee
    if case == 'not the trustee':
        user = world.other
    elif case == 'unknown trust':
        trust_id = 'nope'
    elif case == 'no project':
        trust_id = world.created(project_id=None, roles=[])['id']
    elif case == 'expired':
        with world.api.database.session() as session:
            session.execute(
                trust_support.expire_statement(trust_id))
    if case == 'no id':
        response = world.login(user, scope={'OS-TRUST:trust': {}})
        assert 'trust_id' in support.assert_error(response, 400)
        return
    support.assert_error(world.trust_login(trust_id, user), status)


def test_the_token_method_and_trusts(trust_world):
    world = trust_world
    trust = world.created()
    trust_token, _body = world.trust_token(trust['id'])
    for scope in (None, {'project': {'id': world.project['id']}},
                  {'OS-TRUST:trust': {'id': trust['id']}}):
        response = auth.issue(world.api, auth.token_body(trust_token, scope))
        message = support.assert_error(response, 403)
        assert message.endswith('Using trust-scoped token to create another '
                                'token. Create a new trust-scoped token '
                                'instead.')
    # A trustee's own token can be exchanged for a trust token.
    unscoped = world.token(world.tee)
    token_id, body = auth.issued(world.api, auth.token_body(
        unscoped, {'OS-TRUST:trust': {'id': trust['id']}}))
    assert body['methods'] == ['password', 'token']
    assert body['OS-TRUST:trust']['id'] == trust['id']


def _revoke_by(world, change):
    """Issue a trust token, apply ``change``; return whether it survives
    and whether a new one can be had."""
    trust = world.created()
    token_id, _body = world.trust_token(trust['id'])
    assert world.validates(token_id)
    with world.api.database.session() as session:
        change(session, world, trust)
    return world.validates(token_id), world.trust_login(trust['id'])


def _ungrant(session, world, _trust):
    assignments.delete_grant(session, assignments.Grant(
        'user', world.tor['id'], 'project', world.project['id'],
        world.role_id('member')))


CHANGES = {
    'trust deleted': lambda s, w, t: w.api.request(
        'DELETE', trust_support.TRUSTS + '/' + t['id'], token=w.tor_token),
    'trustor loses the role': _ungrant,
    'trustor disabled': lambda s, w, t: users.update_user(
        s, w.tor['id'], {'enabled': False}),
    'trustee disabled': lambda s, w, t: users.update_user(
        s, w.tee['id'], {'enabled': False}),
    'trustor deleted': lambda s, w, t: users.delete_user(s, w.tor['id']),
    'project disabled': lambda s, w, t: projects.update_project(
        s, w.project['id'], {'enabled': False}),
    'domain disabled': lambda s, w, t: domains.update_domain(
        s, 'default', {'enabled': False}),
    'delegated role deleted': lambda s, w, t: roles.delete_role(
        s, w.role_id('member')),
}


@pytest.mark.parametrize('change', sorted(CHANGES))
def test_trust_tokens_stop_validating(trust_world, change):
    world = trust_world
    valid, reissue = _revoke_by(world, CHANGES[change])
    assert not valid
    assert reissue.status_int in (401, 403)


def test_losing_the_role_is_recomputed(trust_world):
    world = trust_world
    trust = world.created()
    token_id, _body = world.trust_token(trust['id'])
    with world.api.database.session() as session:
        _ungrant(session, world, trust)
    assert not world.validates(token_id)
    support.assert_error(world.trust_login(trust['id']), 403)
    auth.grant(world.api, world.tor['id'], 'member',
               project_id=world.project['id'])
    assert world.validates(token_id)


def test_a_delegated_method_cannot_manage_trusts(trust_world):
    world = trust_world
    found = support.backends()
    with found.database.session() as session:
        token = found.tokens.issue(session, world.tor['id'],
                                   ['application_credential'],
                                   project_id=world.project['id']).id
    trust = world.created()
    for response in (world.create(token=token),
                     world.get('/OS-TRUST/trusts/' + trust['id'], token)):
        assert support.assert_error(response, 403).endswith(
            'Delegated tokens cannot manage trusts.')
