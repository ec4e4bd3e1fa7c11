"""Helpers of the application credential and access rule API tests (no
tests here): owners with a project and a token, credential creation and
the ``application_credential`` auth method."""

import dataclasses
import uuid

from keystone_like.store import app_creds
from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

PASSWORD = 'owner-Pa55word'
METHOD = 'application_credential'


@dataclasses.dataclass
class Owner:
    """A user with roles on a project of its own, and a token there."""

    user: dict
    project: dict
    token: str

    @property
    def id(self):
        """The user's id."""
        return self.user['id']

    def path(self, *parts):
        """``/v3/users/{id}/application_credentials[/parts]``."""
        return '/'.join(('/v3/users', self.id, 'application_credentials')
                        + parts)

    def rules_path(self, *parts):
        """``/v3/users/{id}/access_rules[/parts]``."""
        return '/'.join(('/v3/users', self.id, 'access_rules') + parts)


def unique(prefix):
    """Return ``prefix-<8 hex>``."""
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def make_owner(api, roles=('member',), project=None):
    """Create a user holding ``roles`` on a new (or the given) project."""
    if project is None:
        project = auth_support.make_project(api, unique('project'))
    user = auth_support.make_user(api, unique('owner'), PASSWORD)
    for role in roles:
        auth_support.grant(api, user['id'], role, project_id=project['id'])
    token = users_support.issue_token(user['id'], project_id=project['id'])
    return Owner(user=user, project=project, token=token)


def create(api, owner, token=None, listener='public', **fields):
    """POST a credential of ``owner`` (its own token by default)."""
    fields.setdefault('name', unique('cred'))
    return api.request('POST', owner.path(),
                       {'application_credential': fields},
                       token=token or owner.token, listener=listener)


def created(api, owner, **fields):
    """Create a credential, assert 201; return it (with its secret)."""
    response = create(api, owner, **fields)
    assert response.status_int == 201, response.text
    return response.json['application_credential']


def auth_body(cred=None, secret=None, **ref):
    """Return an ``application_credential`` method body.

    With ``cred``, by its id and secret; ``ref`` adds or overrides keys
    (``name``, ``user``, ...).
    """
    method = {}
    if cred is not None:
        method = {'id': cred['id'], 'secret': cred['secret']}
    if secret is not None:
        method['secret'] = secret
    method.update(ref)
    return {'auth': {'identity': {'methods': [METHOD], METHOD: method}}}


def login(api, cred, listener='public', **ref):
    """Authenticate with the credential; return ``(token id, body)``."""
    return auth_support.issued(api, auth_body(cred, **ref), listener)


def stored_hash(api, cred_id):
    """Return the credential's stored secret hash."""
    with api.database.session() as session:
        return app_creds.get_secret_hash(session, cred_id)


def role_names(document):
    """Return the sorted role names of a credential or token document."""
    return sorted(role['name'] for role in document['roles'])
