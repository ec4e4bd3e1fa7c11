"""Helpers of the API tests: callers with tokens, users, revocation checks.

Tokens are issued through the token provider directly, so these tests do
not depend on ``POST /v3/auth/tokens``. No tests here.
"""

from keystone_like import backends as ks_backends
from keystone_like import conf
from keystone_like.identity import passwords
from keystone_like.store import revocations
from keystone_like.store import users
from keystone_like.token import provider
from tests.support import api
from tests.support import revocation_support

PASSWORD = 'member-Pa55word'


def backends():
    """Return the Backends the pipelines of ``identity_api`` use."""
    return ks_backends.get(conf.CONF)


def issue_token(user_id, project_id=None, domain_id=None, system=None):
    """Return the id of a new token of the user (scoped if asked)."""
    found = backends()
    with found.database.session() as session:
        return found.tokens.issue(session, user_id, ['password'],
                                  project_id=project_id,
                                  domain_id=domain_id, system=system).id


def admin_token(identity_api):
    """Return a project-scoped token of the bootstrapped admin."""
    return issue_token(identity_api.admin_user['id'],
                       project_id=identity_api.admin_project['id'])


def make_user(identity_api, name, role='member', password=PASSWORD,
              domain_id='default'):
    """Create a user with ``role`` on the admin project; return it."""
    hashed = passwords.hash_password(password, conf.CONF)
    with identity_api.database.session() as session:
        user = users.create_user(session, {'name': name,
                                           'domain_id': domain_id},
                                 password_hash=hashed)
        if role is not None:
            api.grant(session, 'user', user['id'], 'project',
                      identity_api.admin_project['id'],
                      identity_api.roles[role]['id'])
    return user


def member(identity_api, name='member'):
    """Return ``(user, project-scoped token)`` of a new member user."""
    user = make_user(identity_api, name)
    return user, issue_token(user['id'],
                             project_id=identity_api.admin_project['id'])


def is_valid(token_id):
    """Return whether the token still validates."""
    found = backends()
    with found.database.session() as session:
        try:
            found.tokens.validate(session, token_id)
        except provider.TokenNotFound:
            return False
    return True


def events():
    """Return every revocation event, without ids and times."""
    found = backends()
    with found.database.session() as session:
        return [{key: value for key, value in event.items()
                 if value is not None and key in revocations.FIELDS}
                for event in revocation_support.list_events(session)]


def password_hash(user_id):
    """Return the stored password hash of the user."""
    with backends().database.session() as session:
        return users.get_password_hash(session, user_id)


def assert_error(response, code):
    """Check a Keystone JSON error of ``code``; return its message."""
    assert response.status_int == code, response.text
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert error['code'] == code
    return error['message']
