"""``service-manage check``: would ``service-all`` start, and serve?

Checks, in order, stopping at the first failure: every option value, that
the database is reachable and at this code's schema revision, that the
Fernet key repository and the credential key repository load, that the
password hashing options are usable, then the paste ini and both
applications (which need the database and keys), the TLS material and
that both listener addresses can be bound (``--skip-ports`` while the
service runs). Prints ``ok: ...`` per check, then ``All checks passed.``

Exit codes: 0 all passed; 66 a paste, certificate, key, Fernet key or
credential key file is missing or unreadable; 69 the database cannot be
reached; 70 a paste application factory failed; 71 a listener address
cannot be bound; 78 an option value, paste name or TLS file is wrong, or
the schema is missing, older or newer than this code.
"""

from keystone_like import conf as ks_conf
from keystone_like.server.config import listener as listener_conf
from keystone_like.server.config import validation
from keystone_like.identity import passwords
from keystone_like.manage import base
from keystone_like.server import errors
from keystone_like.token import keys


class Check(base.Command):
    """Validate everything service-all needs, without serving."""

    name = 'check'
    help = ('Check the configuration, that the database is reachable and '
            'migrated, that the Fernet and credential keys load, the '
            'password hashing '
            'options, the paste pipelines, the TLS material and that both '
            'listener addresses can be bound, without serving. Exits 0 when '
            'service-all would start.')
    exit_codes = {
        errors.EXIT_NOINPUT: 'a paste, certificate, key, Fernet key or '
                             'credential key file is missing or unreadable',
        base.EXIT_UNAVAILABLE: 'the database cannot be reached',
        errors.EXIT_SOFTWARE: 'an application factory in the paste pipeline '
                              'failed',
        errors.EXIT_OSERR: 'a listener address cannot be bound',
        errors.EXIT_CONFIG: 'an option value, paste application name or TLS '
                            'file is invalid, or the database schema is not '
                            'at the newest revision',
    }

    @classmethod
    def add_arguments(cls, parser):
        """--skip-ports for a host where the service already runs."""
        parser.add_argument(
            '--skip-ports', action='store_true',
            help='Do not try to bind the listener addresses (use it while '
                 'service-all is running).')

    def run(self):
        """Run each check in order; the first failure ends the run."""
        conf = self.conf
        self._step(ks_conf.validate, conf)
        _ok('configuration is valid (%s)' % (
            ', '.join(conf.config_file) or 'embedded defaults'))
        with base.open_database(conf) as database:
            revision = base.check_schema(database)
            _ok('database %s is reachable and at revision %s'
                % (database.display_url, revision))
        for kind in (keys.TOKENS, keys.CREDENTIALS):
            path = keys.repository_path(conf, kind)
            try:
                keys.load(path, kind)
                ids = keys.key_ids(path, kind)
            except keys.KeyRepositoryError as exc:
                raise base.CommandError(str(exc),
                                        errors.EXIT_NOINPUT) from None
            _ok('%s %s loads (keys %s)'
                % (kind.repository, path, ', '.join(str(i) for i in ids)))
        try:
            passwords.check_config(conf)
        except ValueError as exc:
            raise base.CommandError(str(exc), errors.EXIT_CONFIG) from None
        _ok('password hashing: %s' % conf.identity.password_hash_algorithm)
        # Last: the applications need the database and keys checked above.
        self._listeners()
        print('All checks passed.')
        return errors.EXIT_OK

    def _listeners(self):
        """The paste apps, TLS material and (unless skipped) the binds."""
        # startup loads paste.deploy; only this command needs it.
        from keystone_like.server.http import sockets
        from keystone_like.server.process import loading as startup
        conf = self.conf
        paste_file = self._step(startup.find_paste_file, conf)
        for name in listener_conf.LISTENERS:
            settings = listener_conf.listener_settings(conf, name)
            self._step(startup.load_app, paste_file, startup.PASTE_APPS[name])
            _ok('%s application %r loads from %s' % (
                name, startup.PASTE_APPS[name], paste_file))
            if self._step(startup.load_tls, settings) is not None:
                _ok('%s TLS certificate and key load' % name)
            if not self.args.skip_ports:
                sock = self._step(sockets.bind_socket, name, settings.host,
                                  settings.port, 1)
                sock.close()
                _ok('%s listener can bind %s' % (
                    name, sockets.format_address(settings.host,
                                                 settings.port)))

    @staticmethod
    def _step(function, *args):
        try:
            return function(*args)
        except validation.ConfigError as exc:
            raise base.CommandError(str(exc), errors.EXIT_CONFIG) from exc
        except errors.StartupError as exc:
            raise base.CommandError(str(exc), exc.exit_code) from exc


def _ok(text):
    print('ok: %s' % text)
