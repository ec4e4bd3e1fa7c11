"""Placeholder: the auth routes arrive with the identity API work."""


class AuthResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
