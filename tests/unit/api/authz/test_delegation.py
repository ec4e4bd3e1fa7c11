"""Authorisation matrix: credentials, EC2 credentials and tokens,
application credentials, access rules and trusts (see
``tests.support.authz_matrix``). The target user ``user_id`` is none of
the personas; the ``own`` rows act on the persona's own user."""

import uuid

import pytest

from tests.support import authz_matrix as m
from tests.support import ec2_signing
from tests.support.authz_matrix import Row

pytestmark = pytest.mark.timeout(m.TIMEOUT)
EC2 = '/users/{user_id}/credentials/OS-EC2'
APP_CREDS = '/users/{user_id}/application_credentials'
RULES = '/users/{user_id}/access_rules'
TRUSTS = '/OS-TRUST/trusts'


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def _fresh(kind):
    def setup(world, persona):
        return {'fresh': getattr(world, kind)()}
    return setup


def _fresh_app_credential(world, persona):
    return {'fresh': world.app_credential()['id']}


def _own_project(ids):
    return ids['self_project_id'] or ids['project_id']


def _ec2_token_body(world, persona):
    return {'signed': ec2_signing.v4_body(world.ids['ec2_credential_id'],
                                          world.ec2_secret)}


# Rules for the owner with system or project scope.
OWNERS = m.EVERYONE - {m.DOMAIN_ADMIN, m.DOMAIN_MANAGER}

ROWS = [
    # Credentials: the owner's, read by system readers, written by admins.
    Row('POST', '/credentials', m.ANY_ADMIN, body=lambda ids: {
        'credential': {'user_id': ids['user_id'], 'type': 'cert',
                       'blob': _name('blob')}}),
    Row('POST', '/credentials', m.EVERYONE, label='own',
        body=lambda ids: {'credential': {
            'user_id': ids['self_user_id'], 'type': 'cert',
            'blob': _name('blob')}}),
    Row('GET', '/credentials', m.EVERYONE),
    Row('GET', '/credentials/{credential_id}', m.ANY_ADMIN_OR_SYSTEM_READER),
    Row('PATCH', '/credentials/{credential_id}', m.ANY_ADMIN,
        body={'credential': {'blob': 'changed'}}),
    Row('DELETE', '/credentials/{credential_id}', m.ANY_ADMIN,
        setup=_fresh('credential'), params={'credential_id': 'fresh'}),
    # EC2 credentials (system and project scope only).
    Row('POST', EC2, m.ADMIN, body=lambda ids: {
        'tenant_id': ids['project_id']}),
    # The owner needs the member role.
    Row('POST', EC2, m.ADMIN | {m.PROJECT_MEMBER, m.UNRELATED},
        label='own', params={'user_id': 'self_user_id'},
        body=lambda ids: {'tenant_id': _own_project(ids)}),
    Row('GET', EC2, m.ADMIN_OR_SYSTEM_READER),
    Row('GET', EC2 + '/{credential_id}', m.ADMIN_OR_SYSTEM_READER,
        params={'credential_id': 'ec2_credential_id'}),
    Row('DELETE', EC2 + '/{credential_id}', m.ADMIN,
        setup=_fresh('ec2_credential'), params={'credential_id': 'fresh'}),
    # For admins and services, whatever the scope.
    Row('POST', '/ec2tokens', m.ANY_ADMIN, setup=_ec2_token_body,
        body=lambda ids: ids['signed']),
    # Application credentials: made by their owner with a project token.
    Row('POST', APP_CREDS, m.NOBODY, body=lambda ids: {
        'application_credential': {'name': _name('appcred')}}),
    Row('POST', APP_CREDS, m.PROJECT_TOKENS, label='own',
        params={'user_id': 'self_user_id'}, body=lambda ids: {
            'application_credential': {'name': _name('appcred')}}),
    Row('GET', APP_CREDS, m.ADMIN_OR_SYSTEM_READER),
    Row('GET', APP_CREDS + '/{application_credential_id}',
        m.ADMIN_OR_SYSTEM_READER),
    Row('DELETE', APP_CREDS + '/{application_credential_id}', m.ADMIN,
        setup=_fresh_app_credential,
        params={'application_credential_id': 'fresh'}),
    # Access rules: their owner, and the system's readers (no admins).
    Row('GET', RULES, m.ADMIN_OR_SYSTEM_READER - {m.PROJECT_ADMIN}),
    Row('GET', RULES + '/{access_rule_id}',
        m.ADMIN_OR_SYSTEM_READER - {m.PROJECT_ADMIN}),
    Row('DELETE', RULES + '/{access_rule_id}', {m.SYSTEM_ADMIN},
        setup=_fresh('access_rule'), params={'access_rule_id': 'fresh'}),
    # Trusts: made by the trustor with a project token.
    Row('POST', TRUSTS, m.PROJECT_TOKENS, label='own', body=lambda ids: {
        'trust': {'trustor_user_id': ids['self_user_id'],
                  'trustee_user_id': ids['trustee_id'],
                  'project_id': _own_project(ids), 'impersonation': False,
                  'roles': [{'name': 'reader'}]}}),
    Row('GET', TRUSTS, m.ADMIN_OR_SYSTEM_READER),
    Row('GET', TRUSTS, m.ADMIN_OR_SYSTEM_READER,
        query='trustor_user_id={user_id}'),
    Row('GET', TRUSTS, m.ADMIN_OR_SYSTEM_READER,
        query='trustee_user_id={trustee_id}'),
    Row('GET', TRUSTS, OWNERS, query='trustor_user_id={self_user_id}'),
    Row('GET', TRUSTS, OWNERS, query='trustee_user_id={self_user_id}'),
    Row('GET', TRUSTS + '/{trust_id}', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', TRUSTS + '/{trust_id}/roles', m.ADMIN_OR_SYSTEM_READER),
    Row('GET', TRUSTS + '/{trust_id}/roles/{role_id}',
        m.ADMIN_OR_SYSTEM_READER),
    Row('DELETE', TRUSTS + '/{trust_id}', m.ADMIN, setup=_fresh('trust'),
        params={'trust_id': 'fresh'}),
]


# A query parameter never stands for the path's user (Keystone 30 keeps
# filters apart from the policy target).
AS_SELF = 'user_id={self_user_id}'
ROWS += [
    Row('GET', EC2, m.ADMIN_OR_SYSTEM_READER, query=AS_SELF),
    Row('GET', APP_CREDS, m.ADMIN_OR_SYSTEM_READER, query=AS_SELF),
    Row('GET', RULES, m.ADMIN_OR_SYSTEM_READER - {m.PROJECT_ADMIN},
        query=AS_SELF),
    Row('GET', '/credentials', m.EVERYONE, query='user_id={user_id}'),
]


@pytest.mark.parametrize('row', ROWS, ids=lambda row: row.id)
def test_who_may(authz_world, row):
    assert m.check_row(authz_world, row) == []
