"""Helpers of the trust API tests (this module has no tests).

``trust_world`` is a project ``tp`` on which ``tor`` (the trustor) holds
``member`` (so also ``reader``), a trustee ``tee`` and an unrelated
``other``, each with a password; ``world.tor_token`` is the trustor's
token scoped to ``tp``.
"""

import dataclasses
import datetime

import pytest
import sqlalchemy as sa

from keystone_like.db import models

from tests.support import api_auth_support as auth
from tests.support import api_users_support as users_support

TRUSTS = '/v3/OS-TRUST/trusts'
PASSWORD = 'trust-Pa55word'


@dataclasses.dataclass
class World:
    """The people and the project of the trust tests."""

    api: object
    project: dict
    tor: dict
    tee: dict
    other: dict
    tor_token: str

    def role_id(self, name):
        """Return the id of the bootstrapped role ``name``."""
        return self.api.roles[name]['id']

    def body(self, **fields):
        """Return a create body: tor trusts tee with member on tp."""
        trust = {'trustor_user_id': self.tor['id'],
                 'trustee_user_id': self.tee['id'],
                 'project_id': self.project['id'], 'impersonation': False,
                 'roles': [{'name': 'member'}]}
        trust.update(fields)
        return {'trust': {k: v for k, v in trust.items()
                          if v is not DROP}}

    def create(self, token=None, **fields):
        """POST a trust (by the trustor unless ``token``); the response."""
        return self.api.request('POST', TRUSTS, self.body(**fields),
                                token=token or self.tor_token,
                                listener='public')

    def created(self, token=None, **fields):
        """Create a trust, assert 201; return it."""
        response = self.create(token, **fields)
        assert response.status_int == 201, response.text
        return response.json['trust']

    def login(self, user, scope=None):
        """Return the response of a password login of ``user``."""
        return auth.issue(self.api, auth.password_body(
            PASSWORD, {'id': user['id']}, scope=scope))

    def trust_login(self, trust_id, user=None):
        """Return the response of ``user`` (tee) asking a trust token."""
        return self.login(user or self.tee,
                          scope={'OS-TRUST:trust': {'id': trust_id}})

    def trust_token(self, trust_id, user=None):
        """Return ``(token id, token body)`` of a new trust token."""
        response = self.trust_login(trust_id, user)
        assert response.status_int == 201, response.text
        return response.headers['X-Subject-Token'], response.json['token']

    def token(self, user, project=None):
        """Return a password token of ``user`` (scoped to ``project``)."""
        scope = {'project': {'id': project['id']}} if project else None
        response = self.login(user, scope)
        assert response.status_int == 201, response.text
        return response.headers['X-Subject-Token']

    def get(self, path, token=None, method='GET'):
        """Send ``method`` ``path`` (under /v3) with a token."""
        return self.api.request(method, '/v3' + path,
                                token=token or self.tor_token,
                                listener='public')

    def validates(self, token_id):
        """Return whether ``token_id`` still validates."""
        return users_support.is_valid(token_id)


# A field value meaning "leave it out of the body".
DROP = object()


@pytest.fixture
def trust_world(identity_api):
    """The trust tests' world (see the module doc)."""
    api = identity_api
    project = auth.make_project(api, 'tp')
    people = {name: auth.make_user(api, name, PASSWORD)
              for name in ('tor', 'tee', 'other')}
    auth.grant(api, people['tor']['id'], 'member', project_id=project['id'])
    world = World(api=api, project=project, tor_token=None, **people)
    world.tor_token = world.token(people['tor'], project)
    return world


def expire_statement(trust_id):
    """Return the UPDATE that makes a trust expired (a second ago)."""
    past = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None) - datetime.timedelta(seconds=1)
    return sa.update(models.Trust).where(models.Trust.id == trust_id).values(
        expires_at=past)
