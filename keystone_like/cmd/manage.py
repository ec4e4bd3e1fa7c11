"""``service-manage``: check and prepare what ``service-all`` serves.

Usage: ``service-manage [--config-file FILE] [--debug] COMMAND [ARGS]``;
the commands live in :mod:`keystone_like.manage`, one small class each
(name, help, arguments, ``run``). This module only parses the command
line, runs the command and turns its failure into one line on stderr,
``service-manage <command>: ...``, and an exit code. Never imports
eventlet.

Exit codes (sysexits(3) where one fits; each command's ``--help`` lists
its own):

==  ==========================================================
0   success
1   unexpected error (run with --debug for a traceback)
2   bad command line, including an unknown command
66  a named file (config, paste, TLS, Fernet or credential key) is missing
    or unreadable
69  the database cannot be reached
70  a paste application factory failed (check)
71  a listener address cannot be bound (check)
75  credentials still need a key the rotation would remove
    (credential_rotate: run credential_migrate first)
78  an invalid option value, or a database schema not at head
==  ==========================================================
"""

import logging
import sys
import traceback

from oslo_config import cfg

from keystone_like.common import log as ks_log
from keystone_like import conf as ks_conf
from keystone_like.conf import opts
from keystone_like.server.config import validation
from keystone_like import manage
from keystone_like.manage import base
from keystone_like.server import errors

PROG = 'service-manage'
DESCRIPTION = ('Check and prepare keystone_like. Global options go before the '
               'command, e.g. "%s --config-file /etc/keystone_like/'
               'keystone_like.conf setup". Run "%s COMMAND --help" for a '
               'command\'s options and exit codes.' % (PROG, PROG))


def _add_command_parsers(subparsers):
    for command in manage.COMMANDS:
        command.add_parser(subparsers)


command_opt = cfg.SubCommandOpt(
    'command', title='Commands', dest='command',
    help='Run "%s COMMAND --help" for the options of one command.' % PROG,
    handler=_add_command_parsers)


def main(argv=None, conf=ks_conf.CONF):
    """Run one command; return the process exit code."""
    # Parsing again needs an unparsed conf; the opt registers once per conf.
    conf.clear()
    # check validates what service-all reads: the launcher's options too.
    opts.register_all(conf)
    conf.register_cli_opt(command_opt)
    try:
        ks_conf.configure(argv, conf=conf, prog=PROG,
                          description=DESCRIPTION)
    except SystemExit as exc:  # --help, --version, argparse errors
        return _exit_code(exc)
    except validation.ConfigError as exc:
        print('%s: %s' % (PROG, exc), file=sys.stderr)
        return errors.EXIT_CONFIG
    except cfg.ConfigFilesNotFoundError as exc:
        print('%s: config file %s was not found; pass an existing file to '
              '--config-file.' % (PROG, ', '.join(exc.config_files)),
              file=sys.stderr)
        return errors.EXIT_NOINPUT
    except cfg.Error as exc:
        print('%s: %s' % (PROG, str(exc).splitlines()[0]), file=sys.stderr)
        return errors.EXIT_CONFIG
    command = manage.find(conf.command.name)
    _setup_logging(conf)
    try:
        return command(conf).run()
    except base.CommandError as exc:
        return _fail(command, str(exc), exc.exit_code)
    except cfg.ConfigFileValueError as exc:
        return _fail(command, '%s; fix it in the config file'
                     % str(exc).splitlines()[0], errors.EXIT_CONFIG)
    except SystemExit as exc:
        return _exit_code(exc)
    except Exception as exc:  # noqa: BLE001 - the one line, not a traceback
        if conf.debug:
            traceback.print_exc()
        return _fail(command, 'unexpected error: %s: %s (run with --debug '
                     'for a traceback)' % (type(exc).__name__,
                                           ' '.join(str(exc).split())),
                     errors.EXIT_FAILURE)


def _fail(command, message, exit_code):
    print('%s %s: %s' % (PROG, command.name, ks_log.mask_secrets(message)),
          file=sys.stderr)
    return exit_code


def _exit_code(exc):
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or errors.EXIT_OK
    print(exc.code, file=sys.stderr)
    return errors.EXIT_FAILURE


def _setup_logging(conf):
    """Log to log_file, or with --debug to stderr; otherwise nowhere.

    Commands print their own outcome; without this, Python's last-resort
    handler would repeat their warnings on stderr.
    """
    if conf.log_file or conf.debug:
        ks_log.setup(conf)
    elif not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())


if __name__ == '__main__':
    sys.exit(main())
