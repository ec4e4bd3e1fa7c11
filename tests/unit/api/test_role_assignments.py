"""GET /v3/role_assignments: filters, ``effective`` (groups, inheritance,
implied and domain-specific roles), ``include_subtree``, ``include_names``,
links (assignment, membership, prior_role) and the 400s.

Every expected listing below is what Keystone 30 answered for the same
world (checked against a live one), unless a comment says otherwise.
"""

import json

import pytest

from keystone_like.store import domains
from keystone_like.store import groups
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users
from tests.support import api
from tests.support import api_identity_support as ident
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def world(identity_api):
    """Domain d: projects p1 > p2 > p3; users u and u2 in group g; roles
    a (implies b), c, and dr (specific to d, implies c).

    Grants: u a on p2, u dr on p1, g c on d, g b inherited on d, u c
    inherited on p1, u a on the system, g c on the system. Made in the
    store: these tests are about the listing.
    """
    with identity_api.database.session() as session:
        ids = {'d': domains.create_domain(session, {'name': 'd'})['id']}
        parent = None
        for name in ('p1', 'p2', 'p3'):
            parent = ids[name] = projects.create_project(session, {
                'name': name, 'domain_id': ids['d'],
                'parent_id': parent})['id']
        for name, domain_id in (('a', None), ('b', None), ('c', None),
                                ('dr', ids['d'])):
            ids[name] = roles.create_role(session, {
                'name': name, 'domain_id': domain_id})['id']
        for prior, implied in (('a', 'b'), ('dr', 'c')):
            roles.create_rule(session, ids[prior], ids[implied])
        ids['g'] = groups.create_group(session, {
            'name': 'g', 'domain_id': ids['d']})['id']
        for name in ('u', 'u2'):
            ids[name] = users.create_user(session, {
                'name': name, 'domain_id': ids['d']})['id']
            groups.add_member(session, ids['g'], ids[name])
        for role, actor, target, inherited in (
                ('a', 'u', ('project', 'p2'), False),
                ('dr', 'u', ('project', 'p1'), False),
                ('c', 'g', ('domain', 'd'), False),
                ('b', 'g', ('domain', 'd'), True),
                ('c', 'u', ('project', 'p1'), True),
                ('a', 'u', ('system', None), False),
                ('c', 'g', ('system', None), False)):
            api.grant(session, 'group' if actor == 'g' else 'user',
                      ids[actor], target[0], ids.get(target[1], ''),
                      ids[role], inherited)
    return ids


def _entry(ids, role, actor, scope, via=None, member_of=None, prior=None):
    """One expected entry, by the world's names.

    ``actor`` and ``scope`` are ``(kind, name)`` (scope ``None``: system);
    ``via`` is the grant's own ``(kind, name)`` target when it was
    inherited from there; ``member_of`` the group it came through; ``prior``
    the role that implied ``role``.
    """
    kind, name = actor
    entry = {'role': {'id': ids[role]}, kind: {'id': ids[name]},
             'links': {}}
    if scope is None:
        entry['scope'] = {'system': {'all': True}}
        target = '/system'
    else:
        entry['scope'] = {scope[0]: {'id': ids[scope[1]]}}
        source = via or scope
        target = '/%ss/%s' % (source[0], ids[source[1]])
    if member_of is not None:
        target += '/groups/%s' % ids[member_of]
        entry['links']['membership'] = ident.url(
            '/groups/%s/users/%s' % (ids[member_of], ids[name]))
    else:
        target += '/%ss/%s' % (kind, ids[name])
    path = '%s/roles/%s' % (target, ids[prior or role])
    if prior is not None:
        entry['links']['prior_role'] = ident.url(
            '/prior_role/%s/implies/%s' % (ids[role], ids[prior]))
    if via is not None:
        entry['scope']['OS-INHERIT:inherited_to'] = 'projects'
        path = '/OS-INHERIT%s/inherited_to_projects' % path
    entry['links']['assignment'] = ident.url(path)
    return entry


def _sorted(entries):
    return sorted(entries, key=lambda e: json.dumps(e, sort_keys=True))


def _listed(admin, world, query):
    """The entries of ``GET /role_assignments?query`` ({name} ids filled)."""
    return _sorted(ident.role_assignments(admin, query.format(**world)))


U, U2, G = ('user', 'u'), ('user', 'u2'), ('group', 'g')
D, P1, P2, P3 = ('domain', 'd'), ('project', 'p1'), ('project', 'p2'), (
    'project', 'p3')


def test_direct_assignments_of_a_user_and_a_group(admin, world):
    assert _listed(admin, world, 'user.id={u}') == _sorted([
        _entry(world, 'c', U, P1, via=P1),
        _entry(world, 'dr', U, P1),
        _entry(world, 'a', U, P2),
        _entry(world, 'a', U, None)])
    assert _listed(admin, world, 'group.id={g}') == _sorted([
        _entry(world, 'b', G, D, via=D),
        _entry(world, 'c', G, D),
        _entry(world, 'c', G, None)])
    assert _listed(admin, world, 'user.id={u2}') == []


