"""Placeholder: the users routes arrive with the identity API work."""


class UserResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
