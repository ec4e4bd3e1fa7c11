"""Placeholder: the domains routes arrive with the identity API work."""


class DomainResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
