"""Errors of the domain layer, each carrying the HTTP status it maps to.

Storage, identity and token code raise these without knowing about HTTP;
the ``json_errors`` filter renders any of them as Keystone's JSON error
document with ``code``. Messages are written for the API client: they must
never hold a secret or internal detail.
"""

from keystone_like.server import hooks


class Error(Exception):
    """Base class: ``code`` is the HTTP status, ``str()`` the message."""

    code = 500
    title = None
    default_message = ('An unexpected error prevented the server from '
                       'fulfilling your request.')

    def __init__(self, message=None):
        super().__init__(message or self.default_message)

    @property
    def message(self):
        """The client-facing message."""
        return str(self)


class ValidationError(Error):
    """The request is malformed or a value is invalid (400)."""

    code = 400
    default_message = 'The request you have made is invalid.'


def expecting(what, where):
    """Return Keystone's ValidationError "Expecting to find <what> in ..."."""
    return ValidationError(
        'Expecting to find %s in %s. The server could not comply with the '
        'request since it is either malformed or otherwise incorrect. The '
        'client is assumed to be in error.' % (what, where))


class Unauthorized(Error):
    """Authentication is missing or failed (401)."""

    code = 401
    default_message = 'The request you have made requires authentication.'


class Forbidden(Error):
    """Authenticated but not allowed (403)."""

    code = 403
    default_message = ('You are not authorized to perform the requested '
                       'action.')


class NotFound(Error):
    """The resource does not exist (404)."""

    code = 404
    default_message = 'Could not find the requested resource.'


class Conflict(Error):
    """The change conflicts with existing data, e.g. a duplicate name (409)."""

    code = 409
    default_message = 'Conflict occurred attempting to store the resource.'


class TooManyRequests(Error):
    """Too much work queued for one caller; retry later (429).

    ``headers`` carry ``Retry-After``; the error filter sends them.
    """

    code = 429
    default_message = ('Too many requests are waiting for the same account '
                       'or client; retry later.')

    def __init__(self, message=None, retry_after=1):
        super().__init__(message)
        self.headers = [('Retry-After', str(int(retry_after)))]


class ServiceUnavailable(Error):
    """A dependency (the database) is unreachable; retry later (503)."""

    code = 503
    default_message = ('The service is temporarily unavailable; try again '
                       'later.')


class SetupRequired(hooks.StartupRefused):
    """Something an operator must do before serving (schema, keys).

    Not an HTTP error: application factories raise it at start-up and the
    launcher prints ``str()``, one line that ends with the fix (exit 78).
    """
