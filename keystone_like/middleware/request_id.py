"""The ``request_id`` filter: a fresh id per request, in environ and header.

The id always comes from here: an incoming ``X-Openstack-Request-Id`` is
never copied into the environ, so a client cannot forge or collide ids in
the logs.
"""

import uuid

ENVIRON_KEY = 'openstack.request_id'
HEADER = 'X-Openstack-Request-Id'
_HEADER_LOWER = HEADER.lower()


def new_request_id():
    """Return a new id in the OpenStack form ``req-<uuid4>``."""
    return 'req-%s' % uuid.uuid4()


class RequestId:
    """Filter that tags each request with a new id and echoes it back."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        """Set the id in ``environ`` and add it to the response headers."""
        # The environ is shared with the server, so its access log can
        # read the id after the response.
        request_id = new_request_id()
        environ[ENVIRON_KEY] = request_id

        def start_with_id(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers
                       if name.lower() != _HEADER_LOWER]
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, start_with_id)


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``request_id`` filter."""
    def _filter(app):
        return RequestId(app)
    return _filter
