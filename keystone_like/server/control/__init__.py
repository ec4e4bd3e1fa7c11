"""Acting on a running service-all from another process. Stdlib only.

- ``verbs``: ``stop``, ``reload``, ``status`` (and their exit codes, from
  ``keystone_like.server.errors``);
- ``pidfile``: claiming, releasing and reading the pid file;
- ``status``: the status document (the one builder both modes use), read
  and written atomically;
- ``daemon``: ``start --daemon``.
"""
