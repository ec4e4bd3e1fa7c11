"""Fixtures shared by the API unit tests."""

import pytest

from keystone_like.common import offload
from keystone_like import conf
from keystone_like.identity import passwords
from tests.support import api_users_support as support


@pytest.fixture
def admin(identity_api):
    """A function sending requests with an admin token."""
    token = support.admin_token(identity_api)

    def send(method, path, body=None, **kwargs):
        return identity_api.request(method, '/v3' + path, body, token=token,
                                    **kwargs)
    return send


@pytest.fixture
def blocking_calls():
    """Count the calls run off the event loop (password hashing)."""
    calls = []

    def executor(function, *args, **kwargs):
        calls.append(function)
        return function(*args, **kwargs)

    # The dummy hash is made once per process: make it before counting.
    passwords.dummy_verify('warm-up', conf.CONF)
    previous = offload.install(executor)
    yield calls
    offload.install(previous)
