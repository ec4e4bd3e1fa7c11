"""Two service-all processes sharing one database and one key repository.

Each node is started separately (its own ports and config file, the same
``[database] connection`` and ``[fernet_tokens] key_repository``) and
neither is restarted: a token revoked on one is refused by the other, a
password changed on one kills tokens issued by the other, and rotating the
keys with ``service-manage fernet_rotate`` while both serve invalidates no
live token (each node reloads the repository within about a second) until
a key falls out of ``max_active_keys``, exactly as Keystone's rotation.
"""

import time
import uuid

from cryptography import fernet
from keystoneauth1 import exceptions as ka_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ka_session
from keystoneclient.v3 import client as ks_client
import pytest

from keystone_like.token import formats
from tests.support.identity_service import poll

# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.usefixtures('client_versions')]

# Nodes re-read revocations at most every [token] revocation_cache_time (1 s
# by default) and keys every second; allow generously for a loaded machine.
PROPAGATION = 10


@pytest.fixture(scope='module')
def nodes(identity_service):
    """(identity, node A, node B): two running service-all processes."""
    identity = identity_service
    second = identity.start_another('node-b')
    assert second.public_port not in identity.primary.ports
    return identity, identity.primary, second


def status_on(identity, node, subject, auth=None):
    """GET /v3/auth/tokens on ``node``'s public listener; return status."""
    auth = auth or identity.password_token(port=node.public_port)
    return identity.validate(node.public_port, auth, subject)[0]


def as_auth_token(identity, node, token):
    """Use ``token`` as X-Auth-Token on ``node``; return the status."""
    status, headers, _ = identity.request(
        node.public_port, 'GET', '/v3/auth/catalog',
        headers={'X-Auth-Token': token})
    if status == 401:
        assert headers['www-authenticate'].startswith('Keystone uri=')
    return status


def keystone_on(identity, node):
    """A keystoneclient for ``node``'s admin listener."""
    sess = ka_session.Session(auth=v3.Password(**identity.credentials(
        auth_url=identity.url(node.public_port))), timeout=10)
    return ks_client.Client(session=sess, interface='admin',
                            endpoint_override=identity.url(node.admin_port))


def test_token_revoked_on_one_node_is_refused_by_the_other(nodes):
    identity, a, b = nodes
    token = identity.password_token(port=a.public_port)
    assert status_on(identity, b, token) == 200
    assert as_auth_token(identity, b, token) == 200
    on_b = keystone_on(identity, b)
    assert on_b.tokens.validate(token).project_name == 'admin'

    admin_on_a = identity.password_token(port=a.public_port)
    status, _, _ = identity.request(
        a.public_port, 'DELETE', '/v3/auth/tokens',
        headers={'X-Auth-Token': admin_on_a, 'X-Subject-Token': token})
    assert status == 204
    started = time.monotonic()
    poll(lambda: status_on(identity, b, token) == 404, PROPAGATION,
         'node B to refuse the token revoked on node A')
    elapsed = time.monotonic() - started
    assert as_auth_token(identity, b, token) == 401
    assert status_on(identity, a, token) == 404
    assert as_auth_token(identity, a, token) == 401
    with pytest.raises(ka_exceptions.NotFound):
        on_b.tokens.validate(token)
    print('revocation seen by node B after %.2fs' % elapsed)
    # Other tokens are untouched, on both nodes.
    assert status_on(identity, b, admin_on_a) == 200
    assert as_auth_token(identity, b, admin_on_a) == 200


def test_password_change_on_one_node_kills_tokens_of_the_other(nodes):
    identity, a, b = nodes
    on_a = keystone_on(identity, a)
    old, new = 'Old-' + uuid.uuid4().hex, 'New-' + uuid.uuid4().hex
    user = on_a.users.create(name='mn-%s' % uuid.uuid4().hex[:8],
                             domain='default', password=old)
    on_a.roles.grant(on_a.roles.find(name='member'), user=user,
                     project=on_a.projects.find(name='admin',
                                                domain_id='default'))
    token = identity.password_token(port=a.public_port, username=user.name,
                                    password=old)
    assert status_on(identity, b, token) == 200
    status, _, _ = identity.request(
        b.public_port, 'POST', '/v3/users/%s/password' % user.id,
        body={'user': {'original_password': old, 'password': new}},
        headers={'X-Auth-Token': token})
    assert status == 204
    poll(lambda: status_on(identity, a, token) == 404, PROPAGATION,
         'node A to refuse a token of a user whose password changed on B')
    assert status_on(identity, b, token) == 404
    fresh = identity.password_token(port=a.public_port, username=user.name,
                                    password=new)
    assert status_on(identity, b, fresh) == 200


def key_ids(identity):
    return sorted(int(p.name) for p in identity.key_repository.iterdir()
                  if p.name.isdigit())


def primary_key(identity, key_id):
    path = identity.key_repository / str(key_id)
    return fernet.MultiFernet([fernet.Fernet(path.read_bytes().strip())])


def made_with(token, ring):
    try:
        formats.decrypt(token, ring)
    except formats.InvalidToken:
        return False
    return True


def test_key_rotation_while_both_nodes_serve(nodes):
    identity, a, b = nodes
    ids = key_ids(identity)
    assert ids[0] == 0 and len(ids) == 2    # staged and primary (setup)
    old = ids[-1]
    first_a = identity.password_token(port=a.public_port)
    first_b = identity.password_token(port=b.public_port)
    assert made_with(first_a, primary_key(identity, old))

    rotated = identity.rotate_keys()
    assert key_ids(identity) == [0, old, old + 1], rotated
    new_key = primary_key(identity, old + 1)
    for node in (a, b):
        poll(lambda: made_with(identity.password_token(port=node.public_port),
                               new_key),
             PROPAGATION, 'a node to sign with the new primary key')
    # Tokens from before the rotation still validate everywhere.
    for node in (a, b):
        for token in (first_a, first_b):
            assert status_on(identity, node, token) == 200
            assert as_auth_token(identity, node, token) == 200
    second_a = identity.password_token(port=a.public_port)
    assert status_on(identity, b, second_a) == 200

    # A second rotation (max_active_keys = 3) drops the first key: its
    # tokens stop validating on both nodes, without a restart; the second
    # key's stay valid.
    identity.rotate_keys()
    assert key_ids(identity) == [0, old + 1, old + 2]
    for node in (a, b):
        poll(lambda: status_on(identity, node, first_a) == 404, PROPAGATION,
             'a node to drop the purged key')
        assert status_on(identity, node, first_b) == 404
        assert status_on(identity, node, second_a) == 200
    assert a.running() and b.running()
