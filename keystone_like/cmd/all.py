"""``service-all``: serve the admin and public endpoints of this process.

Order: parse and validate the configuration (no eventlet yet), apply the
monkey-patch, then hand over to the launcher. Start-up failures print one
line and exit with the code documented in ``keystone_like.server.errors``.
"""

import argparse
import glob
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
    except (cfg.Error, OSError, UnicodeDecodeError) as exc:
        return fail(*parse_failure(exc, argv))
    try:
        validation.validate(conf)
    except validation.ConfigError as exc:
        return fail(str(exc), errors.EXIT_CONFIG, conf.debug)
    return None


def parse_failure(exc, argv):
    """Return the one-line message and exit code for a parse failure."""
    if isinstance(exc, cfg.ConfigFilesNotFoundError):
        return ('config file %s was not found; pass an existing file to '
                '--config-file.' % ', '.join(exc.config_files),
                errors.EXIT_NOINPUT)
    if isinstance(exc, cfg.ConfigFilesPermissionDeniedError):
        return ('config file %s is not readable by uid %d (permission '
                'denied); make it readable by the user the service starts '
                'as.' % (', '.join(exc.config_files), os.geteuid()),
                errors.EXIT_NOINPUT)
    if isinstance(exc, cfg.ConfigDirNotFoundError):
        return ('config directory %s was not found; pass an existing '
                'directory to --config-dir.' % exc.config_dir,
                errors.EXIT_NOINPUT)
    if isinstance(exc, cfg.ConfigFileParseError):
        return ('%s cannot be parsed (%s); fix its syntax.' % (
            exc.config_file, exc.msg), errors.EXIT_CONFIG)
    if isinstance(exc, OSError):
        # oslo.config lets some through, e.g. a directory as --config-file.
        return ('config file %s cannot be read (%s); pass a readable file '
                'to --config-file.' % (exc.filename, exc.strerror),
                errors.EXIT_NOINPUT)
    if isinstance(exc, UnicodeDecodeError):
        return ('config file %s is not %s text (%s); save it as %s.' % (
            undecodable_file(argv) or '(one of them)', exc.encoding,
            exc.reason, exc.encoding), errors.EXIT_CONFIG)
    return str(exc).splitlines()[0], errors.EXIT_CONFIG


def undecodable_file(argv):
    """Return the first named config file that does not decode, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    parser.add_argument('--config-dir', action='append', default=[])
    named, _ = parser.parse_known_args(
        argv if argv is not None else sys.argv[1:])
    paths = list(named.config_file)
    for directory in named.config_dir:
        paths.extend(sorted(glob.glob(os.path.join(directory, '*.conf'))))
    for path in paths:
        try:
            with open(path) as f:
                f.read()
        except UnicodeDecodeError:
            return path
        except OSError:
            continue
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
    try:
        log.setup(conf)
    except OSError as exc:
        return fail('[DEFAULT] log_file = %s cannot be opened for writing '
                    '(%s); point it at a writable file or unset it to log to '
                    'standard error.' % (conf.log_file, exc.strerror),
                    errors.EXIT_CONFIG, conf.debug)
    try:
        return launcher.run(conf)
    except errors.StartupError as exc:
        return fail(str(exc), exc.exit_code, conf.debug)
    except KeyboardInterrupt:
        # Ctrl-C before the launcher's handlers are installed (e.g. while
        # a slow paste factory runs): no traceback for an operator's ^C.
        return fail('interrupted during start-up.', errors.EXIT_INTERRUPTED,
                    conf.debug)


if __name__ == '__main__':
    sys.exit(main())
