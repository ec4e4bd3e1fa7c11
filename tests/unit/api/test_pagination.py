"""Paginated lists: ``?limit=``, ``?marker=``, ``list_limit``, ``truncated``.

Keystone's shapes: a cut page has ``"truncated": true`` and a
``links.next`` URL repeating the query with ``marker`` (the page's last
id) and ``limit``; entities come ordered by id.
"""

import pytest
from oslo_config import cfg

from keystone_like import conf
from keystone_like.conf import resource
from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(120)

V3 = 'http://localhost/v3'


def _endpoint_body(admin, index):
    service = admin('POST', '/services', {'service': {'type': 'e%d' % index}})
    return {'endpoint': {'service_id': service.json['service']['id'],
                         'interface': 'public', 'url': 'http://x/'}}


# Collection path, member key, body of a new member.
COLLECTIONS = {
    'users': ('user', lambda admin, i: {'user': {'name': 'u%d' % i}}),
    'projects': ('project', lambda admin, i: {'project': {'name': 'p%d' % i}}),
    'domains': ('domain', lambda admin, i: {'domain': {'name': 'd%d' % i}}),
    'roles': ('role', lambda admin, i: {'role': {'name': 'r%d' % i}}),
    'regions': ('region', lambda admin, i: {'region': {}}),
    'services': ('service', lambda admin, i: {'service': {'type': 's%d' % i}}),
    'endpoints': ('endpoint', _endpoint_body),
}


@pytest.fixture
def options():
    """Set options for one test: ``options(name, value, group=None)``."""
    changed = []

    def override(name, value, group=None):
        conf.CONF.set_override(name, value, group)
        changed.append((name, group))
    yield override
    for name, group in changed:
        conf.CONF.clear_override(name, group)


def populate(admin, collection, count=3):
    """Create ``count`` members of ``collection``; return every id, sorted."""
    member, body = COLLECTIONS[collection]
    for index in range(count):
        response = admin('POST', '/' + collection, body(admin, index))
        assert response.status_int == 201, response.text
    listed = admin('GET', '/' + collection).json[collection]
    return sorted(entity['id'] for entity in listed)


def relative(url):
    """Return the part of a /v3 URL the ``admin`` fixture takes."""
    assert url.startswith(V3 + '/'), url
    return url[len(V3):]


def walk(admin, path):
    """Follow ``links.next`` from ``path``; return the pages' documents."""
    pages = []
    while path is not None:
        response = admin('GET', path)
        assert response.status_int == 200, response.text
        pages.append(response.json)
        following = response.json['links']['next']
        path = relative(following) if following else None
        assert len(pages) < 50, 'links.next never ends'
    return pages


@pytest.mark.parametrize('collection', sorted(COLLECTIONS))
def test_limit_pages_through_every_list_by_id(admin, collection):
    every = populate(admin, collection)
    pages = walk(admin, '/%s?limit=2' % collection)
    ids = [entity['id'] for page in pages for entity in page[collection]]
    assert ids == every
    for page in pages[:-1]:
        assert len(page[collection]) == 2
        assert page['truncated'] is True
    assert 'truncated' not in pages[-1]
    assert pages[-1]['links']['next'] is None


def test_next_link_is_keystones(admin):
    every = populate(admin, 'users')
    body = admin('GET', '/users?limit=1').json
    assert body['links'] == {
        'self': V3 + '/users?limit=1', 'previous': None,
        'next': V3 + '/users?limit=1&marker=' + every[0]}
    assert body['truncated'] is True
    # Other parameters stay, first value only, in their order; the
    # marker is replaced in place.
    body = admin('GET', '/users?foo=1&domain_id=default&foo=2&marker=%s'
                 '&limit=1' % every[0]).json
    assert [u['id'] for u in body['users']] == [every[1]]
    assert body['links']['next'] == (
        V3 + '/users?foo=1&domain_id=default&marker=%s&limit=1' % every[1])


def test_exactly_full_page_is_not_truncated(admin):
    body = admin('GET', '/users?name=admin&limit=1').json
    assert [u['name'] for u in body['users']] == ['admin']
    assert 'truncated' not in body
    assert body['links']['next'] is None


