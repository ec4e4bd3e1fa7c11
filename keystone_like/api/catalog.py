"""Placeholder: the catalog routes arrive with the identity API work."""


class CatalogResource:
    """Handlers and routes of this resource (none yet)."""

    public_routes = ()
    admin_routes = ()
