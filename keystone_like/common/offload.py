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
import time

from keystone_like import exceptions
from keystone_like.server import hooks

#: Use an executor for :func:`run_blocking`; returns the previous one.
install = hooks.set_executor
#: Return ``function(*args, **kwargs)``, run by the installed executor.
run_blocking = hooks.offload


@contextlib.contextmanager
def keyed(limits, refusal_delay=0.0):
    """Charge the work offloaded within to ``[(key, cap), ...]``.

    Under ``service-all`` the keys are charged on entry: a key over its
    cap is refused before the body runs, with 429 (``TooManyRequests``)
    and a ``Retry-After``, after waiting ``refusal_delay`` seconds (at
    most the Retry-After) so a client retrying at once is paced (``time``
    is green under service-all: the wait blocks nobody else); see
    ``keystone_like.server.process.threads``.
    """
    try:
        with hooks.offload_keys(*limits):
            yield
    except hooks.OffloadRefused as exc:
        retry_after = exc.retry_after
        if refusal_delay > 0:
            time.sleep(min(refusal_delay, retry_after))
        raise exceptions.TooManyRequests(retry_after=retry_after) from None