def test_effective_assignments_of_a_user(admin, world):
    # Group grants become the member's (membership link), inherited ones
    # one per project below, implied roles appear with their prior role,
    # the domain-specific role dr only through the role it implies.
    expected = [_entry(world, 'b', U, p, via=D, member_of='g')
                for p in (P1, P2, P3)]
    expected += [_entry(world, 'c', U, p, via=P1) for p in (P2, P3)]
    expected += [_entry(world, 'c', U, D, member_of='g'),
                 _entry(world, 'c', U, P1, prior='dr'),
                 _entry(world, 'b', U, P2, prior='a'),
                 _entry(world, 'a', U, P2)]
    assert _listed(admin, world, 'user.id={u}&effective') == _sorted(
        expected)
    assert _listed(admin, world, 'user.id={u2}&effective') == _sorted(
        [_entry(world, 'b', U2, p, via=D, member_of='g')
         for p in (P1, P2, P3)] + [_entry(world, 'c', U2, D, member_of='g')])


def test_effective_on_one_project(admin, world):
    # p1's own inherited grant (c) reaches below p1, not p1.
    assert _listed(admin, world, 'scope.project.id={p1}&effective') == (
        _sorted([_entry(world, 'b', U, P1, via=D, member_of='g'),
                 _entry(world, 'b', U2, P1, via=D, member_of='g'),
                 _entry(world, 'c', U, P1, prior='dr')]))
    assert _listed(admin, world, 'scope.project.id={p2}&effective') == (
        _sorted([_entry(world, 'b', U, P2, via=D, member_of='g'),
                 _entry(world, 'b', U2, P2, via=D, member_of='g'),
                 _entry(world, 'c', U, P2, via=P1),
                 _entry(world, 'b', U, P2, prior='a'),
                 _entry(world, 'a', U, P2)]))
    assert _listed(admin, world, 'scope.project.id={p3}&effective') == (
        _sorted([_entry(world, 'b', U, P3, via=D, member_of='g'),
                 _entry(world, 'b', U2, P3, via=D, member_of='g'),
                 _entry(world, 'c', U, P3, via=P1)]))


def test_a_project_and_its_subtree(admin, world):
    assert _listed(admin, world, 'scope.project.id={p1}') == _sorted([
        _entry(world, 'c', U, P1, via=P1), _entry(world, 'dr', U, P1)])
    assert _listed(admin, world, 'scope.project.id={p1}&include_subtree'
                   '=true') == _sorted([_entry(world, 'c', U, P1, via=P1),
                                        _entry(world, 'dr', U, P1),
                                        _entry(world, 'a', U, P2)])
    expected = [_entry(world, 'b', user, p, via=D, member_of='g')
                for user in (U, U2) for p in (P1, P2, P3)]
    expected += [_entry(world, 'c', U, p, via=P1) for p in (P2, P3)]
    expected += [_entry(world, 'c', U, P1, prior='dr'),
                 _entry(world, 'b', U, P2, prior='a'),
                 _entry(world, 'a', U, P2)]
    assert _listed(admin, world, 'scope.project.id={p1}&include_subtree='
                   'true&effective') == _sorted(expected)
    below = [_entry(world, 'b', U2, p, via=D, member_of='g')
             for p in (P2, P3)]
    assert _listed(admin, world, 'scope.project.id={p2}&include_subtree='
                   'true&effective&user.id={u2}') == _sorted(below)


def test_a_domain(admin, world):
    assert _listed(admin, world, 'scope.domain.id={d}') == _sorted([
        _entry(world, 'b', G, D, via=D), _entry(world, 'c', G, D)])
    # Inherited grants never apply to the domain itself.
    assert _listed(admin, world, 'scope.domain.id={d}&effective') == (
        _sorted([_entry(world, 'c', user, D, member_of='g')
                 for user in (U, U2)]))


def test_inherited_grants(admin, world):
    # Deliberate difference: Keystone 30 also lists the actor's system
    # grants under this filter, though they are never inherited.
    query = 'scope.OS-INHERIT:inherited_to=projects'
    assert _listed(admin, world, query + '&user.id={u}') == [
        _entry(world, 'c', U, P1, via=P1)]
    assert _listed(admin, world, query + '&group.id={g}') == [
        _entry(world, 'b', G, D, via=D)]
    assert _listed(admin, world, query + '&effective&user.id={u}') == (
        _sorted([_entry(world, 'b', U, p, via=D, member_of='g')
                 for p in (P1, P2, P3)]
                + [_entry(world, 'c', U, p, via=P1) for p in (P2, P3)]))


def test_the_system(admin, world):
    assert _listed(admin, world, 'scope.system=all&user.id={u}') == [
        _entry(world, 'a', U, None)]
    assert _listed(admin, world, 'scope.system=all&group.id={g}') == [
        _entry(world, 'c', G, None)]


