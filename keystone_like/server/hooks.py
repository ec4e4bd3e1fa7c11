"""What an application served by ``service-all`` may ask of the launcher.

The launcher serves any paste.deploy application and imports none of
them; an application that needs per-process set-up declares it here,
typically from its factory. Stdlib only: importing this module starts
neither eventlet nor the launcher, and outside ``service-all`` (tests,
other WSGI servers, command-line tools) nothing is ever called back.

- :func:`after_fork` -- in each worker process, right after the fork and
  before it serves: drop what must not be shared with the parent (pooled
  database connections).
- :func:`after_privilege_drop` -- in the process that gave up root
  (``[DEFAULT] user``), before workers are forked; called with the
  credentials. Raise :class:`StartupRefused` when the application cannot
  work as that user (an unreadable key).
- :func:`before_reload` -- in the new generation of a reload (SIGHUP),
  before the applications are loaded again: re-read your own
  configuration, forget what was built from the old one.
- :func:`offload` -- run blocking or CPU-bound work on the launcher's
  bounded native thread pool (directly when there is none).
- :func:`offload_keys` -- charge the work offloaded meanwhile to keys
  (a user name, a client address), each with a cap on what it may have
  admitted (queued, running, or about to be offloaded): the pool serves
  keys in turn. Entering it over a cap raises :class:`OffloadRefused` at
  once, before the application did any work for the request.
- :func:`config_args` -- the ``--config-file``/``--config-dir`` arguments
  the launcher parsed, for an application that reads the same files.
- :func:`draining` -- whether this process has begun its graceful stop
  (a health check answers 503 then, so balancers stop sending).
- :func:`metrics_dir` -- the prometheus_client multiprocess directory
  every process of the service writes to, or None when metrics are off.
- :data:`ROUTE_KEY` -- the environ key where an application may put the
  route template a request matched (``/v3/users/{user_id}``); the
  launcher's request metrics label requests with it.
- :class:`StartupRefused` -- raised by a factory or a callback, it stops
  the start (or refuses the reload) with its one line and exit code.
"""

import contextlib
import contextvars

AFTER_FORK = 'after_fork'
AFTER_PRIVILEGE_DROP = 'after_privilege_drop'
BEFORE_RELOAD = 'before_reload'
EXIT_CONFIG = 78        # as in keystone_like.server.errors (sysexits)

_callbacks = {AFTER_FORK: [], AFTER_PRIVILEGE_DROP: [], BEFORE_RELOAD: []}
ROUTE_KEY = 'keystone_like.route'

_state = {'executor': None, 'config_args': None, 'draining': False,
          'metrics_dir': None}
# Per green thread (greenlet keeps a context each): set by offload_keys.
_offload_keys = contextvars.ContextVar('offload_keys', default=())
# The limits the executor admitted on entering offload_keys (or None).
_admitted = contextvars.ContextVar('offload_admitted', default=None)


class StartupRefused(Exception):
    """The application cannot start: ``str()`` is one line ending in a fix."""

    def __init__(self, message, exit_code=EXIT_CONFIG):
        super().__init__(message)
        self.exit_code = exit_code


def _register(event, callback):
    # Factories run more than once (each listener, each reload): a
    # callback is kept once.
    if callback not in _callbacks[event]:
        _callbacks[event].append(callback)
    return callback


def after_fork(callback):
    """Call ``callback()`` in every worker process after it is forked."""
    return _register(AFTER_FORK, callback)


def after_privilege_drop(callback):
    """Call ``callback(credentials)`` once privileges have been dropped.

    ``credentials`` has ``user``, ``uid``, ``gid`` and ``describe()``.
    """
    return _register(AFTER_PRIVILEGE_DROP, callback)


def before_reload(callback):
    """Call ``callback()`` in a reload's generation before apps load again."""
    return _register(BEFORE_RELOAD, callback)


def fire(event, *args):
    """Run the callbacks of ``event`` in registration order (the launcher)."""
    for callback in list(_callbacks[event]):
        callback(*args)


def forget():
    """Drop every registered callback (tests)."""
    for callbacks in _callbacks.values():
        callbacks.clear()


def set_executor(executor):
    """Install ``executor(function, *args, **kwargs)``; return the previous.

    ``None`` restores calling the function directly.
    """
    previous, _state['executor'] = _state['executor'], executor
    return previous


def offload(function, *args, **kwargs):
    """Return ``function(*args, **kwargs)``, run by the installed executor."""
    executor = _state['executor']
    if executor is None:
        return function(*args, **kwargs)
    return executor(function, *args, **kwargs)


class OffloadRefused(Exception):
    """A key already has its cap of jobs queued or running.

    ``key`` is the key over its cap, ``retry_after`` a hint in seconds.
    """

    def __init__(self, key, retry_after=1):
        super().__init__('too much work queued for %s' % (key,))
        self.key = key
        self.retry_after = retry_after


@contextlib.contextmanager
def offload_keys(*limits):
    """Within, offloaded jobs are charged to ``(key, cap)`` pairs.

    The first key is the one the pool takes turns on. When the executor
    admits work (``executor.admit(limits)`` / ``executor.discharge``, as
    the launcher's does), the keys are charged here, on entry: a key over
    its cap raises :class:`OffloadRefused` before the body runs, and the
    charge is held until the block ends, offloaded jobs within adding
    none. Without an executor (outside service-all) the keys are ignored.
    """
    executor = _state['executor']
    admit = getattr(executor, 'admit', None)
    limits = tuple(limits)
    if admit is not None and limits:
        admit(limits)
    token = _offload_keys.set(limits)
    admitted = _admitted.set(limits if admit is not None and limits
                             else None)
    try:
        yield
    finally:
        _admitted.reset(admitted)
        _offload_keys.reset(token)
        if admit is not None and limits:
            executor.discharge(limits)


def current_offload_keys():
    """The ``(key, cap)`` pairs set by the innermost :func:`offload_keys`."""
    return _offload_keys.get()


def current_offload_admission():
    """The pairs the executor admitted for the innermost :func:`offload_keys`

    (``None`` when it did not: no executor, or one that does not admit).
    """
    return _admitted.get()


def set_config_args(args):
    """Record the config arguments the launcher parsed (the launcher)."""
    _state['config_args'] = None if args is None else list(args)


def config_args():
    """The ``--config-file``/``--config-dir`` arguments, or None.

    None means the application is not served by ``service-all`` (or is
    loaded before it parsed anything): it must find its config itself.
    """
    args = _state['config_args']
    return None if args is None else list(args)


def set_draining(flag=True):
    """Record that this process drains (the launcher, when it stops)."""
    _state['draining'] = bool(flag)


def draining():
    """True once this serving process has begun its graceful stop.

    In worker mode each worker drains on its own (a reload's old
    generation, SIGTERM); in single-process mode the launcher does.
    """
    return _state['draining']


def set_metrics_dir(directory):
    """Record the metrics directory (the launcher, before anything forks)."""
    _state['metrics_dir'] = directory


def metrics_dir():
    """The multiprocess metrics directory, or None: metrics are off."""
    return _state['metrics_dir']
