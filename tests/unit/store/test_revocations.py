"""Revocation events in the store: recording, listing, matching, pruning."""

import datetime

import pytest

from keystone_like import exceptions
from keystone_like.store import revocations
from tests.support import revocation_support

pytestmark = pytest.mark.timeout(30)

UTC = datetime.timezone.utc
T0 = datetime.datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


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


TOKEN = {'issued_at': minutes(0), 'audit_ids': ['aud1', 'chain'],
         'user_id': 'u1', 'project_id': 'p1', 'domain_ids': ['d1'],
         'role_ids': ['r1', 'r2']}


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
    ({'domain_id': 'd1'}, True),
    ({'domain_id': 'd2'}, False),
    ({'user_id': 'u1', 'issued_before': minutes(-1)}, False),
    ({'user_id': 'u1', 'issued_before': minutes(0)}, True),
])
def test_is_revoked_matches_every_given_field(db_session, event, revoked):
    revocations.add_event(db_session, **dict({'issued_before': minutes(1)},
                                             **event))
    assert revocations.is_revoked(db_session, **TOKEN) is revoked


def test_unscoped_token_is_not_hit_by_project_events(db_session):
    revocations.add_event(db_session, project_id='p1',
                          issued_before=minutes(1))
    token = dict(TOKEN, project_id=None)
    assert revocations.is_revoked(db_session, **token) is False
    assert revocations.is_revoked(db_session, issued_at=minutes(0)) is False
