"""Placeholder: the roles routes arrive with the identity API work."""


class RoleResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
