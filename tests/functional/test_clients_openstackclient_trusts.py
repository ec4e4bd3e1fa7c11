"""Trusts with the real ``openstack`` CLI against service-all: the trustor
creates, shows, lists and deletes a trust, the trustee gets trust-scoped
tokens with ``--os-trust-id`` (and ``OS_TRUST_ID``)."""

import uuid

import pytest

from tests.functional.test_clients_openstackclient import osc
from tests.functional.test_clients_openstackclient import osc_all
from tests.functional.test_clients_openstackclient import unique

pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(240),
              pytest.mark.usefixtures('client_versions')]
J = ('-f', 'json')


def _as(user, password, **extra):
    """The environment of ``user`` (password login, no project unless
    given)."""
    env = {'OS_USERNAME': user, 'OS_PASSWORD': password,
           'OS_PROJECT_NAME': '', 'OS_PROJECT_DOMAIN_NAME': ''}
    env.update(extra)
    return env


@pytest.fixture
def parties(identity_service):
    """A project, a trustor holding member on it and a trustee."""
    identity = identity_service
    password = 'Osc-' + uuid.uuid4().hex
    project, trustor, trustee = (unique('tr-prj'), unique('tr-tor'),
                                 unique('tr-tee'))
    made = osc_all(
        identity,
        ('project', 'create', '--domain', 'default', project) + J,
        ('user', 'create', '--domain', 'default', '--password', password,
         trustor) + J,
        ('user', 'create', '--domain', 'default', '--password', password,
         trustee) + J)
    osc(identity, 'role', 'add', '--user', trustor, '--project', project,
        'member')
    yield dict(zip(('project', 'trustor', 'trustee'), made),
               password=password)
    osc_all(identity, *[('user', 'delete', made[i]['id']) for i in (1, 2)],
            ('project', 'delete', made[0]['id']))


def test_trust_lifecycle_and_trust_scoped_tokens(identity_service, parties):
    identity = identity_service
    project, trustor, trustee = (parties['project'], parties['trustor'],
                                 parties['trustee'])
    as_trustor = _as(trustor['name'], parties['password'],
                     OS_PROJECT_NAME=project['name'],
                     OS_PROJECT_DOMAIN_NAME='Default')
    as_trustee = _as(trustee['name'], parties['password'])

    # As with Keystone, a trustor who may not read roles names them by id
    # (the CLI would send the name as an id: 404).
    member = osc(identity, 'role', 'show', 'member', *J)
    trust = osc(identity, 'trust', 'create', '--project', project['id'],
                '--role', member['id'], '--impersonate', '--expiration',
                '2090-01-01T00:00:00', trustor['id'], trustee['id'], *J,
                env=as_trustor)
    assert trust['project_id'] == project['id']
    assert trust['trustor_user_id'] == trustor['id']
    assert trust['trustee_user_id'] == trustee['id']
    assert trust['is_impersonation'] is True
    assert [role['name'] for role in trust['roles']] == ['member']
    assert trust['expires_at'].startswith('2090-01-01T00:00:00')

    shown, mine, everyone = osc_all(
        identity,
        (('trust', 'show', trust['id']) + J, {'env': as_trustor}),
        (('trust', 'list', '--auth-user') + J, {'env': as_trustor}),
        ('trust', 'list') + J)
    assert shown['id'] == trust['id']
    assert [role['id'] for role in shown['roles']] == [member['id']]
    assert [row['ID'] for row in mine] == [trust['id']]
    assert trust['id'] in {row['ID'] for row in everyone}

    # The trustee's trust-scoped tokens: by option and by environment.
    by_option, by_environ = osc_all(
        identity,
        (('--os-trust-id', trust['id'], 'token', 'issue') + J,
         {'env': as_trustee}),
        (('token', 'issue') + J,
         {'env': dict(as_trustee, OS_TRUST_ID=trust['id'])}))
    admin_token = identity.password_token()
    for token in (by_option, by_environ):
        # Impersonation: the token acts as the trustor.
        assert token['user_id'] == trustor['id']
        assert token['project_id'] == project['id']
        status, body = identity.validate(identity.public_port, admin_token,
                                         token['id'])
        assert status == 200
        assert body['token']['OS-TRUST:trust'] == {
            'id': trust['id'], 'impersonation': True,
            'trustor_user': {'id': trustor['id']},
            'trustee_user': {'id': trustee['id']}}
        assert {r['name'] for r in body['token']['roles']} == {
            'member', 'reader'}
    # The trust token works with the CLI too (it reads its own trust).
    seen = osc(identity, '--os-trust-id', trust['id'], 'trust', 'show',
               trust['id'], *J, env=as_trustee)
    assert seen['id'] == trust['id']

    osc(identity, 'trust', 'delete', trust['id'], env=as_trustor)
    for token in (by_option, by_environ):
        status, _body = identity.validate(identity.public_port, admin_token,
                                          token['id'])
        assert status == 404
    remaining = osc(identity, 'trust', 'list', '--auth-user', *J,
                    env=as_trustor)
    assert remaining == []
    logs = identity.logs()
    assert parties['password'] not in logs
    assert by_option['id'] not in logs and by_environ['id'] not in logs
