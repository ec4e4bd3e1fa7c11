"""Upgrading to 0006_resources moves tags and options out of ``extra``."""

import json

import pytest
import sqlalchemy as sa

from keystone_like import db
from keystone_like.db import migration
from keystone_like.store import domains
from keystone_like.store import projects

pytestmark = pytest.mark.timeout(60)
ROWS_AT_0002 = [
    "INSERT INTO domain (id, name, description, enabled, extra) VALUES "
    "('default', 'Default', NULL, true, '{\"tags\": [\"d\"], "
    "\"options\": {\"immutable\": true}}')",
    "INSERT INTO project (id, name, domain_id, parent_id, description, "
    "enabled, extra) VALUES ('p1', 'tagged', 'default', NULL, '', true, "
    "'{\"tags\": [\"a\", \"b\", \"a\"], \"options\": {\"immutable\": "
    "null}, \"owner\": \"ops\"}'), ('p2', 'plain', 'default', NULL, '', "
    "true, '{}')",
]


def test_tags_and_options_leave_extra(database_url):
    database = db.Database.from_url(database_url)
    try:
        migration.upgrade(database, '0002')
        with database.connect() as connection:
            for statement in ROWS_AT_0002:
                connection.execute(sa.text(statement))
        migration.upgrade(database)
        with database.session() as session:
            tagged = projects.get_project(session, 'p1')
            assert (tagged['tags'], tagged['options'], tagged['owner']) == (
                ['a', 'b'], {}, 'ops')
            assert projects.get_project(session, 'p2')['tags'] == []
            domain = domains.get_domain(session, 'default')
            assert (domain['tags'], domain['options']) == (
                ['d'], {'immutable': True})
            extras = [e if isinstance(e, dict) else json.loads(e) for e in
                      session.scalars(sa.text('SELECT extra FROM project'))]
            assert extras and not any('tags' in e or 'options' in e
                                      for e in extras)
    finally:
        database.dispose()
