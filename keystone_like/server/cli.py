"""The ``service-all`` command line: serve both endpoints, or control them.

Commands (jms style): ``start`` (the default; ``--daemon`` detaches,
``--reload`` restarts on code or config changes), ``stop``, ``restart``,
``reload``, ``status``. The command word may come before or after the
options; the rest of the command line goes to oslo.config.

``start`` order: parse and validate the configuration (no eventlet yet),
detach if asked, apply the monkey-patch, then hand over to the launcher.
Start-up failures print one line and exit with the code documented in
``keystone_like.server.errors``, which also holds the control commands'.
"""

import os
import sys
import textwrap
import traceback

from oslo_config import cfg

from keystone_like.server import config as server_config
from keystone_like.server.config import validation
from keystone_like.server.control import verbs as control
from keystone_like.server.control import daemon
from keystone_like.server import errors
from keystone_like.server.control import status

PROG = 'service-all'
VERBS = ('start', 'stop', 'restart', 'status', 'reload')
# Flags of the commands (oslo.config never sees them) and where they apply.
FLAGS = {'--daemon': ('start', 'restart'), '--reload': ('start',),
         '--json': ('status',), '--fast': ('stop', 'restart'),
         '--force': ('stop', 'restart')}
# oslo.config options taking a value: "--config-file stop" names a file.
VALUE_OPTIONS = ('--config-file', '--config-dir')
DAEMON_LOG = 'service-all.log'
DESCRIPTION = ('Serve the keystone_like admin and public endpoints, or '
               'control a running instance (commands below).')
COMMANDS_HELP = """
commands (before or after the options; none means start):
  start [--daemon]     serve in the foreground; --daemon detaches (log:
                       log_file, else <state_dir>/service-all.log) and
                       returns once both endpoints are ready
  start --reload       development: run the service in a child process and
                       restart it when a keystone_like Python file, a config
                       file or the paste ini changes; a crash waits for the
                       next change
  stop [--fast]        SIGTERM (graceful) the pid in pid_file and wait until
                       it has exited; --fast (or --force) sends SIGINT
  restart [--daemon] [--fast]
                       validate the config, stop, start with the same args
  reload               SIGHUP: validated zero-loss reload (needs workers)
  status [--json]      endpoints, workers and pids, readiness, uptime, state,
                       generation, last restart reason, last reload result

exit codes of start (and of the service when it stops):
%s

exit codes of the other commands (LSB):
%s
  restart  as stop if stopping fails, else as start"""
START_EXIT_CODES = errors.EXIT_CODES


class UsageError(Exception):
    """A command word or flag in the wrong place; ``str()`` says why."""


def split_command(argv):
    """Return ``(verb, flags, oslo.config argv)`` from the command line."""
    verb, flags, rest, value_next = None, set(), [], False
    for arg in argv:
        if value_next or arg not in VERBS + tuple(FLAGS):
            rest.append(arg)
        elif arg in FLAGS:
            flags.add(arg)
        elif verb is not None:
            raise UsageError('one command at a time, got %s and %s'
                             % (verb, arg))
        else:
            verb = arg
        value_next = not value_next and arg in VALUE_OPTIONS
    verb = verb or 'start'
    for flag in sorted(flags):
        if verb not in FLAGS[flag]:
            raise UsageError('%s goes with %s, not %s' % (
                flag, ' or '.join(FLAGS[flag]), verb))
    if {'--daemon', '--reload'} <= flags:
        raise UsageError('--reload runs in the foreground; drop --daemon')
    return verb, flags, rest


def absolute_paths(argv):
    """Return ``argv`` with config file and directory values made absolute."""
    result, value_next = [], False
    for arg in argv:
        name, eq, value = arg.partition('=')
        if value_next:
            arg = os.path.abspath(arg)
        elif eq and name in VALUE_OPTIONS:
            arg = '%s=%s' % (name, os.path.abspath(value))
        result.append(arg)
        value_next = not value_next and arg in VALUE_OPTIONS
    return result


def fail(message, code, debug=False):
    """Print the one-line error (and traceback with --debug); return code."""
    if debug:
        traceback.print_exc()
    print('%s: %s' % (PROG, message), file=sys.stderr)
    daemon.Daemon.report_failure(message, code)
    return code


