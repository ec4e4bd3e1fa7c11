"""``service-all``: serve the admin and public endpoints of this process.

Order: parse and validate the configuration (no eventlet yet), apply the
monkey-patch, then hand over to the launcher. Start-up failures print one
line and exit with the code documented in ``keystone_like.server.errors``.
"""

import os
import sys
import traceback

from oslo_config import cfg

from keystone_like import conf as ks_conf
from keystone_like.conf import validation
from keystone_like.server import errors

PROG = 'service-all'
DESCRIPTION = ('Serve the keystone_like admin and public endpoints. Exit '
               'codes: ' + '; '.join('%d %s' % item for item in
                                     sorted(errors.EXIT_CODES.items())))


def fail(message, code, debug=False):
    """Print the one-line error (and traceback with --debug); return code."""
    if debug:
        traceback.print_exc()
    print('%s: %s' % (PROG, message), file=sys.stderr)
    return code


def load_config(argv, conf):
    """Parse and validate; return an exit code on failure, else None."""
    try:
        ks_conf.configure(argv, conf=conf, prog=PROG, description=DESCRIPTION)
    except cfg.ConfigFilesNotFoundError as exc:
        return fail('config file %s was not found; pass an existing file to '
                    '--config-file.' % ', '.join(exc.config_files),
                    errors.EXIT_NOINPUT)
    except cfg.ConfigFileParseError as exc:
        return fail('%s cannot be parsed (%s); fix its syntax.' % (
            exc.config_file, exc.msg), errors.EXIT_CONFIG)
    except cfg.Error as exc:
        return fail(str(exc).splitlines()[0], errors.EXIT_CONFIG)
    try:
        validation.validate(conf)
    except validation.ConfigError as exc:
        return fail(str(exc), errors.EXIT_CONFIG, conf.debug)
    return None


def main(argv=None, conf=ks_conf.CONF):
    """Run the launcher; return the process exit code."""
    # Before anything can import eventlet (see server.patching).
    os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
    code = load_config(argv, conf)
    if code is not None:
        return code
    from keystone_like.server import patching
    patching.patch(conf.standard_threads)
    from keystone_like.common import log
    from keystone_like.server import launcher
    log.setup(conf)
    try:
        return launcher.run(conf)
    except errors.StartupError as exc:
        return fail(str(exc), exc.exit_code, conf.debug)


if __name__ == '__main__':
    sys.exit(main())
