"""The request a green thread is serving, for log records (stdlib only).

The connection sets :data:`CURRENT_ENVIRON` around the application call;
each greenlet has its own context, so concurrent requests never see each
other's. The log formatter reads the request id from it. Kept apart from
``connection`` so the logging set-up (which service-manage and the API's
imports share) does not import eventlet.
"""

import contextvars

CURRENT_ENVIRON = contextvars.ContextVar('keystone_like_request_environ')
