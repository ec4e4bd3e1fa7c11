"""The real paste ini: composites, discovery links, limits, request ids."""

import io
import json
import pathlib
import re
import subprocess
import sys

import paste.deploy
import pytest
import webob

from keystone_like import conf
from keystone_like.middleware import body_limit
from keystone_like.middleware import urlmap
from tests.support import identity

ROOT = pathlib.Path(__file__).resolve().parents[3]
PASTE_INI = ROOT / 'etc' / 'keystone_like-paste.ini'
PASTE_URI = 'config:%s' % PASTE_INI
REQUEST_ID = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-'
                        r'[89ab][0-9a-f]{3}-[0-9a-f]{12}$')


@pytest.fixture(scope='module', autouse=True)
def config():
    """Parse an empty command line so options read their defaults."""
    conf.CONF([], project='keystone_like', default_config_files=[],
              default_config_dirs=[])
    return conf.CONF


@pytest.fixture
def override(config):
    """Set options for one test and clear them afterwards."""
    names = []

    def set_override(name, value):
        config.set_override(name, value)
        names.append(name)
    yield set_override
    for name in names:
        config.clear_override(name)


@pytest.fixture(params=['main', 'admin'])
def app(request):
    """Each composite of the real ini."""
    return paste.deploy.loadapp(PASTE_URI, name=request.param)


def load(name):
    """Load one composite of the real ini."""
    return paste.deploy.loadapp(PASTE_URI, name=name)


def get(app, path, **kwargs):
    """Send a request built by ``Request.blank`` and return the response."""
    return webob.Request.blank(path, **kwargs).get_response(app)


def assert_json_error(response, code):
    """Check ``response`` is Keystone's JSON error document for ``code``."""
    assert response.status_code == code
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert set(error) == {'code', 'title', 'message'}
    assert error['code'] == code
    return error


