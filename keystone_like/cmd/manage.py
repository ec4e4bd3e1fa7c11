"""``service-manage``: check and prepare what ``service-all`` serves.

One small class per command (name, help, arguments, ``run``), in the
keystone-manage and django ``manage.py`` manner. Never imports eventlet.
"""

import sys

from oslo_config import cfg

from keystone_like import conf as ks_conf
from keystone_like.conf import listener as listener_conf
from keystone_like.conf import validation
from keystone_like.server import errors

PROG = 'service-manage'


class CommandError(Exception):
    """A command failed; ``str()`` is the line to print, with an exit code."""

    def __init__(self, message, exit_code=errors.EXIT_FAILURE):
        super().__init__(message)
        self.exit_code = exit_code


class Command:
    """Base of the commands: a name, a help line, arguments and ``run``."""

    name = None
    help = None

    @classmethod
    def add_arguments(cls, parser):
        """Add the command's own arguments to its sub-parser."""

    def __init__(self, conf):
        self.conf = conf

    def run(self):
        """Do the work; return an exit code or raise CommandError."""
        raise NotImplementedError


class Check(Command):
    """Validate everything service-all needs, without serving."""

    name = 'check'
    help = ('Check the configuration, the paste pipelines, the TLS material '
            'and that both listener addresses can be bound, without '
            'serving. Exits 0 when service-all would start.')

    @classmethod
    def add_arguments(cls, parser):
        """--skip-ports for a host where the service already runs."""
        parser.add_argument(
            '--skip-ports', action='store_true',
            help='Do not try to bind the listener addresses (use it while '
                 'service-all is running).')

    def run(self):
        """Run each check in order; the first failure ends the run."""
        from keystone_like.server import startup
        from keystone_like.server import sockets
        conf = self.conf
        self._step(validation.validate, conf)
        self._ok('configuration is valid (%s)' % (
            ', '.join(conf.config_file) or 'embedded defaults'))
        paste_file = self._step(startup.find_paste_file, conf)
        for name in listener_conf.LISTENERS:
            settings = listener_conf.listener_settings(conf, name)
            self._step(startup.load_app, paste_file, startup.PASTE_APPS[name])
            self._ok('%s application %r loads from %s' % (
                name, startup.PASTE_APPS[name], paste_file))
            if self._step(startup.load_tls, settings) is not None:
                self._ok('%s TLS certificate and key load' % name)
            if not conf.command.skip_ports:
                sock = self._step(sockets.bind_socket, name, settings.host,
                                  settings.port, 1)
                sock.close()
                self._ok('%s listener can bind %s' % (
                    name, sockets.format_address(settings.host,
                                                 settings.port)))
        print('All checks passed.')
        return errors.EXIT_OK

    @staticmethod
    def _step(function, *args):
        try:
            return function(*args)
        except validation.ConfigError as exc:
            raise CommandError(str(exc), errors.EXIT_CONFIG) from exc
        except errors.StartupError as exc:
            raise CommandError(str(exc), exc.exit_code) from exc

    @staticmethod
    def _ok(text):
        print('ok: %s' % text)


COMMANDS = (Check,)


def _add_command_parsers(subparsers):
    for command in COMMANDS:
        parser = subparsers.add_parser(command.name, help=command.help,
                                       description=command.help)
        command.add_arguments(parser)


command_opt = cfg.SubCommandOpt(
    'command', title='Commands', dest='command',
    help='Run "%s COMMAND --help" for the options of one command.' % PROG,
    handler=_add_command_parsers)


def main(argv=None, conf=ks_conf.CONF):
    """Run one command; return the process exit code."""
    conf.register_cli_opt(command_opt)
    try:
        ks_conf.configure(argv, conf=conf, prog=PROG,
                          description='Check and prepare keystone_like.')
    except cfg.ConfigFilesNotFoundError as exc:
        print('%s: config file %s was not found; pass an existing file to '
              '--config-file.' % (PROG, ', '.join(exc.config_files)),
              file=sys.stderr)
        return errors.EXIT_NOINPUT
    except cfg.Error as exc:
        print('%s: %s' % (PROG, str(exc).splitlines()[0]), file=sys.stderr)
        return errors.EXIT_CONFIG
    command = {c.name: c for c in COMMANDS}[conf.command.name]
    try:
        return command(conf).run()
    except CommandError as exc:
        print('%s %s: %s' % (PROG, command.name, exc), file=sys.stderr)
        return exc.exit_code


if __name__ == '__main__':
    sys.exit(main())
