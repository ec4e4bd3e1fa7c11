"""The authorisation matrix covers every route of the /v3 route table:
a new route without a row fails here."""

from tests.support import authz_matrix as m
from tests.unit.api.authz import test_assignment
from tests.unit.api.authz import test_catalog
from tests.unit.api.authz import test_delegation
from tests.unit.api.authz import test_identity
from tests.unit.api.authz import test_limits
from tests.unit.api.authz import test_resource

MODULES = (test_identity, test_resource, test_assignment,
           test_catalog, test_delegation, test_limits)
# Routes that take no token, so no persona to tell apart.
EXEMPT = {
    # Authorised by the original password alone (Keystone's rule).
    ('POST', '/users/{user_id}/password'),
}


def _rows():
    return [row for module in MODULES for row in module.ROWS]


def test_every_route_has_a_row():
    covered = {(row.method, row.route) for row in _rows()}
    missing = m.management_routes() - covered - EXEMPT
    assert sorted(missing) == []


def test_every_row_names_a_route():
    unknown = {(row.method, row.route) for row in _rows()} - (
        m.management_routes())
    assert sorted(unknown) == []


def test_rows_are_unique_and_name_known_personas():
    ids = [row.id for row in _rows()]
    assert len(ids) == len(set(ids))
    for row in _rows():
        assert set(row.allowed) <= set(m.PERSONAS), row.id
