"""The ``json_body`` filter: a request body must be declared as JSON.

As Keystone refuses it before routing, a request of any method that has a
body is answered 400 unless its ``Content-Type`` is JSON
(``application/json``, with parameters such as ``charset`` or not, or any
``application/<x>+json``) or absent. Requests without a body pass whatever
their ``Content-Type``. The body is not read here: a chunked body, whose
length is unknown until read, counts as a body.
"""

from keystone_like import exceptions
from keystone_like.middleware import errors

REFUSAL = exceptions.expecting('application/json', 'Content-Type header')


def has_body(environ):
    """Return whether the request announces a body of one byte or more."""
    length = environ.get('CONTENT_LENGTH', '')
    if length:
        return not (length.isdigit() and int(length) == 0)
    return bool(environ.get('HTTP_TRANSFER_ENCODING'))


def is_json(content_type):
    """Return whether ``content_type`` names JSON (or is empty)."""
    media_type = content_type.split(';', 1)[0].strip().lower()
    if not media_type:
        return True
    return media_type == errors.JSON or (
        media_type.startswith('application/') and media_type.endswith('+json'))


class JsonBody:
    """Filter refusing request bodies that are not JSON with 400."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        """Refuse a non-JSON body; pass everything else through."""
        if has_body(environ) and not is_json(environ.get('CONTENT_TYPE', '')):
            return errors.error_response(REFUSAL.code, REFUSAL.message)(
                environ, start_response)
        return self.app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``json_body`` filter."""
    def _filter(app):
        return JsonBody(app)
    return _filter
