"""Start-up errors and the exit codes ``service-all`` documents.

The numbers follow sysexits(3) so scripts and systemd units can tell a
configuration mistake from a crash.
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

EXIT_CODES = {
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


class StartupError(Exception):
    """A start-up failure: one line for the operator and an exit code."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code
