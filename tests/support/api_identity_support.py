"""Helpers of the identity API tests (groups, grants, implied roles, role
assignments, project trees, system scope). No tests here.

Entities are made through the API with the ``admin`` fixture's caller, so
each helper also checks the status Keystone answers. Logins go through
``POST /v3/auth/tokens`` on the public listener.
"""

from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

PASSWORD = users_support.PASSWORD
BASE = 'http://localhost/v3'


def created(admin, collection, **fields):
    """POST /<collection> with ``fields``; assert 201; return the entity."""
    member = collection[:-1]
    response = admin('POST', '/' + collection, {member: fields})
    assert response.status_int == 201, response.text
    return response.json[member]


def assert_no_content(response):
    """Assert an empty 204 (grants, checks, deletes)."""
    assert response.status_int == 204, response.text
    assert response.body == b''


def role_id(api, name):
    """Return the id of a bootstrapped role."""
    return api.roles[name]['id']


def grant_path(role, user=None, group=None, project=None, domain=None,
               inherited=False):
    """Return the path of one grant, as Keystone lays it out.

    Neither a project nor a domain means the system.
    """
    actor = 'users/%s' % user if user is not None else 'groups/%s' % group
    if project is not None:
        target = 'projects/%s' % project
    elif domain is not None:
        target = 'domains/%s' % domain
    else:
        target = 'system'
    if inherited:
        return '/OS-INHERIT/%s/%s/roles/%s/inherited_to_projects' % (
            target, actor, role)
    return '/%s/%s/roles/%s' % (target, actor, role)


def put_grant(admin, role, **where):
    """Grant ``role`` (see :func:`grant_path`); assert 204."""
    assert_no_content(admin('PUT', grant_path(role, **where)))


def add_member(admin, group_id, user_id):
    """Put the user in the group; assert 204."""
    assert_no_content(admin('PUT', '/groups/%s/users/%s'
                            % (group_id, user_id)))


def role_assignments(admin, query=''):
    """GET /role_assignments?<query>; assert 200; return the entries."""
    response = admin('GET', '/role_assignments' + ('?' + query if query
                                                   else ''))
    assert response.status_int == 200, response.text
    return response.json['role_assignments']


def user(admin, name, **fields):
    """Create a user with :data:`PASSWORD` through the API; return it."""
    return created(admin, 'users', name=name, password=PASSWORD, **fields)


def login(api, user_id, scope=None, query=''):
    """Log the user in with :data:`PASSWORD`; return (token id, body)."""
    body = auth_support.password_body(PASSWORD, {'id': user_id}, scope)
    return auth_support.issued(api, body, query=query)


def login_status(api, user_id, scope=None):
    """Return the status of a login attempt of the user."""
    body = auth_support.password_body(PASSWORD, {'id': user_id}, scope)
    return auth_support.issue(api, body).status_int


def validated(api, token_id):
    """Validate ``token_id`` as the admin; return the response."""
    return auth_support.on_subject(
        api, users_support.admin_token(api), token_id)


def role_names(token_body):
    """Return the sorted role names of a token body."""
    return sorted(role['name'] for role in token_body['roles'])


def url(path):
    """Return the absolute URL the tests' requests see for ``path``."""
    return BASE + path
