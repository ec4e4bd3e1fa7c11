"""One matrix world for the whole package, on its own database.

The matrix runs on SQLite; ``KEYSTONE_LIKE_AUTHZ_BACKENDS=sqlite,postgresql``
runs it on PostgreSQL as well (policy does not depend on the backend, so
the default run does not pay for it twice).
"""

import os

import pytest

from keystone_like import db
from keystone_like.db import migration
from tests.support import api as api_support
from tests.support import authz_matrix
from tests.support import databases

BACKENDS = tuple(name.strip() for name in os.environ.get(
    'KEYSTONE_LIKE_AUTHZ_BACKENDS', 'sqlite').split(',') if name.strip())


@pytest.fixture(scope='package', params=BACKENDS)
def authz_world(request, tmp_path_factory):
    """The matrix world (``tests.support.authz_matrix``), made once per
    backend."""
    directory = tmp_path_factory.mktemp('authz')
    with databases.empty_database(request.param, directory) as url:
        database = db.Database.from_url(url, statement_timeout=10)
        try:
            migration.upgrade(database)
            with api_support.configured_api(database, directory) as api:
                yield authz_matrix.World(api)
        finally:
            database.dispose()
