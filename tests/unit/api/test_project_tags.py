"""Project tags: /v3/projects/{id}/tags, tags in documents, tag filters."""

import pytest

from tests.support import api_users_support as support

pytestmark = pytest.mark.timeout(60)


def create(admin, name, tags=(), **fields):
    response = admin('POST', '/projects', {'project': dict(
        fields, name=name, tags=list(tags))})
    assert response.status_int == 201, response.text
    return response.json['project']['id']


def names(admin, query):
    response = admin('GET', '/projects?' + query)
    assert response.status_int == 200, response.text
    return sorted(p['name'] for p in response.json['projects'])


def test_tag_routes_follow_keystone(admin):
    project = create(admin, 'p', tags=['a', 'b'])
    tags = '/projects/%s/tags' % project
    assert admin('GET', tags).json == {'tags': ['a', 'b'], 'links': {
        'self': 'http://localhost/v3' + tags}}
    response = admin('PUT', tags + '/c')
    assert response.status_int == 201
    assert response.headers['Location'] == 'http://localhost/v3%s/c' % tags
    assert response.body == b''
    assert admin('HEAD', tags + '/c').status_int == 204
    assert admin('GET', tags + '/c').status_int == 204
    assert 'Could not find project tag: zz.' == support.assert_error(
        admin('GET', tags + '/zz'), 404)
    support.assert_error(admin('PUT', tags + '/c'), 400)
    support.assert_error(admin('PUT', tags + '/a,b'), 400)
    replaced = admin('PUT', tags, {'tags': ['x', ' y ']})
    assert replaced.json['tags'] == ['x', 'y']
    assert admin('GET', '/projects/' + project).json['project']['tags'] == [
        'x', 'y']
    assert admin('DELETE', tags + '/x').status_int == 204
    support.assert_error(admin('DELETE', tags + '/x'), 404)
    assert admin('DELETE', tags).status_int == 204
    assert admin('GET', tags).json['tags'] == []
    support.assert_error(admin('GET', '/projects/nope/tags'), 404)


@pytest.mark.parametrize('body', [
    {'tags': ['x', 'x']}, {'tags': 'x'}, {}, {'tags': ['x'], 'other': 1},
    {'tags': ['a/b']}, {'tags': ['']}, {'tags': ['t' * 256]},
    {'tags': ['t%d' % n for n in range(81)]}])
def test_bad_tag_lists_are_400(admin, body):
    project = create(admin, 'p')
    support.assert_error(admin('PUT', '/projects/%s/tags' % project, body),
                         400)


def test_eighty_tags_is_the_most(admin):
    project = create(admin, 'p', tags=['t%d' % n for n in range(80)])
    support.assert_error(admin('PUT', '/projects/%s/tags/one-more'
                               % project), 400)


def test_tag_filters(admin):
    create(admin, 'one', tags=['common', 'one'])
    create(admin, 'two', tags=['common', 'two'])
    create(admin, 'three', tags=['common', 'three'])
    create(admin, 'bare')
    every = ['admin', 'bare', 'one', 'three', 'two']
    assert names(admin, 'tags=common') == ['one', 'three', 'two']
    assert names(admin, 'tags=common,one') == ['one']
    assert names(admin, 'tags=one,two') == []
    assert names(admin, 'tags-any=one,two') == ['one', 'two']
    assert names(admin, 'not-tags=common,one') == [
        n for n in every if n != 'one']
    assert names(admin, 'not-tags-any=one,two') == [
        'admin', 'bare', 'three']
    assert names(admin, 'tags=common&not-tags=two') == ['one', 'three']
    assert names(admin, 'tags=common&tags-any=one,three') == ['one', 'three']
    # Every filter applies (Keystone 30 ignores tags= that match nothing
    # when not-tags is given, and adds not-tags-any matches to not-tags).
    assert names(admin, 'tags=none&not-tags=two') == []
    assert names(admin, 'not-tags=two&not-tags-any=three') == [
        'admin', 'bare', 'one']
    assert names(admin, 'tags=') == []


def test_domains_carry_tags(admin):
    domain = admin('POST', '/domains', {'domain': {
        'name': 'd', 'tags': ['dt']}}).json['domain']
    assert domain['tags'] == ['dt']
    assert admin('GET', '/projects/%s/tags' % domain['id']).json[
        'tags'] == ['dt']
    found = admin('GET', '/projects?is_domain=true&tags=dt').json
    assert [p['id'] for p in found['projects']] == [domain['id']]
    changed = admin('PATCH', '/domains/' + domain['id'], {'domain': {
        'tags': []}}).json['domain']
    assert changed['tags'] == []


def test_tags_go_with_their_project(admin):
    project = create(admin, 'p', tags=['gone'])
    admin('DELETE', '/projects/' + project)
    create(admin, 'q', tags=['gone'])
    assert names(admin, 'tags=gone') == ['q']


def test_reader_reads_tags_member_may_not_write(identity_api, admin):
    project = identity_api.admin_project['id']
    admin('PUT', '/projects/%s/tags/t' % project)
    _user, token = support.member(identity_api)

    def send(method, path):
        return identity_api.request(method, '/v3' + path, token=token)
    assert send('GET', '/projects/%s/tags' % project).json['tags'] == ['t']
    support.assert_error(send('PUT', '/projects/%s/tags/u' % project), 403)
    support.assert_error(send('DELETE', '/projects/%s/tags' % project), 403)
