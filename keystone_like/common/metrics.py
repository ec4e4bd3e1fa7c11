"""The identity application's Prometheus metrics (tokens, revocations, DB).

Recorded only under ``service-all`` with ``[metrics] enabled`` (the
launcher then names a multiprocess directory through
``keystone_like.server.hooks.metrics_dir``); otherwise every function
here returns at once, so tests, service-manage and other WSGI servers
pay nothing. The families are created on first use, after the launcher
chose the directory. The launcher records requests, connections and
processes itself (``keystone_like.server.metrics``).
"""

import functools

from keystone_like.server import hooks

_families = {}


def _build():
    import prometheus_client
    # Outside the default registry: a scrape reads the multiprocess files.
    Counter = functools.partial(prometheus_client.Counter, registry=None)
    Gauge = functools.partial(prometheus_client.Gauge, registry=None)
    return {
        'issued': Counter(
            'keystone_like_tokens_issued', 'Tokens issued (POST '
            '/v3/auth/tokens), by authentication method.', ['method']),
        'issue_failed': Counter(
            'keystone_like_token_issue_failures',
            'Token requests refused, by reason.', ['reason']),
        'validated': Counter(
            'keystone_like_token_validations',
            'Token validations (X-Auth-Token and X-Subject-Token), by '
            'result.', ['result']),
        'revocations': Counter(
            'keystone_like_revocation_events',
            'Revocation events recorded, by what they select.', ['kind']),
        'checked_out': Gauge(
            'keystone_like_db_pool_checked_out',
            'Database connections in use by requests.',
            multiprocess_mode='livesum'),
        'checkouts': Counter(
            'keystone_like_db_pool_checkouts',
            'Database connections taken from the pool.'),
        'connects': Counter(
            'keystone_like_db_connections_opened',
            'New database connections opened.'),
        'db_errors': Counter(
            'keystone_like_db_errors',
            'Database errors seen by the engine, by exception class.',
            ['error']),
    }


def _family(name):
    """The family ``name``, or None while metrics are off."""
    if hooks.metrics_dir() is None:
        return None
    if not _families:
        _families.update(_build())
    return _families[name]


def token_issued(methods):
    """A token was issued to a request authenticated with ``methods``."""
    family = _family('issued')
    if family is not None:
        family.labels('+'.join(sorted(methods)) or 'none').inc()


def token_issue_failed(reason):
    """A token request was refused (``reason``: a short fixed word)."""
    family = _family('issue_failed')
    if family is not None:
        family.labels(reason).inc()


def token_validated(result):
    """A validation ended: ``valid`` or the reason it failed."""
    family = _family('validated')
    if family is not None:
        family.labels(result).inc()


def revocation_recorded(selectors):
    """A revocation event selecting by ``selectors`` (names) was stored."""
    family = _family('revocations')
    if family is not None:
        family.labels('+'.join(sorted(selectors)) or 'none').inc()


def db_error(error):
    """The engine saw ``error`` (an exception)."""
    family = _family('db_errors')
    if family is not None:
        family.labels(type(error).__name__).inc()


def instrument_engine(engine):
    """Count pool checkouts, connections and errors of ``engine``."""
    import sqlalchemy as sa

    def on_connect(_dbapi_connection, _record):
        family = _family('connects')
        if family is not None:
            family.inc()

    def on_checkout(_dbapi_connection, _record, _proxy):
        family = _family('checked_out')
        if family is not None:
            family.inc()
            _family('checkouts').inc()

    def on_checkin(_dbapi_connection, _record):
        family = _family('checked_out')
        if family is not None:
            family.dec()

    def on_error(context):
        db_error(context.original_exception)

    sa.event.listen(engine, 'connect', on_connect)
    sa.event.listen(engine, 'checkout', on_checkout)
    sa.event.listen(engine, 'checkin', on_checkin)
    sa.event.listen(engine, 'handle_error', on_error)
