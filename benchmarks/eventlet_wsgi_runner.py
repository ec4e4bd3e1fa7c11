"""Serve keystone_like's public pipeline with plain ``eventlet.wsgi.server``.

The baseline of ``bench_http.py``: the same monkey-patch as
``service-all`` (its ``patching.patch()`` itself, so both processes patch
exactly the same modules), the same options (``CONF`` parsed from the
benchmark's config file, which only sets the state directory holding the
database and Fernet keys, or from no file at all), the same paste
application (``main``), served by eventlet.wsgi with its default settings
except ``log_output`` and ``max_size`` (1000, the size of keystone_like's
request pool).

Usage::

    python eventlet_wsgi_runner.py --port PORT --paste INI
                                   [--config-file FILE] [--access-log]

Binds 127.0.0.1 only. Runs until SIGTERM (default action: exit at once)
or SIGINT.
"""

import argparse
import os
import signal
import sys


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True,
                        help='TCP port on 127.0.0.1 to listen on')
    parser.add_argument('--paste', required=True,
                        help='path of keystone_like-paste.ini')
    parser.add_argument('--config-file',
                        help='keystone_like config file (state_dir, '
                             'database, keys); default: none, the option '
                             'defaults')
    parser.add_argument('--app', default='main',
                        help='paste application name (default: main)')
    parser.add_argument('--access-log', action='store_true',
                        help='let eventlet.wsgi write its access log '
                             '(to /dev/null)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The monkey-patch comes first, exactly as in service-all (whose
    # module moved with the server split; --source may be older).
    try:
        from keystone_like.server.process import patching
    except ImportError:
        from keystone_like.server import patching
    patching.patch()

    import eventlet
    import eventlet.wsgi
    from paste import deploy

    import keystone_like.conf

    keystone_like.conf.CONF(
        [], project='keystone_like',
        default_config_files=[args.config_file] if args.config_file else [])
    app = deploy.loadapp('config:' + os.path.abspath(args.paste),
                         name=args.app)
    sock = eventlet.listen(('127.0.0.1', args.port))
    # SIGTERM keeps its default action (terminate at once); a baseline has
    # nothing to drain.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if args.access_log:
        log = open(os.devnull, 'w')
        eventlet.wsgi.server(sock, app, log=log, log_output=True,
                             max_size=1000)
    else:
        eventlet.wsgi.server(sock, app, log_output=False, max_size=1000)
    return 0


if __name__ == '__main__':
    sys.exit(main())
