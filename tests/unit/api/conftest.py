"""Fixtures shared by the API unit tests."""

import pytest

from tests.support import api_users_support as support


@pytest.fixture
def admin(identity_api):
    """A function sending requests with an admin token."""
    token = support.admin_token(identity_api)

    def send(method, path, body=None, **kwargs):
        return identity_api.request(method, '/v3' + path, body, token=token,
                                    **kwargs)
    return send