def test_root_is_multiple_choices_with_location(app):
    response = get(app, '/')
    assert response.status_code == 300
    assert response.content_type == 'application/json'
    assert response.location == 'http://localhost/v3/'
    [v3] = response.json['versions']['values']
    assert v3 == {
        'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
        'links': [{'rel': 'self', 'href': 'http://localhost/v3/'}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.identity-v3+json'}],
    }


@pytest.mark.parametrize('path', ['/v3', '/v3/'])
def test_v3_answers_its_version_document(app, path):
    response = get(app, path)
    assert response.status_code == 200
    assert response.content_type == 'application/json'
    discovery = get(app, '/').json['versions']['values'][0]
    assert response.json == {'version': discovery}


@pytest.mark.parametrize('path', ['/v3x', '/nope', '/v3/nope', '/v3x/y',
                                  '/v3/nope/1'])
def test_unknown_paths_are_404_json(app, path):
    error = assert_json_error(get(app, path), 404)
    assert error['message'] == 'The resource could not be found.'


def test_links_use_the_request_scheme_and_host(app):
    response = get(app, '/', headers={'Host': 'id.example.com:8443'},
                   environ={'wsgi.url_scheme': 'https'})
    assert response.location == 'https://id.example.com:8443/v3/'
    version = get(app, '/v3', headers={'Host': 'id.example.com:8443'},
                  environ={'wsgi.url_scheme': 'https'}).json['version']
    assert version['links'][0]['href'] == 'https://id.example.com:8443/v3/'


def test_links_keep_the_mount_point_of_the_service(app):
    environ = {'SCRIPT_NAME': '/identity'}
    assert (get(app, '/', environ=environ).location
            == 'http://localhost/identity/v3/')
    version = get(app, '/v3/', environ=environ).json['version']
    assert version['links'][0]['href'] == 'http://localhost/identity/v3/'


def test_links_use_the_configured_endpoint_of_each_listener(override):
    override('public_endpoint', 'https://keystone.example.com:5000/')
    main, admin = load('main'), load('admin')
    assert get(main, '/').location == 'https://keystone.example.com:5000/v3/'
    href = get(main, '/v3').json['version']['links'][0]['href']
    assert href == 'https://keystone.example.com:5000/v3/'
    assert get(admin, '/').location == 'http://localhost/v3/'
    override('admin_endpoint', 'https://admin.example.com/identity')
    assert get(admin, '/').location == 'https://admin.example.com/identity/v3/'


def test_request_ids_are_new_and_unique(app):
    forged = 'req-00000000-0000-4000-8000-000000000000'
    seen = set()
    for path in ('/', '/v3', '/nope', '/', '/v3'):
        request = webob.Request.blank(
            path, headers={'X-Openstack-Request-Id': forged})
        response = request.get_response(app)
        request_id = response.headers['X-Openstack-Request-Id']
        assert REQUEST_ID.match(request_id)
        assert request.environ['openstack.request_id'] == request_id
        assert response.headers.getall('X-Openstack-Request-Id') == [
            request_id]
        seen.add(request_id)
    assert forged not in seen
    assert len(seen) == 5


class UnreadableInput(io.RawIOBase):
    """A body that fails the test if anything reads it."""

    def read(self, size=-1):
        raise AssertionError('the body was read')


def test_declared_body_over_the_limit_is_413_unread(app, config):
    limit = config.max_request_body_size
    response = get(app, '/v3', method='POST',
                   environ={'wsgi.input': UnreadableInput(),
                            'CONTENT_LENGTH': str(limit + 1)})
    error = assert_json_error(response, 413)
    assert str(limit) in error['message']
    assert 'X-Openstack-Request-Id' in response.headers


def test_declared_body_at_the_limit_reaches_the_app(app, config):
    body = b'x' * config.max_request_body_size
    assert_json_error(get(app, '/v3', method='POST', body=body), 405)


@webob.dec.wsgify
def echo_length(request):
    """Test app reading the whole body and answering its length."""
    return webob.Response(json_body={'length': len(request.body)})


def chunked(path, body):
    """Build a POST whose body length is unknown, as chunked ones are."""
    request = webob.Request.blank(path, method='POST', body=body)
    del request.environ['CONTENT_LENGTH']
    del request.environ['webob.is_body_seekable']
    request.environ['wsgi.input_terminated'] = True
    request.headers['Transfer-Encoding'] = 'chunked'
    return request


def real_filters(app):
    """Wrap ``app`` in the filters of the real ini, in pipeline order."""
    for name in ('json_errors', 'body_size_limit', 'request_id'):
        app = paste.deploy.loadfilter(PASTE_URI, name=name)(app)
    return app


def test_chunked_body_over_the_limit_is_413(config):
    limit = config.max_request_body_size
    response = chunked('/', b'x' * (limit + 1)).get_response(
        real_filters(echo_length))
    assert_json_error(response, 413)
    assert 'X-Openstack-Request-Id' in response.headers


def test_chunked_body_at_the_limit_is_read_whole(config):
    limit = config.max_request_body_size
    response = chunked('/', b'x' * limit).get_response(
        real_filters(echo_length))
    assert response.json == {'length': limit}


def test_body_limit_without_json_errors_below_still_answers_json():
    app = body_limit.filter_factory({}, max_request_body_size='10')(
        echo_length)
    assert_json_error(chunked('/', b'x' * 11).get_response(app), 413)
    assert chunked('/', b'x' * 10).get_response(app).json == {'length': 10}


def test_body_limit_reads_lines_within_the_limit():
    stream = body_limit.LimitedInput(io.BytesIO(b'ab\ncd\nef\n'), 6)
    assert stream.readline() == b'ab\n'
    assert stream.read(3) == b'cd\n'
    with pytest.raises(body_limit.RequestBodyTooLarge):
        list(stream)


@pytest.mark.parametrize('value', ['0', '-1', 'lots'])
def test_body_limit_rejects_a_bad_local_value(value):
    with pytest.raises(ValueError, match='max_request_body_size = %s' % value):
        body_limit.filter_factory({}, max_request_body_size=value)


@pytest.mark.parametrize('value', ['+5', ' 5', '5_0', '0x5'])
def test_malformed_content_length_is_400(app, value):
    response = get(app, '/v3', method='POST',
                   environ={'wsgi.input': UnreadableInput(),
                            'CONTENT_LENGTH': value})
    assert_json_error(response, 400)


def test_head_answers_like_get_without_body(app):
    for path, code in (('/', 300), ('/v3', 200), ('/nope', 404)):
        response = get(app, path, method='HEAD')
        assert response.status_code == code
        assert response.body == b''
        assert response.content_type == 'application/json'


def test_other_methods_on_root_are_405_with_allow(app):
    response = get(app, '/', method='POST', body=b'{}')
    assert_json_error(response, 405)
    assert response.headers['Allow'] == 'GET, HEAD'


def test_urlmap_moves_the_longest_prefix_to_script_name():
    def remember(environ, start_response):
        start_response('200 OK', [('Content-Type', 'application/json')])
        return [json.dumps([environ['SCRIPT_NAME'],
                            environ['PATH_INFO']]).encode()]

    app = urlmap.URLMap({'/': remember, '/v3/': remember,
                         '/v3/auth': remember})
    cases = {'/': ['', '/'], '/v3': ['/v3', ''], '/v3/': ['/v3', '/'],
             '/v3/x': ['/v3', '/x'], '/v3x': ['', '/v3x'],
             '/v3/auth/tokens': ['/v3/auth', '/tokens']}
    for path, expected in cases.items():
        assert get(app, path, environ={'SCRIPT_NAME': ''}).json == expected
    assert get(app, '/v3', environ={'SCRIPT_NAME': '/id'}).json == [
        '/id/v3', '']


def test_urlmap_without_root_answers_404_json():
    app = urlmap.URLMap({'/v3': echo_length})
    assert_json_error(get(app, '/nope'), 404)


@pytest.mark.parametrize('mapping', [{'v3': None},
                                     {'/v3': None, '/v3/': None}])
def test_urlmap_refuses_bad_prefixes(mapping):
    with pytest.raises(ValueError, match='urlmap'):
        urlmap.URLMap(mapping)


def test_pipelines_never_import_eventlet():
    code = ('import os, sys, paste.deploy\n'
            'from keystone_like import conf\n'
            'conf.CONF([], default_config_files=[], default_config_dirs=[])\n'
            'conf.CONF.set_override("state_dir", os.environ[%r])\n'
            % identity.ENV +
            'for name in ("main", "admin"):\n'
            '    paste.deploy.loadapp(%r, name=name)\n'
            'assert "eventlet" not in sys.modules, "eventlet was imported"\n'
            % PASTE_URI)
    subprocess.run([sys.executable, '-c', code], check=True, cwd=ROOT)
