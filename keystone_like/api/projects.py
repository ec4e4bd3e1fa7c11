"""Placeholder: the projects routes arrive with the identity API work."""


class ProjectResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
