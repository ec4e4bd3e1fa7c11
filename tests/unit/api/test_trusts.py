"""``/v3/OS-TRUST/trusts``: create, read, list, delete, roles — shapes,
Keystone's checks and Keystone 30's policy."""

import datetime

import pytest

from keystone_like import policies
from tests.support import api as api_support
from tests.support import api_users_support as support
from tests.support import trust_support
from tests.support.trust_support import DROP

pytestmark = pytest.mark.timeout(120)
TRUSTS = trust_support.TRUSTS


def _future(**delta):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        **delta)
    return at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def test_create_answers_keystones_document(trust_world):
    world = trust_world
    response = world.create(expires_at='2090-01-02T03:04:05.678901Z',
                            remaining_uses=3, colour='blue')
    assert response.status_int == 201, response.text
    trust = response.json['trust']
    base = 'http://localhost/v3/OS-TRUST/trusts/' + trust['id']
    member = world.api.roles['member']
    assert trust == {
        'id': trust['id'], 'trustor_user_id': world.tor['id'],
        'trustee_user_id': world.tee['id'],
        'project_id': world.project['id'], 'impersonation': False,
        # Keystone keeps whole seconds.
        'expires_at': '2090-01-02T03:04:05.000000Z', 'remaining_uses': 3,
        'deleted_at': None, 'redelegated_trust_id': None,
        'redelegation_count': 0, 'colour': 'blue',
        'links': {'self': base},
        'roles': [{'id': member['id'], 'name': 'member', 'domain_id': None,
                   'description': None, 'options': member['options'],
                   'links': {'self': 'http://localhost/v3/roles/'
                                     + member['id']}}],
        'roles_links': {'self': base + '/roles', 'next': None,
                        'previous': None}}
    shown = world.get('/OS-TRUST/trusts/' + trust['id'])
    assert shown.status_int == 200 and shown.json == {'trust': trust}
    head = world.get('/OS-TRUST/trusts/' + trust['id'], method='HEAD')
    assert head.status_int == 200 and head.body == b''


def test_roles_by_id_name_and_implication(trust_world):
    world = trust_world
    # The trustor holds reader through member: it may delegate it.
    trust = world.created(roles=[{'id': world.role_id('reader')},
                                 {'name': 'member'}])
    assert {r['name'] for r in trust['roles']} == {'member', 'reader'}
    roles = world.get('/OS-TRUST/trusts/%s/roles' % trust['id'])
    assert roles.status_int == 200
    assert roles.json['links']['self'].endswith(
        '/OS-TRUST/trusts/%s/roles' % trust['id'])
    assert sorted(r['name'] for r in roles.json['roles']) == [
        'member', 'reader']
    one = world.get('/OS-TRUST/trusts/%s/roles/%s' % (
        trust['id'], world.role_id('reader')))
    assert one.status_int == 200 and one.json['role']['name'] == 'reader'
    for method in ('GET', 'HEAD'):
        missing = world.get('/OS-TRUST/trusts/%s/roles/%s' % (
            trust['id'], world.role_id('admin')), method=method)
        assert missing.status_int == 404


@pytest.mark.parametrize('fields, status, message', [
    ({'roles': []}, 403, 'You are not authorized to perform the requested '
     'action: At least one role should be specified.'),
    ({'roles': [{'name': 'admin'}]}, 404, 'Could not find role: {admin}.'),
    ({'roles': [{'id': 'nope'}]}, 404, 'Could not find role: nope.'),
    ({'roles': [{'name': 'nope'}]}, 404, 'Role nope is not defined'),
    ({'project_id': DROP}, 404, 'Could not find role: {member}.'),
    ({'trustee_user_id': 'nope'}, 404, 'Could not find user: nope.'),
    ({'project_id': 'nope'}, 404, 'Could not find project: nope.'),
    ({'expires_at': '2000-01-01T00:00:00Z'}, 400,
     "The 'expires_at' must not be before now."),
    ({'expires_at': 'bad.123Z'}, 400, 'Timestamp not in expected format.'),
    ({'remaining_uses': 0}, 400,
     "Invalid input for field 'trust.remaining_uses': must be at least 1."),
    ({'impersonation': DROP}, 400, "'impersonation' is a required"),
    ({'impersonation': 'true'}, 400, 'expected boolean'),
    ({'roles': [{}]}, 400, 'must not be empty'),
    ({'roles': [{'id': 'a', 'name': 'b'}]}, 400, 'too many properties'),
    ({'trustor_user_id': 'x\x00'}, 400, 'expected format'),
    ({'allow_redelegation': True, 'redelegation_count': 4}, 403,
     'You are not authorized to perform the requested action.'),
    ({'allow_redelegation': True, 'remaining_uses': 2}, 400,
     'remaining_uses must not be set if redelegation is allowed'),
])
def test_create_refusals(trust_world, fields, status, message):
    world = trust_world
    response = world.create(**fields)
    text = support.assert_error(response, status)
    assert message.format(admin=world.role_id('admin'),
                          member=world.role_id('member')) in text


