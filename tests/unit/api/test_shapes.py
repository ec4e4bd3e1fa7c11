"""Documents shaped as Keystone 30 shapes them: default descriptions, and
PATCH answers carrying the ``extra`` attributes as GET does."""

import pytest

pytestmark = pytest.mark.timeout(60)


def _service(admin):
    response = admin('POST', '/services', {'service': {'type': 'compute'}})
    return response.json['service']['id']


# Collection, member key, body without description, description shown.
DESCRIPTIONS = [
    ('projects', 'project', {'name': 'p'}, ''),
    ('domains', 'domain', {'name': 'd'}, ''),
    ('regions', 'region', {}, ''),
    ('roles', 'role', {'name': 'r'}, None),
]


@pytest.mark.parametrize('collection, member, body, shown', DESCRIPTIONS)
def test_omitted_description_defaults_as_in_keystone(admin, collection,
                                                     member, body, shown):
    created = admin('POST', '/' + collection, {member: body})
    assert created.status_int == 201, created.text
    assert created.json[member]['description'] == shown
    path = '/%s/%s' % (collection, created.json[member]['id'])
    assert admin('GET', path).json[member]['description'] == shown
    if collection in ('projects', 'domains'):
        body = dict(body, name=body['name'] + '2', description=None)
        response = admin('POST', '/' + collection, {member: body})
        assert response.json[member]['description'] is None


def test_service_shows_a_description_only_once_given(admin):
    service_id = _service(admin)
    path = '/services/' + service_id
    assert 'description' not in admin('GET', path).json['service']
    response = admin('PATCH', path, {'service': {'description': None}})
    assert response.json['service']['description'] is None
    response = admin('PATCH', path, {'service': {'description': 'VMs'}})
    assert response.json['service']['description'] == 'VMs'
    assert admin('GET', path).json['service']['description'] == 'VMs'
    response = admin('POST', '/services', {'service': {
        'type': 'image', 'description': None}})
    assert response.json['service']['description'] is None


def _bodies(admin):
    """Return ``{collection: (member, create body)}`` of every resource."""
    return {
        'users': ('user', {'name': 'u'}),
        'projects': ('project', {'name': 'p'}),
        'domains': ('domain', {'name': 'd'}),
        'roles': ('role', {'name': 'r'}),
        'regions': ('region', {}),
        'services': ('service', {'type': 'compute'}),
        'endpoints': ('endpoint', {'service_id': _service(admin),
                                   'interface': 'public',
                                   'url': 'http://svc/'}),
    }


@pytest.mark.parametrize('collection', [
    'users', 'projects', 'domains', 'roles', 'regions', 'services',
    'endpoints'])
def test_patch_answers_what_get_answers_extras_included(admin, collection):
    member, body = _bodies(admin)[collection]
    created = admin('POST', '/' + collection,
                    {member: dict(body, x_first='one')})
    assert created.status_int == 201, created.text
    assert created.json[member]['x_first'] == 'one'
    path = '/%s/%s' % (collection, created.json[member]['id'])
    patched = admin('PATCH', path, {member: {'x_second': 'two'}})
    assert patched.status_int == 200, patched.text
    shown = admin('GET', path).json
    assert patched.json == shown
    assert (shown[member]['x_first'], shown[member]['x_second']) == (
        'one', 'two')
    assert 'extra' not in shown[member]


def test_endpoint_reference_errors_use_keystones_words(admin):
    suffix = (' The server could not comply with the request since it is '
              'either malformed or otherwise incorrect. The client is '
              'assumed to be in error.')
    body = {'service_id': 'nope', 'interface': 'public', 'url': 'http://x/'}
    response = admin('POST', '/endpoints', {'endpoint': body})
    assert response.status_int == 400
    assert response.json['error']['message'] == (
        'Expecting to find endpoint service_id in service table.' + suffix)
    body = dict(body, service_id=_service(admin), region_id='nope')
    response = admin('POST', '/endpoints', {'endpoint': body})
    assert response.json['error']['message'] == (
        'Expecting to find endpoint region_id in region table.' + suffix)
