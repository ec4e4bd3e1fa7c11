"""The one JSON error shape every error response uses (Keystone's)."""

import http
import json


def error_document(code, message, title=None):
    """Return ``{"error": {"code", "title", "message"}}`` for ``code``."""
    if title is None:
        try:
            title = http.HTTPStatus(code).phrase
        except ValueError:
            title = 'Error'
    return {'error': {'code': code, 'title': title, 'message': message}}


def error_body(code, message, title=None):
    """Return the UTF-8 JSON body of :func:`error_document`."""
    return json.dumps(error_document(code, message, title)).encode('utf-8')
