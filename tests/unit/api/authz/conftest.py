"""One matrix world for the whole package, on its own database.

The matrix runs on SQLite; ``KEYSTONE_LIKE_AUTHZ_BACKENDS=sqlite,postgresql``
runs it on PostgreSQL as well (policy does not depend on the backend, so
the default run does not pay for it twice).
``KEYSTONE_LIKE_AUTHZ_REFERENCE=http://host:port/v3`` runs the same rows
against a real Keystone instead (``tests.support.remote_keystone``), to
check the expected answers themselves.
"""

import os

import pytest

from keystone_like import db
from keystone_like.db import migration
from tests.support import api as api_support
from tests.support import authz_matrix
from tests.support import databases
from tests.support import remote_keystone

BACKENDS = tuple(name.strip() for name in os.environ.get(
    'KEYSTONE_LIKE_AUTHZ_BACKENDS', 'sqlite').split(',') if name.strip())
REFERENCE = os.environ.get('KEYSTONE_LIKE_AUTHZ_REFERENCE')
if REFERENCE:
    BACKENDS = ('reference',)


@pytest.fixture(scope='package', params=BACKENDS)
def authz_world(request, tmp_path_factory):
    """The matrix world (``tests.support.authz_matrix``), made once per
    backend."""
    if request.param == 'reference':
        yield authz_matrix.World(remote_keystone.RemoteKeystone(
            REFERENCE, os.environ.get(
                'KEYSTONE_LIKE_AUTHZ_REFERENCE_PASSWORD', 'secret')))
        return
    directory = tmp_path_factory.mktemp('authz')
    with databases.empty_database(request.param, directory) as url:
        database = db.Database.from_url(url, statement_timeout=10)
        try:
            migration.upgrade(database)
            with api_support.configured_api(database, directory) as api:
                yield authz_matrix.World(api)
        finally:
            database.dispose()
