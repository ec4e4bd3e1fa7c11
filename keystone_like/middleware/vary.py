"""The ``vary`` filter: every response says ``Vary: X-Auth-Token``.

What the identity API answers depends on the caller's token, so a cache
between client and service must not serve one caller's answer to another.
Keystone adds the header to every response; so does this filter, after
any ``Vary`` the application set itself (``Accept`` on version discovery).
"""

HEADER = 'Vary'
VALUE = 'X-Auth-Token'


def add_token(headers):
    """Return ``headers`` with ``X-Auth-Token`` in one ``Vary`` header."""
    varies = []
    kept = []
    for name, value in headers:
        if name.lower() == 'vary':
            varies.extend(v.strip() for v in value.split(',') if v.strip())
        else:
            kept.append((name, value))
    if not any(v.lower() == VALUE.lower() for v in varies):
        varies.append(VALUE)
    kept.append((HEADER, ', '.join(varies)))
    return kept


class Vary:
    """Filter adding ``X-Auth-Token`` to the ``Vary`` of every response."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        """Call the application; amend the response headers."""
        def start_with_vary(status, headers, exc_info=None):
            return start_response(status, add_token(headers), exc_info)

        return self.app(environ, start_with_vary)


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of the ``vary`` filter."""
    def _filter(app):
        return Vary(app)
    return _filter
