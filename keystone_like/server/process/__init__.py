"""The process model: from parsed options to serving, reloading, stopping.

- ``launcher``: ``run()`` -- worker mode (the master) or one process;
- ``loading``: load both paste apps and TLS contexts, then bind;
- ``server``: one serving process's listeners and life cycle, the same
  in single-process mode and in a worker;
- ``master`` (+ ``master_status``: pid file, status, systemd): forks and
  supervises generations, validated zero-loss reload and rollback;
- ``leader``: a generation's leader, forking and respawning workers;
- ``worker``: a worker process around a ``Server``;
- ``ipc``: messages between them; ``signals``: the signal recorder;
- ``privileges``: ``user``/``group``; ``patching``: the monkey-patch;
  ``threads``: the bounded native pool for CPU-bound work; ``onready``:
  the hook; ``logs``: logging set-up; ``reloader``: ``--reload``.
"""
