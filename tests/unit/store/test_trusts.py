"""Trusts in the store: shape, duplicates, atomic use counting, cascades."""

import concurrent.futures
import datetime
import threading

import pytest

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import trusts
from keystone_like.store import users

pytestmark = pytest.mark.timeout(60)


def _utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


@pytest.fixture
def world(database):
    """A project and three users in the default domain (committed)."""
    with database.session() as session:
        domains.create_domain(session, {'id': 'default', 'name': 'Default'})
        found = {'project': projects.create_project(
            session, {'name': 'p', 'domain_id': 'default'})}
        for name in ('tor', 'tee', 'other'):
            found[name] = users.create_user(session, {
                'name': name, 'domain_id': 'default'})
    return found


def _trust(session, world, **fields):
    ref = {'trustor_user_id': world['tor']['id'],
           'trustee_user_id': world['tee']['id'],
           'project_id': world['project']['id'], 'impersonation': False,
           'redelegation_count': 0}
    role_ids = fields.pop('role_ids', ['r1'])
    ref.update(fields)
    return trusts.create_trust(session, ref, role_ids)


def test_create_returns_the_stored_shape(db_session, world):
    trust = _trust(db_session, world, expires_at=_utc(2090, 1, 1),
                   remaining_uses=2, colour='blue', roles=['ignored'],
                   allow_redelegation=True)
    assert len(trust['id']) == 32
    assert trust == {
        'id': trust['id'], 'trustor_user_id': world['tor']['id'],
        'trustee_user_id': world['tee']['id'],
        'project_id': world['project']['id'], 'impersonation': False,
        'expires_at': _utc(2090, 1, 1), 'remaining_uses': 2,
        'redelegated_trust_id': None, 'redelegation_count': 0,
        'role_ids': ['r1'], 'colour': 'blue'}
    assert trusts.get_trust(db_session, trust['id']) == trust
    listed = trusts.list_trusts(db_session,
                                trustor_user_id=world['tor']['id'])
    assert listed == [dict(trust, role_ids=[])]


def test_duplicates_conflict_only_with_the_same_expiry(db_session, world):
    # Keystone's constraint: NULL expiries never collide.
    _trust(db_session, world)
    _trust(db_session, world)
    _trust(db_session, world, expires_at=_utc(2090, 1, 1))
    with pytest.raises(exceptions.Conflict, match='store trust'):
        _trust(db_session, world, expires_at=_utc(2090, 1, 1))


def test_expired_and_used_up_trusts_are_not_found_unless_asked(db_session,
                                                               world):
    expired = _trust(db_session, world, expires_at=_utc(2001, 1, 1))
    used = _trust(db_session, world, remaining_uses=0)
    for trust in (expired, used):
        with pytest.raises(exceptions.NotFound, match='Could not find trust'):
            trusts.get_trust(db_session, trust['id'])
        assert trusts.get_trust(db_session, trust['id'],
                                usable=False)['id'] == trust['id']
    with pytest.raises(exceptions.NotFound, match='trust: nope'):
        trusts.get_trust(db_session, 'nope', usable=False)


def test_list_filters_by_trustor_and_trustee(db_session, world):
    mine = _trust(db_session, world)
    theirs = _trust(db_session, world, trustor_user_id=world['other']['id'])

    def ids(**filters):
        return {t['id'] for t in trusts.list_trusts(db_session, **filters)}

    assert ids() == {mine['id'], theirs['id']}
    assert ids(trustor_user_id=world['tor']['id']) == {mine['id']}
    assert ids(trustee_user_id=world['tee']['id'],
               trustor_user_id=world['other']['id']) == {theirs['id']}
    assert ids(trustee_user_id=world['tor']['id']) == set()


def test_consume_counts_down_and_refuses_at_zero(db_session, world):
    limited = _trust(db_session, world, remaining_uses=2)
    unlimited = _trust(db_session, world, expires_at=_utc(2090, 1, 1))
    for _ in range(2):
        trusts.consume_use(db_session, limited['id'])
    with pytest.raises(trusts.UsesExhausted):
        trusts.consume_use(db_session, limited['id'])
    assert trusts.get_trust(db_session, limited['id'],
                            usable=False)['remaining_uses'] == 0
    for _ in range(3):
        trusts.consume_use(db_session, unlimited['id'])
    assert trusts.get_trust(db_session,
                            unlimited['id'])['remaining_uses'] is None
    with pytest.raises(trusts.UsesExhausted):
        trusts.consume_use(db_session, 'gone')


def test_concurrent_consumers_of_the_last_use(database, world):
    """A second transaction waits for the first; only one gets the use."""
    with database.session() as session:
        trust = _trust(session, world, remaining_uses=1)
    started = threading.Event()

    def second():
        with database.session() as session:
            started.set()
            trusts.consume_use(session, trust['id'])

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with database.session() as session:
            trusts.consume_use(session, trust['id'])
            other = pool.submit(second)
            started.wait(10)
            # The other transaction is now blocked on our row (or the
            # SQLite write lock) until we commit.
            with pytest.raises(concurrent.futures.TimeoutError):
                other.result(timeout=0.5)
        with pytest.raises(trusts.UsesExhausted):
            other.result(timeout=10)


def test_deleting_a_trust_deletes_its_redelegations(db_session, world):
    root = _trust(db_session, world, redelegation_count=2)
    child = _trust(db_session, world, trustor_user_id=world['tee']['id'],
                   trustee_user_id=world['other']['id'],
                   redelegated_trust_id=root['id'], redelegation_count=1)
    grandchild = _trust(db_session, world,
                        trustor_user_id=world['other']['id'],
                        redelegated_trust_id=child['id'])
    assert trusts.descendant_ids(db_session, root['id']) == [
        child['id'], grandchild['id']]
    deleted = trusts.delete_trust(db_session, root['id'])
    assert deleted == [root['id'], child['id'], grandchild['id']]
    assert trusts.list_trusts(db_session) == []
    assert db_session.query(models.TrustRole).count() == 0


@pytest.mark.parametrize('gone', ['tor', 'tee', 'project'])
def test_deleting_a_party_deletes_its_trusts(db_session, world, gone):
    """As Keystone deletes the trusts of a deleted user or project."""
    _trust(db_session, world)
    kept = _trust(db_session, world, trustor_user_id=world['other']['id'],
                  trustee_user_id=world['other']['id'], project_id=None)
    if gone == 'project':
        projects.delete_project(db_session, world['project']['id'])
    else:
        users.delete_user(db_session, world[gone]['id'])
    assert [t['id'] for t in trusts.list_trusts(db_session)] == [kept['id']]


def test_flush_deletes_expired_and_used_up_trusts(db_session, world):
    expired = _trust(db_session, world, expires_at=_utc(2001, 1, 1))
    used = _trust(db_session, world, remaining_uses=0)
    _trust(db_session, world, trustor_user_id=world['other']['id'],
           expires_at=_utc(2001, 1, 1))
    live = _trust(db_session, world, remaining_uses=1)
    count = trusts.flush_trusts(db_session, _utc(2020, 1, 1),
                                trustor_user_id=world['tor']['id'])
    assert count == 2
    left = {t['id'] for t in trusts.list_trusts(db_session)}
    assert expired['id'] not in left and used['id'] not in left
    assert live['id'] in left and len(left) == 2
    assert trusts.flush_trusts(db_session, _utc(2020, 1, 1)) == 1
