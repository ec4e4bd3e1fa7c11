"""The json_errors filter and the JSON rendering of webob.exc errors."""

import logging

import pytest
import webob
import webob.dec
import webob.exc

from keystone_like.middleware import errors

GENERIC = errors.UNEXPECTED_MESSAGE


def wrapped(app):
    """Put ``app`` under the json_errors filter, as the paste ini does."""
    return errors.filter_factory({})(app)


def call(app, path='/', **kwargs):
    """Send a blank request through ``app``."""
    return webob.Request.blank(path, **kwargs).get_response(app)


def assert_json_error(response, code, message=None):
    """Check ``response`` is Keystone's JSON error document for ``code``."""
    assert response.status_code == code
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert set(error) == {'code', 'title', 'message'}
    assert error['code'] == code
    if message is not None:
        assert error['message'] == message
    return error


@webob.dec.wsgify
def leaky(request):
    """An app failing with internals in the exception."""
    raise RuntimeError('secret detail')


def test_unexpected_exception_is_a_generic_500(caplog):
    caplog.set_level(logging.ERROR, logger='keystone_like.middleware.errors')
    response = call(wrapped(leaky), '/v3/users?token=abc',
                    environ={'openstack.request_id': 'req-1'})
    error = assert_json_error(response, 500, GENERIC)
    assert error['title'] == 'Internal Server Error'
    assert b'secret detail' not in response.body
    assert b'Traceback' not in response.body
    [record] = caplog.records
    assert record.name == 'keystone_like.middleware.errors'
    assert record.exc_info[0] is RuntimeError
    assert 'secret detail' in caplog.text
    assert 'Traceback' in caplog.text
    assert 'req-1' in record.getMessage()
    assert 'token=abc' not in record.getMessage()


def test_exception_after_start_response_is_a_generic_500():
    def app(environ, start_response):
        start_response('200 OK', [('Content-Type', 'text/plain')])
        raise ValueError('secret detail')

    response = call(wrapped(app))
    assert_json_error(response, 500, GENERIC)
    assert b'secret detail' not in response.body


def test_raised_webob_error_renders_the_json_shape():
    def app(environ, start_response):
        raise webob.exc.HTTPNotFound()

    response = call(wrapped(app), headers={'Accept': 'text/html'})
    error = assert_json_error(response, 404,
                              'The resource could not be found.')
    assert error['title'] == 'Not Found'


def test_raised_webob_error_keeps_its_detail_and_headers():
    def app(environ, start_response):
        raise webob.exc.HTTPUnauthorized(
            detail='The request you have made requires authentication.',
            headers=[('WWW-Authenticate', 'Keystone uri="http://x/"')])

    response = call(wrapped(app))
    assert_json_error(response, 401,
                      'The request you have made requires authentication.')
    assert response.headers['WWW-Authenticate'] == 'Keystone uri="http://x/"'


def test_returned_plain_error_response_is_converted():
    def app(environ, start_response):
        return webob.Response(status=404, body=b'no such thing',
                              content_type='text/plain')(environ,
                                                         start_response)

    response = call(wrapped(app))
    assert_json_error(response, 404, 'The resource could not be found.')


def test_returned_plain_500_loses_its_body_and_keeps_other_headers():
    def app(environ, start_response):
        start_response('500 Internal Server Error',
                       [('Content-Type', 'text/html'),
                        ('Retry-After', '5')])
        return [b'<pre>Traceback ... secret detail</pre>']

    response = call(wrapped(app))
    assert_json_error(response, 500, GENERIC)
    assert b'secret detail' not in response.body
    assert response.headers['Retry-After'] == '5'


def test_webob_errors_render_json_without_the_filter():
    @webob.dec.wsgify
    def app(request):
        raise webob.exc.HTTPForbidden(detail='Nope.')

    for accept in ('text/html', 'text/plain', 'application/json', '*/*'):
        response = call(app, headers={'Accept': accept})
        assert_json_error(response, 403, 'Nope.')


def test_head_error_has_headers_and_no_body():
    @webob.dec.wsgify
    def app(request):
        raise webob.exc.HTTPNotFound()

    for handler in (app, wrapped(app), wrapped(leaky)):
        response = call(handler, method='HEAD')
        assert response.status_code in (404, 500)
        assert response.content_type == 'application/json'
        assert response.body == b''


def test_successful_and_redirect_responses_pass_untouched():
    @webob.dec.wsgify
    def app(request):
        if request.path_info == '/moved':
            raise webob.exc.HTTPFound(location='http://localhost/new')
        return webob.Response(body=b'hello', content_type='text/plain')

    response = call(wrapped(app))
    assert (response.status_code, response.body) == (200, b'hello')
    moved = call(wrapped(app), '/moved')
    assert moved.status_code == 302
    assert moved.location == 'http://localhost/new'


def test_error_response_builds_the_shape_for_any_code():
    response = errors.error_response(418, 'Short and stout.')
    assert response.status == '418 I\'m a Teapot'
    assert response.json == {'error': {'code': 418, 'title': "I'm a Teapot",
                                       'message': 'Short and stout.'}}
    assert errors.error_response(500).json['error']['message'] == GENERIC


@webob.dec.wsgify
def reads_the_url(request):
    """An app that decodes the path and query, as webob handlers do."""
    return webob.Response(json_body={'path': request.path_info,
                                     'query': dict(request.GET)})


def environ_of(path, query=''):
    """A WSGI environ whose PATH_INFO holds ``path`` bytes (latin-1)."""
    environ = webob.Request.blank('/').environ
    environ['PATH_INFO'] = path.decode('latin-1')
    environ['QUERY_STRING'] = query
    return environ


@pytest.mark.parametrize('path, query, part', [
    (b'/\xff\xfe', '', 'request path'),
    (b'/v3/\xff', '', 'request path'),
    (b'/v3/users/\xc0\xaf', '', 'request path'),
    (b'/v3/auth/tokens', 'nocatalog=%ff', 'query string'),
    (b'/v3/users', 'name=\xff', 'query string'),
])
def test_url_that_is_not_utf8_is_a_400_and_not_logged(caplog, path, query,
                                                      part):
    caplog.set_level(logging.DEBUG)
    response = webob.Request(environ_of(path, query)).get_response(
        wrapped(reads_the_url))
    assert_json_error(response, 400, 'The %s is not valid UTF-8.' % part)
    assert caplog.records == []


def test_utf8_urls_reach_the_app():
    response = webob.Request(environ_of(
        '/v3/users/\u00e9'.encode('utf-8'), 'name=%C3%A9')).get_response(
        wrapped(reads_the_url))
    assert response.status_code == 200
    assert response.json == {'path': '/v3/users/\u00e9',
                             'query': {'name': '\u00e9'}}


def test_logging_an_error_never_fails_on_the_path(caplog):
    caplog.set_level(logging.ERROR)
    environ = environ_of(b'/v3/x\n2025 forged line \xc3\xa9')
    environ['wsgi.errors'] = None

    def failing(environ, start_response):
        raise RuntimeError('boom')
    response = webob.Request(environ).get_response(errors.JsonErrors(failing))
    assert response.status_code == 500
    [record] = caplog.records
    assert '\n' not in record.getMessage()
    assert '/v3/x\\n2025 forged line \\xe9' in record.getMessage()
