"""The one JSON error shape every error response uses (Keystone's).

Defined once in the server's HTTP layer, which answers malformed requests
in the same shape before any application runs.
"""

from keystone_like.server.http.response import error_body  # noqa: F401
from keystone_like.server.http.response import error_document  # noqa: F401
