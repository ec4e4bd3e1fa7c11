"""Fixtures shared by the unit and functional tests."""

import os

import pytest

from keystone_like import conf
from tests.support import certs as certs_support
from tests.support import identity


@pytest.fixture(scope='session')
def certs(tmp_path_factory):
    """Return the paths of a CA, server and client certificates for the run."""
    return certs_support.generate(tmp_path_factory.mktemp('certs'))


@pytest.fixture(scope='session', autouse=True)
def identity_state_dir(tmp_path_factory):
    """A migrated SQLite database and Fernet keys for the real pipeline.

    In-process loads see it as the default ``state_dir``; subprocesses get
    it through ``tests.support.service`` (via the environment).
    """
    path = identity.prepare_state_dir(tmp_path_factory.mktemp('state'))
    conf.CONF.set_default('state_dir', path)
    os.environ[identity.ENV] = path
    yield path
    os.environ.pop(identity.ENV, None)


# Databases (SQLite and PostgreSQL) for the storage and API tests.
from tests.support.databases import database  # noqa: E402,F401
from tests.support.databases import database_url  # noqa: E402,F401
from tests.support.databases import migrated_database  # noqa: E402,F401
from tests.support.databases import db_session  # noqa: E402,F401
from tests.support.api import identity_api  # noqa: E402,F401
from tests.support.trust_support import trust_world  # noqa: E402,F401
