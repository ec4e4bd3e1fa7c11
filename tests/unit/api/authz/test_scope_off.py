"""With ``[oslo_policy] enforce_scope = false`` the rules' checks alone
decide: domain-scoped admins pass the rules Keystone limits to system and
project tokens. A sample of such rows (the matrix proper runs with the
defaults)."""

import pytest

from keystone_like import conf
from keystone_like import policies
from tests.support import api_users_support as support
from tests.support import authz_matrix as m
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)

ROWS = [
    Row('POST', '/regions', m.ANY_ADMIN, body={'region': {}}),
    Row('GET', '/services', m.ANY_ADMIN_OR_SYSTEM_READER),
    Row('GET', '/roles/{prior_role_id}/implies',
        m.ANY_ADMIN_OR_SYSTEM_READER),
    Row('GET', '/OS-TRUST/trusts', m.ANY_ADMIN_OR_SYSTEM_READER),
    Row('GET', '/policies', m.ANY_ADMIN_OR_SYSTEM_READER),
    # Rules without an admin clause stay as they are.
    Row('GET', '/users/{user_id}/access_rules',
        {m.SYSTEM_ADMIN, m.SYSTEM_READER}),
    Row('GET', '/users/{user_id}', m.DOMAIN_READERS),
    Row('GET', '/limits/model', m.EVERYONE),
]


@pytest.fixture
def scope_off(authz_world):
    if not hasattr(authz_world.api, 'database'):
        pytest.skip('the reference Keystone runs with enforce_scope = true')
    backends = support.backends()
    enforcer = backends.policy
    conf.CONF.set_override('enforce_scope', False, 'oslo_policy')
    try:
        backends.policy = policies.Enforcer(conf.CONF)
        yield authz_world
    finally:
        conf.CONF.clear_override('enforce_scope', 'oslo_policy')
        backends.policy = enforcer


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may_without_scope_enforcement(scope_off, row):
    assert m.check_row(scope_off, row) == []