def test_list_limit_of_the_group_overrides_default(admin, options):
    every = populate(admin, 'projects', count=4)
    options('list_limit', 3)
    body = admin('GET', '/projects').json
    assert [p['id'] for p in body['projects']] == every[:3]
    options('list_limit', 2, 'resource')
    body = admin('GET', '/projects').json
    assert [p['id'] for p in body['projects']] == every[:2]
    assert body['truncated'] is True
    # Without ?limit= in the request, the next link carries the page size.
    assert body['links']['next'] == (
        V3 + '/projects?marker=%s&limit=2' % every[1])
    ids = [p['id'] for page in walk(admin, '/projects')
           for p in page['projects']]
    assert ids == every


def test_request_limit_wins_and_max_db_limit_caps(admin, options):
    every = populate(admin, 'roles', count=3)  # 6 with the bootstrap ones
    options('list_limit', 2, 'role')
    assert len(admin('GET', '/roles?limit=4').json['roles']) == 4
    options('max_db_limit', 3)
    body = admin('GET', '/roles?limit=5').json
    assert len(body['roles']) == 3
    assert body['links']['next'] == V3 + '/roles?limit=3&marker=%s' % (
        body['roles'][-1]['id'])
    options('list_limit', None, 'role')
    body = admin('GET', '/roles').json
    assert len(body['roles']) == 3 and body['truncated'] is True
    assert set(every) <= {r['id'] for page in walk(admin, '/roles')
                          for r in page['roles']}


@pytest.mark.parametrize('group, collection', [
    ('identity', 'users'), ('resource', 'domains'), ('role', 'roles'),
    ('catalog', 'services'), (None, 'endpoints')])
def test_each_list_reads_its_group(admin, options, group, collection):
    populate(admin, collection)
    options('list_limit', 1, group)
    assert len(admin('GET', '/' + collection).json[collection]) == 1


def test_other_groups_do_not_apply(admin, options):
    populate(admin, 'users')
    options('list_limit', 1, 'catalog')
    assert len(admin('GET', '/users').json['users']) == 4


def test_unknown_marker_is_404(admin):
    for collection in ('users', 'regions'):
        response = admin('GET', '/%s?marker=nope' % collection)
        assert support.assert_error(response, 404) == (
            'Marker nope could not be found.')


@pytest.mark.parametrize('value', ['abc', '0', '-1', '1.5', '+1'])
def test_bad_limit_is_400(admin, value):
    message = support.assert_error(admin('GET', '/users?limit=' + value), 400)
    assert "'limit'" in message


def test_empty_limit_and_marker_are_ignored(admin):
    body = admin('GET', '/users?limit=&marker=').json
    assert [u['name'] for u in body['users']] == ['admin']
    assert 'truncated' not in body


def test_user_projects_page_on_request_only(identity_api, admin, options):
    user = support.make_user(identity_api, 'pager')  # member on admin
    every = populate(admin, 'projects')
    for project_id in every:
        response = admin('PUT', '/projects/%s/users/%s/roles/%s' % (
            project_id, user['id'], identity_api.roles['reader']['id']))
        assert response.status_int == 204
    path = '/users/%s/projects' % user['id']
    options('list_limit', 1)
    assert len(admin('GET', path).json['projects']) == 4
    pages = walk(admin, path + '?limit=3')
    assert [len(page['projects']) for page in pages] == [3, 1]
    assert pages[0]['links']['next'] == (
        '%s%s?limit=3&marker=%s' % (V3, path, every[2]))
    assert [p['id'] for page in pages for p in page['projects']] == every
    assert support.assert_error(admin('GET', path + '?marker=nope'), 404)


def test_role_assignments_are_not_paged_as_in_keystone(admin):
    populate(admin, 'users')
    body = admin('GET', '/role_assignments?limit=1').json
    # The admin's three: on the project, the domain and the system.
    assert len(body['role_assignments']) == 3
    assert 'truncated' not in body


def test_assignment_list_limit_is_the_deprecated_resource_one(tmp_path):
    config = tmp_path / 'old.conf'
    config.write_text('[assignment]\nlist_limit = 7\n')
    options = cfg.ConfigOpts()
    resource.register_opts(options)
    options(['--config-file', str(config)])
    assert options.resource.list_limit == 7