def load_config(argv, conf, validate=True):
    """Parse (and validate); return an exit code on failure, else None."""
    try:
        server_config.configure(argv, conf=conf, prog=PROG,
                                description=DESCRIPTION)
    except validation.ConfigError as exc:
        return fail(str(exc), errors.EXIT_CONFIG)
    except (cfg.Error, OSError, UnicodeDecodeError) as exc:
        return fail(*parse_failure(exc, argv))
    if not validate:
        return None
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
    named = server_config.named_config_paths(
        argv if argv is not None else sys.argv[1:])
    for path in named:
        try:
            with open(path) as f:
                f.read()
        except UnicodeDecodeError:
            return path
        except OSError:
            continue
    return None


def main(argv=None, conf=None):
    """Run the command; return the process exit code.

    ``conf`` is the launcher's own ``ConfigOpts`` (a new one by default):
    oslo.config's global ``CONF`` is left to the applications.
    """
    conf = server_config.new() if conf is None else conf
    # Before anything can import eventlet (see process.patching).
    os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
    try:
        verb, flags, args = split_command(
            sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        return fail('%s (see --help).' % exc, errors.EXIT_USAGE)
    if '-h' in args or '--help' in args:
        return show_help(args, conf)
    if '--daemon' in flags:
        args = absolute_paths(args)     # the daemon runs from /
    if '--reload' in flags:
        from keystone_like.server.process import reloader as autoreload
        return autoreload.main(args, conf)
    code = load_config(args, conf, validate=verb in ('start', 'restart'))
    if code is not None:
        return code
    pid_file = os.path.abspath(status.pid_path(conf))
    if verb == 'status':
        return control.status(pid_file, '--json' in flags)
    if verb == 'reload':
        return control.reload(pid_file, any(validation.worker_counts(conf)),
                              conf.process.reload_timeout)
    if verb in ('stop', 'restart'):
        code = control.stop(pid_file,
                            conf.eventlet_server.graceful_shutdown_timeout,
                            fast=bool(flags & {'--fast', '--force'}))
        if verb == 'stop' or code:
            return code
    return start(conf, pid_file, '--daemon' in flags)


def show_help(args, conf):
    """Print oslo.config's option help, then the commands and exit codes."""
    try:
        server_config.configure(args, conf=conf, prog=PROG,
                                description=DESCRIPTION)
    except SystemExit as exc:
        if not exc.code:
            print(COMMANDS_HELP % (exit_code_lines(), verb_code_lines()))
        return exc.code
    return errors.EXIT_OK


def exit_code_lines():
    """The start exit codes, one wrapped entry each, for --help."""
    return '\n'.join(
        textwrap.fill(text, 79, initial_indent='  %-4d' % code,
                      subsequent_indent=' ' * 6)
        for code, text in sorted(START_EXIT_CODES.items()))


def verb_code_lines():
    """The control verbs' exit codes, for --help."""
    return '\n'.join(
        textwrap.fill('; '.join('%d %s' % item for item in sorted(
            codes.items())), 79, initial_indent='  %-8s ' % verb,
            subsequent_indent=' ' * 11)
        for verb, codes in errors.VERB_EXIT_CODES.items())


def start(conf, pid_file, detached=False):
    """Start serving (as a daemon if ``detached``); return the exit code."""
    try:
        control.check_not_running(pid_file)
    except errors.StartupError as exc:
        return fail(str(exc), exc.exit_code)
    if detached:
        code = detach(conf, pid_file)
        if code is not None:
            return code
    return serve(conf)


def detach(conf, pid_file):
    """Become a daemon; return the parent's exit code, None in the daemon."""
    for name in ('pid_file', 'log_file', 'state_dir'):
        value = conf[name]
        if value and not os.path.isabs(os.path.expanduser(value)):
            conf.set_override(name, os.path.abspath(value))
    log_path = conf.log_file or os.path.join(
        os.path.expanduser(conf.state_dir), DAEMON_LOG)
    try:
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        return daemon.Daemon(pid_file, log_path).detach()
    except OSError as exc:
        return fail('the daemon log %s cannot be opened for writing (%s); set '
                    '[DEFAULT] log_file to a writable file.' % (
                        log_path, exc.strerror), errors.EXIT_CONFIG)


def serve(conf):
    """Patch, set up logging and run the launcher; return the exit code."""
    from keystone_like.server.process import patching
    patching.patch(conf.standard_threads)
    from keystone_like.server.process import launcher
    from keystone_like.server.process import logs
    try:
        logs.setup(conf)
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
