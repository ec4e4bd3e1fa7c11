"""``[resource] admin_project_name``: tokens say whether they are for the
cloud admin project (``is_admin_project``), and policy can confine the
admin role to that project.

As in Keystone 30 (read from its source): the token body carries
``is_admin_project`` only for project scope and only when both
``admin_project_name`` and ``admin_project_domain_name`` are set; policy
sees True for any other token but domain-scoped ones (keystonemiddleware's
default when the token says nothing).
"""

import json

from oslo_policy import opts as policy_opts
import pytest

from keystone_like import conf
from tests.support import api_auth_support as auth_support
from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)

CONFINED = {'admin_required': 'role:admin and is_admin_project:True'}


@pytest.fixture
def configure(request, database, tmp_path):
    """Return ``configure(name, domain_name, rules)``: set the options,
    then build and return the identity API (``identity_api``)."""
    changed = []

    def override(name, value, group):
        conf.CONF.set_override(name, value, group)
        changed.append((name, group))

    def build(name='admin', domain_name='Default', rules=None):
        for option, value in (('admin_project_name', name),
                              ('admin_project_domain_name', domain_name)):
            if value is not None:
                override(option, value, 'resource')
        if rules is not None:
            policy_opts.set_defaults(conf.CONF)  # registers the options
            path = tmp_path / 'policy.json'
            path.write_text(json.dumps(rules))
            override('policy_file', str(path), 'oslo_policy')
        return request.getfixturevalue('identity_api')
    yield build
    for name, group in changed:
        conf.CONF.clear_override(name, group)


def _admin_on(api, project_name, domain_id='default'):
    """Give the bootstrapped admin the admin role on a new project."""
    project = auth_support.make_project(api, project_name, domain_id)
    auth_support.grant(api, api.admin_user['id'], 'admin',
                       project_id=project['id'])
    return project


def _login(api, scope):
    return auth_support.issued(api, api.password_auth(scope=scope))


def test_project_tokens_say_whether_they_are_for_the_admin_project(
        configure):
    api = configure()
    ops = _admin_on(api, 'ops')
    token, body = _login(api, {'project': {'id': api.admin_project['id']}})
    assert body['is_admin_project'] is True
    assert ident.validated(api, token).json['token'][
        'is_admin_project'] is True
    token, body = _login(api, {'project': {'id': ops['id']}})
    assert body['is_admin_project'] is False
    assert ident.validated(api, token).json['token'][
        'is_admin_project'] is False


@pytest.mark.parametrize('scope', [
    {'domain': {'id': 'default'}}, {'system': {'all': True}}, None])
def test_other_scopes_carry_no_flag(configure, scope):
    api = configure()
    _token, body = _login(api, scope)
    assert 'is_admin_project' not in body


@pytest.mark.parametrize('name, domain_name', [
    (None, None), ('admin', None), (None, 'Default')])
def test_without_both_options_tokens_carry_no_flag(configure, name,
                                                   domain_name):
    api = configure(name, domain_name)
    _token, body = _login(api, {'project': {'id': api.admin_project['id']}})
    assert 'is_admin_project' not in body


def test_the_name_counts_in_its_domain_only(configure):
    api = configure()
    other = auth_support.make_domain(api, 'other')
    twin = _admin_on(api, 'admin', domain_id=other['id'])
    _token, body = _login(api, {'project': {'id': twin['id']}})
    assert body['is_admin_project'] is False


def _create_region(api, token):
    return api.request('POST', '/v3/regions', {'region': {}}, token=token)


def test_a_policy_can_confine_admin_to_the_admin_project(configure):
    api = configure(rules=CONFINED)
    ops = _admin_on(api, 'ops')
    there = support.issue_token(api.admin_user['id'],
                                project_id=api.admin_project['id'])
    assert _create_region(api, there).status_int == 201
    elsewhere = support.issue_token(api.admin_user['id'],
                                    project_id=ops['id'])
    message = support.assert_error(_create_region(api, elsewhere), 403)
    assert message == ('You are not authorized to perform the requested '
                       'action: identity:create_region.')
    # A system-scoped admin is not bound to a project.
    system = support.issue_token(api.admin_user['id'], system='all')
    assert _create_region(api, system).status_int == 201


def test_without_the_option_the_rule_lets_every_project_admin_in(configure):
    # No admin project configured: tokens say nothing and policy sees
    # is_admin_project True, so the confined rule is the plain one.
    api = configure(None, None, rules=CONFINED)
    ops = _admin_on(api, 'ops')
    token = support.issue_token(api.admin_user['id'], project_id=ops['id'])
    assert _create_region(api, token).status_int == 201


def test_by_default_admin_on_any_project_is_cloud_admin(configure):
    api = configure()
    ops = _admin_on(api, 'ops')
    token = support.issue_token(api.admin_user['id'], project_id=ops['id'])
    assert _create_region(api, token).status_int == 201
