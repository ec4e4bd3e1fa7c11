"""Helpers shared by the /v3/auth API tests (this module has no tests).

Users, projects, domains and grants are made with the store functions
directly, so these tests do not wait for the management API.
"""

from keystone_like import conf
from keystone_like.identity import passwords
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import projects
from keystone_like.store import users

LISTENERS = ('public', 'admin')
TOKENS = '/v3/auth/tokens'
# Headers that differ between any two responses by nature.
VOLATILE_HEADERS = {'date', 'x-openstack-request-id'}


def make_domain(api, name, **fields):
    """Create a domain; return it."""
    with api.database.session() as session:
        return domains.create_domain(session, dict(fields, name=name))


def make_project(api, name, domain_id='default', **fields):
    """Create a project in the domain; return it."""
    with api.database.session() as session:
        return projects.create_project(
            session, dict(fields, name=name, domain_id=domain_id))


def make_user(api, name, password, domain_id='default', **fields):
    """Create a user with ``password`` (hashed as configured); return it."""
    hashed = passwords.hash_password(password, conf.CONF)
    with api.database.session() as session:
        return users.create_user(
            session, dict(fields, name=name, domain_id=domain_id),
            password_hash=hashed)


def grant(api, user_id, role='member', project_id=None, domain_id=None):
    """Grant the named role to the user on a project or a domain."""
    kind, target = (('project', project_id) if project_id is not None
                    else ('domain', domain_id))
    with api.database.session() as session:
        assignments.create_grant(session, assignments.Grant(
            'user', user_id, kind, target, api.roles[role]['id']))


def update_user(api, user_id, **fields):
    """Change attributes of a user in the store."""
    with api.database.session() as session:
        users.update_user(session, user_id, fields)


def password_body(password, user=None, scope=None):
    """Return a password-method auth body for the user reference."""
    user = dict(user or {'name': 'admin', 'domain': {'id': 'default'}},
                password=password)
    body = {'auth': {'identity': {'methods': ['password'],
                                  'password': {'user': user}}}}
    if scope is not None:
        body['auth']['scope'] = scope
    return body


def token_body(token_id, scope=None):
    """Return a token-method auth body."""
    body = {'auth': {'identity': {'methods': ['token'],
                                  'token': {'id': token_id}}}}
    if scope is not None:
        body['auth']['scope'] = scope
    return body


def issue(api, body, listener='public', query=''):
    """POST /v3/auth/tokens; return the response."""
    return api.request('POST', TOKENS + query, body, listener=listener)


def issued(api, body, listener='public', query=''):
    """POST /v3/auth/tokens, assert 201; return ``(token id, body)``."""
    response = issue(api, body, listener, query)
    assert response.status_int == 201, response.text
    return response.headers['X-Subject-Token'], response.json['token']


def on_subject(api, caller, subject, method='GET', listener='public',
               query=''):
    """Send ``method`` /v3/auth/tokens about ``subject``; return response."""
    return api.request(method, TOKENS + query, token=caller,
                       listener=listener,
                       headers={'X-Subject-Token': subject})


def stable_headers(response):
    """Return the response headers minus those differing by nature."""
    return sorted((name.lower(), value) for name, value
                  in response.headerlist
                  if name.lower() not in VOLATILE_HEADERS)
