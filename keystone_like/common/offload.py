"""Run blocking or CPU-bound work off the event loop, without eventlet.

The API and identity code must not import eventlet, yet password hashing
must not stall the hub. This module holds one replaceable executor: by
default work is called directly (the service-manage CLI, tests, any
engine without a hub); the server layer installs a thread-pool executor
at start-up, e.g. ``offload.install(eventlet.tpool.execute)``. An executor
is any callable with the signature ``executor(function, *args, **kwargs)``
that returns what ``function`` returns and raises what it raises.
"""

_executor = None


def install(executor):
    """Use ``executor`` for :func:`run_blocking`; return the previous one.

    ``None`` restores the default of calling the function directly.
    """
    global _executor
    previous, _executor = _executor, executor
    return previous


def run_blocking(function, *args, **kwargs):
    """Return ``function(*args, **kwargs)``, run by the installed executor."""
    executor = _executor
    if executor is None:
        return function(*args, **kwargs)
    return executor(function, *args, **kwargs)
