"""The exit codes of ``service-all`` and ``service-manage``, in one table.

``start`` (and the service when it stops) and ``service-manage`` use
sysexits(3) numbers, so scripts and systemd units can tell a
configuration mistake from a crash; the control verbs (``status``,
``stop``, ``reload``) follow the LSB init-script conventions. Stdlib only.
"""

EXIT_OK = 0
EXIT_FAILURE = 1        # unexpected error, or a crash loop (policy exit)
EXIT_USAGE = 2          # bad command line (argparse's own code)
EXIT_SOFTWARE = 70      # a paste factory raised while building an app
EXIT_OSERR = 71         # a listener could not bind (port in use, ...)
EXIT_NOINPUT = 66       # a named file is missing or unreadable
EXIT_UNAVAILABLE = 69   # the database cannot be reached (wait and retry)
EXIT_CONFIG = 78        # an option value, paste name or TLS file is wrong
EXIT_INTERRUPTED = 130  # stopped without draining (see EXIT_CODES)

EXIT_CODES = {      # start, and the service itself
    EXIT_OK: 'stopped cleanly',
    EXIT_FAILURE: 'unexpected error (run with --debug for a traceback), or '
                  'workers in a crash loop with crash_loop_policy = exit',
    EXIT_USAGE: 'bad command line',
    EXIT_NOINPUT: 'a config, paste, certificate or key file is missing or '
                  'unreadable',
    EXIT_UNAVAILABLE: 'the database cannot be reached (service-manage)',
    EXIT_SOFTWARE: 'an application factory in the paste pipeline failed',
    EXIT_OSERR: 'a listener could not bind its address, or the pid file '
                'names a live process (another instance)',
    EXIT_CONFIG: 'an option value, paste application name or TLS file '
                 'content is invalid',
    EXIT_INTERRUPTED: 'stopped without draining: a second Ctrl-C, or SIGINT '
                      'in worker mode',
}


# The control verbs (LSB).
EXIT_NOT_READY = 1          # status: not ready; stop/reload: did not work
EXIT_STATUS_NOT_RUNNING = 3
EXIT_UNIMPLEMENTED = 3      # reload in single-process mode
EXIT_UNKNOWN = 4            # status: no status document for the pid
EXIT_NOT_PERMITTED = 4      # stop/reload: not allowed to signal it
EXIT_NOT_RUNNING = 7        # reload
EXIT_ALREADY_RUNNING = EXIT_OSERR

VERB_EXIT_CODES = {
    'status': {
        EXIT_OK: 'running and ready',
        EXIT_NOT_READY: 'not ready, degraded, stopping, or dead with a '
                        'stale pid file',
        EXIT_STATUS_NOT_RUNNING: 'not running',
        EXIT_UNKNOWN: 'state unknown'},
    'stop': {
        EXIT_OK: 'stopped or was not running',
        EXIT_NOT_READY: 'still running after graceful_shutdown_timeout + '
                        '10s',
        EXIT_NOT_PERMITTED: 'not allowed to signal it'},
    'reload': {
        EXIT_OK: 'reloaded',
        EXIT_NOT_READY: 'refused, rolled back or no result',
        EXIT_UNIMPLEMENTED: 'single-process mode (no zero-loss reload: use '
                            'restart)',
        EXIT_NOT_RUNNING: 'not running'},
}


class StartupError(Exception):
    """A start-up failure: one line for the operator and an exit code."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code