def test_a_role_filter_applies_after_expansion(admin, world):
    assert _listed(admin, world, 'role.id={b}&user.id={u}') == []
    assert _listed(admin, world, 'role.id={b}&user.id={u}&effective') == (
        _sorted([_entry(world, 'b', U, p, via=D, member_of='g')
                 for p in (P1, P2, P3)]
                + [_entry(world, 'b', U, P2, prior='a')]))
    assert _listed(admin, world,
                   'role.id={c}&effective&scope.project.id={p3}') == [
        _entry(world, 'c', U, P3, via=P1)]
    assert _listed(admin, world, 'role.id={dr}&effective') == []


def test_include_names(admin, world):
    d = {'id': world['d'], 'name': 'd'}
    [entry] = ident.role_assignments(admin, 'include_names&user.id=%s&'
                                     'scope.project.id=%s' % (world['u'],
                                                              world['p2']))
    assert entry['role'] == {'id': world['a'], 'name': 'a'}
    assert entry['user'] == {'id': world['u'], 'name': 'u', 'domain': d}
    assert entry['scope'] == {'project': {'id': world['p2'], 'name': 'p2',
                                          'domain': d}}
    assert entry['links'] == _entry(world, 'a', U, P2)['links']
    named = ident.role_assignments(admin, 'include_names&group.id=%s'
                                   % world['g'])
    assert {e['scope'].get('domain', {}).get('name') for e in named} == {
        'd', None}
    assert all(e['group'] == {'id': world['g'], 'name': 'g', 'domain': d}
               for e in named)
    [system] = ident.role_assignments(admin, 'include_names&scope.system='
                                      'all&user.id=%s' % world['u'])
    assert system['scope'] == {'system': {'all': True}}
    assert system['role'] == {'id': world['a'], 'name': 'a'}


def test_domain_specific_roles_name_their_domain(admin, world):
    [entry] = ident.role_assignments(
        admin, 'include_names&role.id=%s' % world['dr'])
    assert entry['role'] == {'id': world['dr'], 'name': 'dr',
                             'domain': {'id': world['d'], 'name': 'd'}}


def test_unfiltered_listing_and_links(admin, world):
    body = admin('GET', '/role_assignments').json
    # The bootstrapped admin's three grants, and the world's seven.
    assert len(body['role_assignments']) == 10
    assert body['links'] == {'self': ident.url('/role_assignments'),
                             'previous': None, 'next': None}
    query = 'user.id=%s&effective' % world['u']
    assert admin('GET', '/role_assignments?' + query).json['links'][
        'self'] == ident.url('/role_assignments?' + query)


UNKNOWN_IDS = [
    'user.id=nobody', 'user.id=nobody&effective', 'group.id=nobody',
    'role.id=nothing', 'scope.project.id=nowhere',
    # Keystone 30 answers 500 to this one.
    'scope.project.id=nowhere&include_subtree=true',
    'scope.domain.id=nowhere&effective']

USELESS = [
    ('scope.domain.id={d}&scope.project.id={p1}',
     'Specify a domain or project, not both'),
    ('scope.system=all&scope.project.id={p1}',
     'Specify system or project, not both'),
    ('scope.system=all&scope.domain.id={d}',
     'Specify system or domain, not both'),
    # Keystone's message here is a raw schema error.
    ('user.id={u}&group.id={g}', 'Specify a user or group, not both'),
    ('effective&group.id={g}', 'Combining effective and group filter will '
     'always result in an empty list.'),
    ('effective&scope.domain.id={d}&scope.OS-INHERIT:inherited_to=projects',
     'Combining effective, domain and inherited filters will always result '
     'in an empty list.'),
    # Keystone's message: "'scope.project.id' is a dependency of
    # 'include_subtree'".
    ('include_subtree=true', 'scope.project.id must be specified if '
     'include_subtree is also specified'),
    ('include_subtree=true&scope.domain.id={d}', 'scope.project.id must be '
     'specified if include_subtree is also specified')]


def test_unknown_ids_give_empty_lists(admin, world):
    for query in UNKNOWN_IDS:
        assert ident.role_assignments(admin, query) == [], query


def test_useless_combinations_are_400(admin, world):
    for query, message in USELESS:
        response = admin('GET', '/role_assignments?' + query.format(**world))
        assert support.assert_error(response, 400) == message, query


def test_a_domain_scoped_caller_sees_its_domain(identity_api, admin, world):
    boss = ident.user(admin, 'boss', domain_id=world['d'])
    ident.put_grant(admin, ident.role_id(identity_api, 'admin'),
                    user=boss['id'], domain=world['d'])
    token, _body = ident.login(identity_api, boss['id'],
                               {'domain': {'id': world['d']}})
    response = identity_api.request('GET', '/v3/role_assignments',
                                    token=token)
    assert response.status_int == 200, response.text
    # The world's five grants in d and boss's own; not the admin's in the
    # Default domain, nor system grants.
    entries = response.json['role_assignments']
    assert len(entries) == 6
    assert {(e['scope'].get('project') or e['scope'].get('domain'))['id']
            for e in entries} == {world['d'], world['p1'], world['p2']}
