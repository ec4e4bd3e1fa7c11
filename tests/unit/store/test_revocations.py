"""Revocation events in the store: recording, listing, matching, pruning."""

import datetime

import pytest

from keystone_like import db
from keystone_like import exceptions
from keystone_like.store import revocations
from keystone_like.token import cache as token_cache
from tests.support import revocation_support

pytestmark = pytest.mark.timeout(30)

UTC = datetime.timezone.utc
T0 = datetime.datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
RETENTION = 3 * 3600


def minutes(n):
    """``T0`` plus ``n`` minutes."""
    return T0 + datetime.timedelta(minutes=n)


def test_add_event_defaults_to_now_and_returns_aware_utc(db_session):
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    event = revocations.add_event(db_session, user_id='u1')
    assert set(event) == {'id', 'audit_id', 'user_id', 'project_id',
                          'domain_id', 'role_id', 'issued_before',
                          'revoked_at'}
    assert event['user_id'] == 'u1' and event['audit_id'] is None
    assert event['issued_before'].tzinfo is not None
    assert before <= event['issued_before'] <= datetime.datetime.now(UTC)
    assert event['revoked_at'] == event['issued_before']


def test_event_needs_a_selector(db_session):
    with pytest.raises(exceptions.ValidationError):
        revocations.add_event(db_session, issued_before=T0)


def test_naive_and_aware_times_are_both_utc(db_session):
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    revocations.add_event(db_session, audit_id='a',
                          issued_before=T0.astimezone(plus_two),
                          revoked_at=T0.replace(tzinfo=None))
    [event] = revocation_support.list_events(db_session)
    assert event['issued_before'] == T0
    assert event['revoked_at'] == T0
    assert event['revoked_at'].utcoffset() == datetime.timedelta(0)


ISSUED = minutes(0)
TOKEN = {'audit_id': {'aud1', 'chain'}, 'user_id': {'u1'},
         'project_id': {'p1'}, 'domain_id': {'d1'}, 'role_id': {'r1', 'r2'}}


def in_database(session, issued_at, attributes):
    return revocations.is_revoked(session, issued_at, attributes)


def in_memory(session, issued_at, attributes):
    """The validation cache's matcher, fed the same events."""
    index = token_cache.RevocationIndex()
    for event in revocation_support.list_events(session):
        index.add(event)
    return index.revokes(issued_at, attributes)


MATCHERS = pytest.mark.parametrize('is_revoked', [in_database, in_memory])


@MATCHERS
@pytest.mark.parametrize('event,revoked', [
    ({'audit_id': 'aud1'}, True),
    ({'audit_id': 'chain'}, True),
    ({'audit_id': 'other'}, False),
    ({'user_id': 'u1'}, True),
    ({'user_id': 'u2'}, False),
    ({'user_id': 'u1', 'project_id': 'p1'}, True),
    ({'user_id': 'u1', 'project_id': 'p2'}, False),
    ({'project_id': 'p1', 'role_id': 'r2'}, True),
    ({'project_id': 'p1', 'role_id': 'r3'}, False),
    ({'audit_id': 'aud1', 'domain_id': 'd2'}, False),
    ({'domain_id': 'd1'}, True),
    ({'domain_id': 'd2'}, False),
    ({'user_id': 'u1', 'issued_before': minutes(-1)}, False),
    ({'user_id': 'u1', 'issued_before': minutes(0)}, True),
])
def test_is_revoked_matches_every_given_field(db_session, is_revoked, event,
                                              revoked):
    revocations.add_event(db_session, **dict({'issued_before': minutes(1)},
                                             **event))
    assert is_revoked(db_session, ISSUED, TOKEN) is revoked


@MATCHERS
def test_unscoped_token_is_not_hit_by_project_events(db_session, is_revoked):
    revocations.add_event(db_session, project_id='p1',
                          issued_before=minutes(1))
    token = dict(TOKEN, project_id=set())
    assert is_revoked(db_session, ISSUED, token) is False
    assert is_revoked(db_session, ISSUED, {}) is False


def test_prune_deletes_only_events_older_than_the_horizon(db_session):
    for age in (-90, -61, -59, 0):
        revocations.add_event(db_session, user_id='u%d' % age,
                              issued_before=minutes(age),
                              revoked_at=minutes(age))
    assert revocations.prune(db_session, minutes(-60)) == 2
    left = revocation_support.list_events(db_session)
    assert sorted(e['user_id'] for e in left) == ['u-59', 'u0']


def test_adding_an_event_prunes_those_past_the_retention(db_session):
    now = datetime.datetime.now(UTC)
    old = now - datetime.timedelta(seconds=RETENTION + 5)
    kept = now - datetime.timedelta(seconds=RETENTION - 60)
    revocations.add_event(db_session, user_id='old', issued_before=old,
                          revoked_at=old)
    revocations.add_event(db_session, user_id='kept', issued_before=kept,
                          revoked_at=kept)
    db_session.info[db.REVOCATION_RETENTION] = RETENTION
    revocations.add_event(db_session, user_id='new')
    left = revocation_support.list_events(db_session)
    assert sorted(e['user_id'] for e in left) == ['kept', 'new']


def test_memory_index_prunes_by_the_same_rule():
    index = token_cache.RevocationIndex()
    for age in (-90, -59):
        index.add({'id': age, 'audit_id': None, 'user_id': 'u',
                   'project_id': None, 'domain_id': None, 'role_id': None,
                   'issued_before': minutes(age), 'revoked_at': minutes(age)})
    index.prune(minutes(-60))
    assert len(index) == 1
    assert index.revokes(minutes(-70), {'user_id': {'u'}})
    assert not index.revokes(minutes(-58), {'user_id': {'u'}})
