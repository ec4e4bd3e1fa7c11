"""What the identity API needs at run time, built once per process.

Both the admin and the public application of a process share one
:class:`Backends`: one database engine (and its connection pool), one key
cache, one token provider, one policy enforcer. Building it checks that the
operator did the set-up (schema migrated, keys present) so a missing step
stops ``service-all`` at start-up with one line instead of failing requests.
"""

import functools
import logging

from keystone_like.credential import crypto
from keystone_like.db import migration
from keystone_like import db
from keystone_like import exceptions
from keystone_like import policies
from keystone_like.server import hooks
from keystone_like import state_access
from keystone_like.store import limit_models
from keystone_like.token import keys
from keystone_like.token import provider

LOG = logging.getLogger(__name__)
_instances = {}


class Backends:
    """The database, keys, token provider and policy of one process."""

    def __init__(self, conf):
        self.conf = conf
        self.database = db.Database(conf)
        self.keys = keys.KeyCache(keys.repository_path(conf))
        # The keys of credential blobs: a Keyring, reloaded on rotation.
        self.credential_keys = crypto.cache(conf)
        self.tokens = provider.TokenProvider(conf, self.keys)
        self.policy = policies.Enforcer(conf)

    def check(self):
        """Raise SetupRequired when the schema or the keys are not ready."""
        try:
            migration.check_schema(self.database)
        except migration.SchemaError as exc:
            raise exceptions.SetupRequired(str(exc)) from None
        except exceptions.ServiceUnavailable as exc:
            # Serving 503 until the database is back beats refusing to
            # start (systemd may start us before the database).
            LOG.warning('The database is unreachable at start-up (%s); '
                        'requests get 503 until it is back',
                        getattr(exc, 'detail', exc))
        for cache in (self.keys, self.credential_keys):
            try:
                cache.get()
            except keys.KeyRepositoryError as exc:
                raise exceptions.SetupRequired(str(exc)) from None
        limit_models.check_start(self.database, self.conf)


def get(conf):
    """Return this process's Backends for ``conf``, building it once."""
    backends = _instances.get(id(conf))
    if backends is None:
        backends = Backends(conf)
        backends.check()
        _instances[id(conf)] = backends
        # Per-process set-up under service-all (nothing calls these
        # elsewhere): own pools in each worker, state readable once
        # root is dropped, fresh backends from a reload's config.
        hooks.after_fork(after_fork)
        hooks.after_privilege_drop(functools.partial(state_access.check,
                                                     conf))
        hooks.before_reload(forget)
    return backends


def reset():
    """Forget the built Backends (tests; after fork the pool is rebuilt)."""
    for backends in _instances.values():
        backends.database.dispose()
    _instances.clear()


def after_fork(forget=False):
    """In a forked child: leave the inherited pooled connections alone.

    They belong to the parent; closing them here would close the parent's
    (a PostgreSQL session ends for both), so the pools are only dropped
    and the child opens its own. ``forget`` also drops the Backends
    themselves (a reload leader builds new ones from the new config).
    """
    for backends in _instances.values():
        backends.database.dispose(close=False)
    if forget:
        _instances.clear()


def forget():
    """Drop the Backends built from the old config (a reload's new leader)."""
    after_fork(forget=True)
