"""Three service-all nodes, one PostgreSQL, each node its OWN key
repositories, kept in step with ``service-manage fernet_distribute``.

Where test_clients_multinode.py shares one key directory between nodes,
this is the layout of separate machines: the keys reach the other nodes
only by distribution. A token issued anywhere validates everywhere; a
revocation on any node is refused by all on the next request; and through
Keystone's rotation protocol (distribute the staged key, rotate on one
node, distribute again) no token valid before is rejected at any step.
"""

import pytest

from tests.support import databases
from tests.support import service
from tests.support.identity_service import IdentityService
from tests.support.identity_service import poll

pytestmark = pytest.mark.timeout(120)

# Nodes re-read their key directory at most once a second.
KEY_RELOAD = 10


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    """(identity, [node A, node B, node C]) over one PostgreSQL database."""
    databases.require_postgres()
    directory = tmp_path_factory.mktemp('multinode-keys')
    with databases.empty_database('postgresql', directory) as url, \
            service.Services(directory) as services:
        identity = IdentityService(directory, url, services)
        identity.setup()
        others = []
        for name in ('node-b', 'node-c'):
            sections = identity.sections()
            sections['fernet_tokens'] = {
                'key_repository': directory / name / 'fernet-keys'}
            sections['credential'] = {
                'key_repository': directory / name / 'credential-keys'}
            identity.manage('fernet_distribute', '--to',
                            str(sections['fernet_tokens']['key_repository']))
            identity.manage('credential_distribute', '--to',
                            str(sections['credential']['key_repository']))
            node = services(sections=sections, host='127.0.0.1', name=name)
            identity.nodes.append(node)
            others.append(node)
        identity.start()
        for node in others:
            node.start()
        yield identity, [identity.primary] + others


def repositories(nodes):
    return [str(node.sections['fernet_tokens']['key_repository'])
            for node in nodes]


def validates_everywhere(identity, nodes, tokens):
    admin = identity.password_token(port=nodes[0].public_port)
    refused = []
    for node in nodes:
        for token in tokens:
            status = identity.validate(node.public_port, admin, token)[0]
            if status != 200:
                refused.append((token[:12], node.config_path.stem, status))
    return refused


def test_a_token_validates_on_every_node(cluster):
    identity, nodes = cluster
    tokens = [identity.password_token(port=node.public_port)
              for node in nodes]
    assert validates_everywhere(identity, nodes, tokens) == []


def test_a_revocation_on_any_node_is_refused_by_all_at_once(cluster):
    identity, nodes = cluster
    for revoker in nodes:
        token = identity.password_token(port=nodes[0].public_port)
        admin = identity.password_token(port=revoker.public_port)
        status, _, _ = identity.request(
            revoker.public_port, 'DELETE', '/v3/auth/tokens',
            headers={'X-Auth-Token': admin, 'X-Subject-Token': token})
        assert status == 204
        # The very next request on every node: no propagation delay.
        assert [identity.validate(node.public_port, admin, token)[0]
                for node in nodes] == [404, 404, 404]


def test_rotation_with_distribution_keeps_every_token(cluster):
    identity, nodes = cluster
    others = repositories(nodes[1:])
    issued = [identity.password_token(port=node.public_port)
              for node in nodes]
    steps = (('fernet_distribute', '--to', others[0], '--to', others[1]),
             ('fernet_rotate',),
             ('fernet_distribute', '--to', others[0], '--to', others[1]))
    for step in steps:
        identity.manage(*step)
        # Whatever the nodes have loaded by now, and after they reload:
        assert validates_everywhere(identity, nodes, issued) == [], step
        issued += [identity.password_token(port=node.public_port)
                   for node in nodes]
    # The one-command form. max_active_keys = 3 now purges key 1, so the
    # tokens kept are those signed once every node had key 2 as primary
    # (issued after the last distribution above).
    kept = issued[-3:]
    identity.manage('fernet_rotate', '--distribute-to', others[0],
                    '--distribute-to', others[1])
    assert validates_everywhere(identity, nodes, kept) == []
    purged = issued[:3]
    poll(lambda: len(validates_everywhere(identity, nodes, purged))
         == len(purged) * len(nodes), KEY_RELOAD,
         'every node to drop the purged key')
    assert all(node.running() for node in nodes)