def test_only_the_trustor_creates_with_a_project_token(trust_world):
    world = trust_world
    api = world.api
    as_tee = world.create(token=world.token(world.tee),
                          trustor_user_id=world.tee['id'])
    # The trustee holds no role on the project.
    assert support.assert_error(as_tee, 404).startswith('Could not find role')
    for token in (world.token(world.tee), support.admin_token(api)):
        message = support.assert_error(world.create(token=token), 403)
        assert message.endswith('identity:create_trust.')
    # create_trust is project scoped only: a system admin cannot.
    system = support.issue_token(api.admin_user['id'], system='all')
    response = world.create(token=system,
                            trustor_user_id=api.admin_user['id'])
    support.assert_error(response, 403)
    # An unscoped token counts as project scope for oslo.policy.
    assert world.create(token=world.token(world.tor)).status_int == 201


def test_duplicate_with_the_same_expiry_conflicts(trust_world):
    world = trust_world
    expiry = _future(days=1)
    world.created(expires_at=expiry)
    support.assert_error(world.create(expires_at=expiry), 409)
    # Without an expiry, as in Keystone, any number.
    world.created()
    world.created()


def test_redelegation_count_defaults(trust_world):
    world = trust_world
    assert world.created(allow_redelegation=True)['redelegation_count'] == 3
    assert world.created(allow_redelegation=True, redelegation_count=None,
                         expires_at=_future(days=1))[
        'redelegation_count'] == 3
    assert world.created(allow_redelegation=True, redelegation_count=0,
                         expires_at=_future(days=2))[
        'redelegation_count'] == 0
    # Without allow_redelegation the count is 0 whatever is asked.
    assert world.created(redelegation_count=2, expires_at=_future(days=3))[
        'redelegation_count'] == 0
    # A client cannot claim a parent trust.
    assert world.created(redelegated_trust_id='x', expires_at=_future(
        days=4))['redelegated_trust_id'] is None


def _codes(world, trust_id, token):
    paths = ['/OS-TRUST/trusts/' + trust_id,
             '/OS-TRUST/trusts/%s/roles' % trust_id,
             '/OS-TRUST/trusts/%s/roles/%s' % (trust_id,
                                               world.role_id('member'))]
    return [world.get(path, token).status_int for path in paths]


def test_who_reads_a_trust(trust_world):
    world = trust_world
    api = world.api
    trust = world.created()
    reader = support.make_user(api, 'sysreader', role=None)
    with api.database.session() as session:
        api_support.grant(session, 'user', reader['id'], 'system', None,
                          api.roles['reader']['id'])
    expected = [
        (world.tor_token, 200), (world.token(world.tee), 200),
        (support.admin_token(api), 200),
        (support.issue_token(reader['id'], system='all'), 200),
        (world.token(world.other), 403),
        # A domain admin has no say over users' trusts.
        (support.issue_token(api.admin_user['id'], domain_id='default'),
         403),
    ]
    for token, status in expected:
        assert _codes(world, trust['id'], token) == [status] * 3


def test_unknown_trust_is_404_before_policy(trust_world):
    world = trust_world
    other = world.token(world.other)
    for method in ('GET', 'DELETE'):
        response = world.api.request(method, TRUSTS + '/nope', token=other)
        assert support.assert_error(response, 404) == (
            'Could not find trust: nope.')
    assert _codes(world, 'nope', other) == [404, 404, 404]


def test_who_deletes_a_trust(trust_world):
    world = trust_world
    api = world.api
    trust = world.created()
    for token in (world.token(world.tee), world.token(world.other)):
        response = api.request('DELETE', TRUSTS + '/' + trust['id'],
                               token=token)
        assert support.assert_error(response, 403).endswith(
            'identity:delete_trust.')
    for token in (world.tor_token, support.admin_token(api)):
        trust = world.created()
        response = api.request('DELETE', TRUSTS + '/' + trust['id'],
                               token=token)
        assert response.status_int == 204
        assert world.get('/OS-TRUST/trusts/' + trust['id']).status_int == 404


def test_an_expired_trust_is_not_found_but_can_be_deleted(trust_world):
    world = trust_world
    trust = world.created(remaining_uses=1)
    world.trust_token(trust['id'])
    assert world.get('/OS-TRUST/trusts/' + trust['id']).status_int == 404
    listed = world.get(TRUSTS[3:] + '?trustor_user_id=' + world.tor['id'])
    assert [t['remaining_uses'] for t in listed.json['trusts']] == [0]
    response = world.api.request('DELETE', TRUSTS + '/' + trust['id'],
                                 token=world.tor_token)
    assert response.status_int == 204


