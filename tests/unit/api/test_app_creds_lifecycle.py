"""What ends an application credential and its tokens: its user, project
or one of its roles deleted, the user losing roles on the project, the
project or the user disabled — each checked through the API, on both
backends, with tokens issued before the change."""

import pytest

from tests.support import api_app_creds_support as support
from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def admin(identity_api):
    token = users_support.admin_token(identity_api)

    def send(method, path, body=None):
        return identity_api.request(method, '/v3' + path, body, token=token)
    return send


def _validated(api, token_id):
    """Return the validated token body, or None if it no longer is."""
    response = auth_support.on_subject(
        api, users_support.admin_token(api), token_id)
    if response.status_int == 404:
        return None
    assert response.status_int == 200, response.text
    return response.json['token']


def _grant_path(owner, role):
    return '/projects/%s/users/%s/roles/%s' % (
        owner.project['id'], owner.id, role['id'])


def _cred_exists(api, owner, cred, admin):
    return admin('GET', owner.path(cred['id'])[3:]).status_int == 200


def test_deleting_the_user_deletes_its_credentials_and_rules(
        identity_api, admin):
    api = identity_api
    owner = support.make_owner(api)
    cred = support.created(api, owner, access_rules=[
        {'service': 'compute', 'method': 'GET', 'path': '/servers'}])
    token_id, _ = support.login(api, cred)
    assert admin('DELETE', '/users/' + owner.id).status_int == 204
    assert _validated(api, token_id) is None
    assert not _cred_exists(api, owner, cred, admin)
    response = auth_support.issue(api, support.auth_body(cred))
    users_support.assert_error(response, 404)
    rules = admin('GET', owner.rules_path()[3:])
    assert rules.status_int == 403  # the user is gone: no target


def test_losing_a_role_takes_it_out_of_the_tokens(identity_api, admin):
    api = identity_api
    owner = support.make_owner(api, roles=('member', 'reader'))
    cred = support.created(api, owner, roles=[{'name': 'member'}])
    token_id, token = support.login(api, cred)
    assert support.role_names(token) == ['member', 'reader']
    member = api.roles['member']
    assert admin('DELETE', _grant_path(owner, member)).status_int == 204
    # Keystone's rule: the credential stays, its tokens keep only the
    # roles the user still holds on the project.
    assert support.role_names(_validated(api, token_id)) == ['reader']
    _, fresh = support.login(api, cred)
    assert support.role_names(fresh) == ['reader']
    assert admin('PUT', _grant_path(owner, member)).status_int == 204
    assert support.role_names(_validated(api, token_id)) == [
        'member', 'reader']


def test_losing_every_role_invalidates(identity_api, admin):
    api = identity_api
    owner = support.make_owner(api, roles=('member', 'reader'))
    cred = support.created(api, owner, roles=[{'name': 'member'}])
    token_id, _ = support.login(api, cred)
    for role in ('member', 'reader'):
        admin('DELETE', _grant_path(owner, api.roles[role]))
    assert _validated(api, token_id) is None
    response = auth_support.issue(api, support.auth_body(cred))
    users_support.assert_error(response, 401)
    # It was not deleted: the role back, it works again.
    admin('PUT', _grant_path(owner, api.roles['reader']))
    assert support.role_names(_validated(api, token_id)) == ['reader']


def test_deleting_a_role_deletes_the_credentials_naming_it(identity_api,
                                                           admin):
    api = identity_api
    custom = admin('POST', '/roles', {'role': {'name': 'custom'}}).json[
        'role']
    owner = support.make_owner(api)
    assert admin('PUT', _grant_path(owner, custom)).status_int == 204
    owner.token = users_support.issue_token(
        owner.id, project_id=owner.project['id'])
    with_custom = support.created(api, owner, roles=[{'id': custom['id']}])
    without = support.created(api, owner, roles=[{'name': 'member'}])
    token_id, _ = support.login(api, with_custom)
    assert admin('DELETE', '/roles/' + custom['id']).status_int == 204
    assert not _cred_exists(api, owner, with_custom, admin)
    assert _cred_exists(api, owner, without, admin)
    assert _validated(api, token_id) is None


def test_a_disabled_project_refuses_and_invalidates(identity_api, admin):
    api = identity_api
    owner = support.make_owner(api)
    cred = support.created(api, owner)
    token_id, _ = support.login(api, cred)
    project_id = owner.project['id']
    assert admin('PATCH', '/projects/' + project_id,
                 {'project': {'enabled': False}}).status_int == 200
    assert _validated(api, token_id) is None
    response = auth_support.issue(api, support.auth_body(cred))
    assert users_support.assert_error(response, 404) == (
        'Unable to validate token because project %s is disabled'
        % project_id)
    admin('PATCH', '/projects/' + project_id,
          {'project': {'enabled': True}})
    support.login(api, cred)


def test_deleting_the_project_deletes_its_credentials(identity_api, admin):
    api = identity_api
    owner = support.make_owner(api)
    cred = support.created(api, owner)
    token_id, _ = support.login(api, cred)
    project_id = owner.project['id']
    admin('PATCH', '/projects/' + project_id,
          {'project': {'enabled': False}})
    assert admin('DELETE', '/projects/' + project_id).status_int == 204
    assert not _cred_exists(api, owner, cred, admin)
    assert _validated(api, token_id) is None


def test_deleting_the_domain_deletes_its_users_credentials(identity_api,
                                                           admin):
    api = identity_api
    domain = auth_support.make_domain(api, support.unique('domain'))
    project = auth_support.make_project(api, support.unique('p'),
                                        domain_id=domain['id'])
    user = auth_support.make_user(api, support.unique('u'),
                                  support.PASSWORD, domain_id=domain['id'])
    auth_support.grant(api, user['id'], 'member', project_id=project['id'])
    owner = support.Owner(user=user, project=project,
                          token=users_support.issue_token(
                              user['id'], project_id=project['id']))
    cred = support.created(api, owner)
    admin('PATCH', '/domains/' + domain['id'],
          {'domain': {'enabled': False}})
    assert admin('DELETE', '/domains/' + domain['id']).status_int == 204
    response = auth_support.issue(api, support.auth_body(cred))
    users_support.assert_error(response, 404)


def test_a_disabled_user_is_refused_until_enabled_again(identity_api,
                                                        admin):
    api = identity_api
    owner = support.make_owner(api)
    cred = support.created(api, owner)
    token_id, _ = support.login(api, cred)
    admin('PATCH', '/users/' + owner.id, {'user': {'enabled': False}})
    assert _validated(api, token_id) is None
    users_support.assert_error(
        auth_support.issue(api, support.auth_body(cred)), 401)
    admin('PATCH', '/users/' + owner.id, {'user': {'enabled': True}})
    support.login(api, cred)
