"""Run blocking or CPU-bound work off the event loop, without eventlet.

The API and identity code must not import eventlet, yet password hashing
must not stall the hub. Under ``service-all`` the launcher installs a
bounded native thread pool as the executor
(``keystone_like.server.hooks``); everywhere else (service-manage, tests,
another WSGI server) the work is called directly. An executor is any
callable ``executor(function, *args, **kwargs)`` that returns what
``function`` returns and raises what it raises.
"""

import contextlib

from keystone_like import exceptions
from keystone_like.server import hooks

#: Use an executor for :func:`run_blocking`; returns the previous one.
install = hooks.set_executor
#: Return ``function(*args, **kwargs)``, run by the installed executor.
run_blocking = hooks.offload


@contextlib.contextmanager
def keyed(limits):
    """Charge the work offloaded within to ``[(key, cap), ...]``.

    A key over its cap is refused with 429 (``TooManyRequests``) and a
    ``Retry-After``; see ``keystone_like.server.process.threads``.
    """
    with hooks.offload_keys(*limits):
        try:
            yield
        except hooks.OffloadRefused as exc:
            raise exceptions.TooManyRequests(
                retry_after=exc.retry_after) from None
