"""``service-all``: a launcher for any paste.deploy application.

The only package that imports eventlet, and it imports no application
code (a test holds it to that): applications reach it through
:mod:`.hooks`. Where things live:

- ``http/``: one connection's HTTP/1.1 -- sockets, TLS, the accept loop,
  the parser, ``wsgi.input``, responses, readiness probes;
- ``process/``: the process model -- the launcher, loading apps and
  binding, one in-process ``Server``, the master, generation leaders and
  workers, their IPC and signals, privilege drop, the dev reloader;
- ``control/``: the ``status``/``stop``/``reload`` verbs, the pid file,
  the status document, ``--daemon`` (stdlib only);
- ``config/``: the launcher's options, in a private ``ConfigOpts``;
- ``cli``: the ``service-all`` command line; ``errors``: the exit-code
  table; ``hooks``: what applications may ask; ``systemd``: the
  notifier, usable as the ``onready`` hook.
"""