def test_list_filters_and_policy(trust_world):
    world = trust_world
    api = world.api
    mine = world.created()
    other_project = trust_support.auth.make_project(api, 'op')
    trust_support.auth.grant(api, world.other['id'], 'member',
                             project_id=other_project['id'])
    theirs = world.created(token=world.token(world.other, other_project),
                           trustor_user_id=world.other['id'],
                           project_id=other_project['id'])
    by_tor = '/OS-TRUST/trusts?trustor_user_id=' + world.tor['id']
    by_tee = '/OS-TRUST/trusts?trustee_user_id=' + world.tee['id']
    tee_token = world.token(world.tee)

    def ids(path, token):
        response = world.get(path, token)
        assert response.status_int == 200, response.text
        assert 'roles' not in response.json['trusts'][0]
        return {t['id'] for t in response.json['trusts']}

    assert ids(by_tor, world.tor_token) == {mine['id']}
    assert ids(by_tee, tee_token) == {mine['id'], theirs['id']}
    both = by_tee + '&trustor_user_id=' + world.other['id']
    assert ids(both, world.token(world.other)) == {theirs['id']}
    admin = support.admin_token(api)
    assert ids('/OS-TRUST/trusts', admin) == {mine['id'], theirs['id']}
    for path, token, action in (
            (by_tor, tee_token, 'list_trusts_for_trustor'),
            (by_tee, world.tor_token, 'list_trusts_for_trustee'),
            ('/OS-TRUST/trusts', world.tor_token, 'list_trusts')):
        message = support.assert_error(world.get(path, token), 403)
        assert message.endswith('identity:%s.' % action)
    listed = world.get('/OS-TRUST/trusts?trustor_user_id=', admin)
    assert listed.json['trusts'] == []
    assert listed.json['links']['self'].endswith(
        '/v3/OS-TRUST/trusts?trustor_user_id=')


def test_trust_rules_are_keystone_30s():
    rules = {rule.name: rule for rule in policies.default_rules()
             if 'trust' in rule.name}
    reader = ('(rule:admin_required) or (role:reader and system_scope:all '
              'or user_id:%(target.trust.trustor_user_id)s or '
              'user_id:%(target.trust.trustee_user_id)s)')
    parties = ('user_id:%(target.trust.trustor_user_id)s or '
               'user_id:%(target.trust.trustee_user_id)s')
    expected = {
        'create_trust': ('user_id:%(target.trust.trustor_user_id)s',
                         ['project'], None),
        'list_trusts': ('rule:admin_required or (role:reader and '
                        'system_scope:all)', ['system', 'project'],
                        'rule:admin_required'),
        'list_trusts_for_trustor': (
            '(rule:admin_required) or (role:reader and system_scope:all '
            'or user_id:%(target.trust.trustor_user_id)s)',
            ['system', 'project'], None),
        'list_trusts_for_trustee': (
            '(rule:admin_required) or (role:reader and system_scope:all '
            'or user_id:%(target.trust.trustee_user_id)s)',
            ['system', 'project'], None),
        'list_roles_for_trust': (reader, ['system', 'project'], parties),
        'get_role_for_trust': (reader, ['system', 'project'], parties),
        'get_trust': (reader, ['system', 'project'], parties),
        'delete_trust': ('rule:admin_required or '
                         'user_id:%(target.trust.trustor_user_id)s',
                         ['system', 'project'],
                         'user_id:%(target.trust.trustor_user_id)s'),
    }
    assert set(rules) == {'identity:' + name for name in expected}
    for name, (check, scopes, deprecated) in expected.items():
        rule = rules['identity:' + name]
        assert (rule.check_str, rule.scope_types) == (check, scopes)
        assert (rule.deprecated_rule and rule.deprecated_rule.check_str) == (
            deprecated)


def test_json_home_has_keystones_trust_relations(identity_api):
    ext = ('https://docs.openstack.org/api/openstack-identity/3/ext/'
           'OS-TRUST/1.0/')
    trust_id = {'trust_id': ext + 'param/trust_id'}
    response = identity_api.request(
        'GET', '/v3', headers={'Accept': 'application/json-home'})
    resources = response.json['resources']
    assert resources[ext + 'rel/trusts'] == {'href': '/OS-TRUST/trusts'}
    assert resources[ext + 'rel/trust'] == {
        'href-template': '/OS-TRUST/trusts/{trust_id}', 'href-vars': trust_id}
    assert resources[ext + 'rel/trust_roles'] == {
        'href-template': '/OS-TRUST/trusts/{trust_id}/roles',
        'href-vars': trust_id}
    assert resources[ext + 'rel/trust_role'] == {
        'href-template': '/OS-TRUST/trusts/{trust_id}/roles/{role_id}',
        'href-vars': dict(trust_id, role_id='https://docs.openstack.org/api/'
                          'openstack-identity/3/param/role_id')}
