"""The database fixtures: skip without PostgreSQL, fail when CI needs it."""

import pytest

from tests.support import databases

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def unreachable(monkeypatch):
    """Point the fixtures at a closed port for the test."""
    monkeypatch.setattr(databases, 'ADMIN_URL',
                        'postgresql+psycopg2://postgres@127.0.0.1:1/postgres')
    databases.postgres_unreachable_reason.cache_clear()
    yield
    databases.postgres_unreachable_reason.cache_clear()


def test_unreachable_postgresql_skips_with_the_reason(unreachable,
                                                      monkeypatch):
    monkeypatch.delenv(databases.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception) as info:
        databases.require_postgres()
    assert str(info.value).startswith(
        'PostgreSQL not reachable at 127.0.0.1:1: ')


def test_unreachable_postgresql_fails_when_required(unreachable,
                                                    monkeypatch):
    monkeypatch.setenv(databases.REQUIRE_ENV, '1')
    with pytest.raises(pytest.fail.Exception) as info:
        databases.require_postgres()
    assert 'KEYSTONE_LIKE_REQUIRE_POSTGRES=1' in str(info.value)


def test_database_url_is_a_new_empty_database(database_url):
    if database_url.startswith('sqlite'):
        assert database_url.endswith('keystone_like.db')
    else:
        assert '/kl_test_' in database_url
