"""Fixtures shared by the unit and functional tests."""

import pytest

from tests.support import certs as certs_support


@pytest.fixture(scope='session')
def certs(tmp_path_factory):
    """Return the paths of a CA, server and client certificates for the run."""
    return certs_support.generate(tmp_path_factory.mktemp('certs'))


# Databases (SQLite and PostgreSQL) for the storage and API tests.
from tests.support.databases import database  # noqa: E402,F401
from tests.support.databases import database_url  # noqa: E402,F401
from tests.support.databases import migrated_database  # noqa: E402,F401
from tests.support.databases import db_session  # noqa: E402,F401
