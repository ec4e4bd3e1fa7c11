"""service-manage trust_flush on SQLite and PostgreSQL."""

import datetime

import pytest

from keystone_like.server import errors
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import trusts
from keystone_like.store import users
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

manage_db = support.manage_db


def _utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def _trusts(manage_db):
    """Store trusts expiring in 2001, 2010 and never, one used up."""
    with manage_db.session() as session:
        domains.create_domain(session, {'id': 'default', 'name': 'Default'})
        project = projects.create_project(session, {'name': 'p',
                                                    'domain_id': 'default'})
        tor, tee = (users.create_user(session, {'name': name,
                                                'domain_id': 'default'})
                    for name in ('tor', 'tee'))
        made = {}
        for label, fields in (('2001', {'expires_at': _utc(2001, 1, 1)}),
                              ('2010', {'expires_at': _utc(2010, 1, 1)}),
                              ('used', {'remaining_uses': 0}),
                              ('live', {'remaining_uses': 1})):
            made[label] = trusts.create_trust(session, dict(
                fields, trustor_user_id=tor['id'], trustee_user_id=tee['id'],
                project_id=project['id'], impersonation=False,
                redelegation_count=0), [])['id']
    return made


def _left(manage_db):
    with manage_db.session() as session:
        return {t['id'] for t in trusts.list_trusts(session)}


def test_trust_flush_by_date(manage_db):
    assert manage_db('db_sync').code == errors.EXIT_OK
    made = _trusts(manage_db)
    run = manage_db('trust_flush', '--date', '01-06-2005')
    assert run.code == errors.EXIT_OK, run.err
    assert run.out == ('Deleted 2 trusts that expired before '
                       '2005-06-01T00:00:00Z or had no uses left.\n')
    assert _left(manage_db) == {made['2010'], made['live']}
    run = manage_db('trust_flush', '--trustee-user-id', 'someone-else')
    assert run.out.startswith('Deleted 0 trusts')
    run = manage_db('trust_flush')
    assert run.out.startswith('Deleted 1 trust that expired')
    assert _left(manage_db) == {made['live']}


def test_trust_flush_refuses_a_bad_date_and_no_schema(manage_db):
    run = manage_db('trust_flush', '--date', '2005-06-01')
    assert run.code == errors.EXIT_USAGE
    assert 'invalid DD-MM-YYYY date value' in run.err
    run = manage_db('trust_flush')
    assert run.code == errors.EXIT_CONFIG
    assert 'service-manage db_sync' in support.one_line_error(
        run, 'trust_flush')
