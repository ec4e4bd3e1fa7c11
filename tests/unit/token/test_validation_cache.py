"""The validation cache: one read per warm validation, never stale."""

import json

import pytest
import sqlalchemy as sa

from keystone_like import backends
from keystone_like import conf
from keystone_like.db import revision
from keystone_like.store import domains
from keystone_like.store import users
from keystone_like.token import cache as token_cache
from keystone_like.token import provider
from tests.support import api_auth_support as support

pytestmark = pytest.mark.timeout(60)


class Statements:
    """The SQL statements every engine runs while this is open (the
    service's own engine included)."""

    def __init__(self):
        self.engine = sa.engine.Engine
        self.seen = []

    def _record(self, _conn, _cursor, statement, *_args):
        self.seen.append(' '.join(statement.split()))

    def __enter__(self):
        sa.event.listen(self.engine, 'before_cursor_execute', self._record)
        return self.seen

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, 'before_cursor_execute', self._record)


def validate(api, token, query=''):
    response = support.on_subject(api, token, token, query=query)
    assert response.status_int == 200, response.text
    return response


def count_reads(monkeypatch, database=None):
    """Count the revision reads of ``database`` (the service's)."""
    database = database or backends.get(conf.CONF).database
    reader = database.revision_reader
    reads = []
    read = reader.read
    monkeypatch.setattr(reader, 'read', lambda: reads.append(1) or read())
    return reads


@pytest.mark.parametrize('query', ['', '?nocatalog'])
def test_a_warm_validation_reads_only_the_revision(identity_api, query,
                                                   monkeypatch):
    api = identity_api
    token = api.token()
    first = validate(api, token, query)
    reads = count_reads(monkeypatch)
    with Statements() as statements:
        again = validate(api, token, query)
    assert again.json == first.json
    assert statements == []
    assert len(reads) == 1


def test_caching_off_reads_everything_each_time(identity_api):
    api = identity_api
    token = api.token()
    conf.CONF.set_override('caching', False, 'token')
    try:
        uncached = provider.TokenProvider(conf.CONF,
                                          backends.get(conf.CONF).keys)
    finally:
        conf.CONF.clear_override('caching', 'token')
    assert uncached.cache is None
    for _ in range(2):
        with Statements() as statements:
            with api.database.session() as session:
                uncached.body(session, uncached.validate(session, token))
        assert len(statements) > 5


def test_a_write_is_seen_by_the_next_validation(identity_api):
    api = identity_api
    caller = api.token()
    token = api.token()
    validate(api, token)
    with api.database.session() as session:
        users.update_user(session, api.admin_user['id'], {'enabled': False})
    assert support.on_subject(api, caller, token).status_int == 401


def test_entries_of_an_older_revision_are_neither_kept_nor_served(
        database):
    cache = token_cache.ValidationCache(size=10, retention=3600)
    with database.session() as session:   # the counter exists
        domains.create_domain(session, {'id': 'd8', 'name': 'd8'})
    with database.session() as late:
        old = cache.sync(late)     # a request reads the revision, then...
        with database.session() as session:
            domains.create_domain(session, {'id': 'd9', 'name': 'd9'})
        with database.session() as session:
            new = cache.sync(session)   # ...another moves the cache on
        assert new[1] == old[1] + 1
        assert cache.sync(late) == old  # the late one does not move it back
        cache.keep('scope', old, 'k', 'stale')
        assert cache.get('scope', new, 'k') is None
        assert cache.get('scope', old, 'k') is None
    cache.keep('scope', new, 'k', 'fresh')
    assert cache.get('scope', new, 'k') == 'fresh'


def test_a_transaction_that_wrote_bypasses_the_cache(identity_api):
    api = identity_api
    provider_ = backends.get(conf.CONF).tokens
    token = api.token()
    with api.database.session() as session:
        provider_.validate(session, token)
        assert provider_.cache.sync(session) is not None
        users.update_user(session, api.admin_user['id'], {'name': 'renamed'})
        assert revision.pending(session)
        assert provider_.cache.sync(session) is None
        assert provider_.validate(session, token).user['name'] == 'renamed'
        session.rollback()
    with api.database.session() as session:
        assert provider_.validate(session, token).user['name'] == 'admin'


def test_snapshot_keeps_the_newest_entries():
    snapshot = token_cache.Snapshot(('e', 1), size=2)
    for key in 'abc':
        snapshot.put(key, key.upper())
    assert len(snapshot) == 2
    assert snapshot.get('a') is None and snapshot.get('c') == 'C'


def test_refusals_are_cached_too(identity_api, monkeypatch):
    api = identity_api
    token = api.token()
    with api.database.session() as session:
        users.update_user(session, api.admin_user['id'], {'enabled': False})
    provider_ = backends.get(conf.CONF).tokens
    reads = count_reads(monkeypatch, api.database)
    with Statements() as statements:
        for _ in range(2):
            del statements[:], reads[:]
            with api.database.session() as session:
                with pytest.raises(provider.TokenNotFound):
                    provider_.validate(session, token)
    assert statements == [] and len(reads) == 1


@pytest.mark.parametrize('scope', ['project', 'domain', 'system', None])
@pytest.mark.parametrize('catalog', [True, False])
def test_an_issued_tokens_json_is_its_document(identity_api, scope,
                                               catalog):
    """issued_json, which encodes the user and scope part once per
    revision, answers what body() answers, token after token, and sees a
    write at once."""
    api = identity_api
    tokens = backends.get(conf.CONF).tokens
    admin = api.token()
    with api.database.session() as session:
        parent = tokens.validate(session, admin)
        ids = {'project': {'project_id': parent.project_id},
               'domain': {'domain_id': parent.user['domain_id']},
               'system': {'system': 'all'}, None: {}}[scope]
    if scope == 'domain':
        support.grant(api, parent.user_id, domain_id=parent.user['domain_id'])
    documents = []
    for rename in (None, None, 'renamed-user'):
        if rename:
            with api.database.session() as session:
                users.update_user(session, parent.user_id, {'name': rename})
        with api.database.session() as session:
            token = tokens.issue(session, parent.user_id, ['token'], **ids)
            expected = tokens.body(session, token, catalog)
            found = json.loads(tokens.issued_json(session, token, catalog))
        assert found == expected
        documents.append(found['token'])
    assert documents[0]['audit_ids'] != documents[1]['audit_ids']
    assert documents[2]['user']['name'] == 'renamed-user'
