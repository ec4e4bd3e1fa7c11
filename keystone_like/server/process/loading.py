"""Everything done before serving: load the apps and TLS material, bind.

Order matters for the operator: both paste applications and both TLS
contexts are loaded before anything binds, so a broken pipeline or
certificate never leaves a port open; and when the second bind fails the
first socket is closed again.
"""

import dataclasses
import os
import logging
import resource

from paste.deploy import loadwsgi

from keystone_like.server.config import listener as listener_conf
from keystone_like.server.config import validation
from keystone_like.server import config as server_config
from keystone_like.server import errors
from keystone_like.server.http import activation
from keystone_like.server.http import sockets
from keystone_like.server.http import tls
from keystone_like.server import hooks
from keystone_like.server.process import logs

LOG = logging.getLogger(__name__)

# Listener name -> paste application name.
PASTE_APPS = {'admin': 'admin', 'public': 'main'}


@dataclasses.dataclass
class Prepared:
    """One listener ready to serve: settings, app, TLS context, socket."""

    settings: listener_conf.ListenerSettings
    app: object
    ssl_context: object
    sock: object = None
    # True when systemd passed the socket (socket activation): a reload
    # keeps it whatever the bind options say.
    activated: bool = False


def prepare(conf):
    """Load apps and TLS, then bind both listeners; StartupError on failure."""
    paste_file = find_paste_file(conf)
    prepared = []
    for name in listener_conf.LISTENERS:
        settings = listener_conf.listener_settings(conf, name)
        prepared.append(Prepared(settings, load_app(paste_file,
                                                    PASTE_APPS[name]),
                                 load_tls(settings)))
    raise_file_limit(sum(p.settings.max_connections for p in prepared))
    # Sockets passed by systemd (socket activation) replace binding.
    activated = activation.listen_sockets()
    try:
        for item in prepared:
            item.sock = activated.pop(item.settings.name, None)
            item.activated = item.sock is not None
            if item.activated:
                LOG.info('%s listener: using the socket passed by systemd '
                         '(fd %d)', item.settings.name, item.sock.fileno())
            else:
                item.sock = sockets.bind_socket(
                    item.settings.name, item.settings.host,
                    item.settings.port, item.settings.backlog)
    except errors.StartupError:
        close_sockets(prepared)
        raise
    return prepared


def close_sockets(prepared):
    """Close the sockets of ``prepared`` listeners (after a failed start)."""
    for item in prepared:
        if item.sock is not None:
            item.sock.close()
            item.sock = None


def find_paste_file(conf):
    """Return the paste ini path, or StartupError saying where we looked."""
    path = server_config.find_paste_config(conf)
    if path is None:
        raise errors.StartupError(
            '[paste_deploy] config_file = %s was not found (looked in %s); '
            'set it to the path of the paste ini.' % (
                conf.paste_deploy.config_file,
                ', '.join(server_config.paste_search_dirs(conf))),
            errors.EXIT_NOINPUT)
    return path


def load_app(paste_file, name):
    """Build the paste application ``name``; StartupError when it fails."""
    try:
        return loadwsgi.loadapp('config:' + paste_file, name=name)
    except Exception as exc:
        raise _load_error(paste_file, name, exc) from exc


def _load_error(paste_file, name, exc):
    if isinstance(exc, hooks.StartupRefused):
        # The factory says what the operator must do (db_sync, keys).
        return errors.StartupError(str(exc), exc.exit_code)
    # Only what paste.deploy and configparser raise themselves is a problem
    # of the ini: a factory's KeyError is a LookupError too, and its
    # ValueError is not a syntax error, but both are failing factories.
    if _raised_by(exc, ('paste.deploy', 'configparser')):
        if isinstance(exc, LookupError):
            return errors.StartupError(
                '%s has no application named %r (%s); define '
                '[composite:%s] or [pipeline:%s] in it, or fix the name it '
                'refers to.' % (paste_file, name, _one_line(exc), name,
                                name), errors.EXIT_CONFIG)
        return errors.StartupError(
            '%s cannot be parsed (%s); fix the paste ini.' % (
                paste_file, _one_line(exc)), errors.EXIT_CONFIG)
    return errors.StartupError(
        'the %r application in %s failed to load: %s: %s; fix the factory '
        'or its settings.' % (name, paste_file, type(exc).__name__,
                              _one_line(exc)), errors.EXIT_SOFTWARE)


def _raised_by(exc, modules):
    """True when the innermost frame of ``exc`` is in one of ``modules``."""
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get('__name__', '')
    return any(module == m or module.startswith(m + '.') for m in modules)


def load_tls(settings):
    """Return the listener's SSLContext (None without TLS) or StartupError."""
    if settings.tls is None:
        return None
    try:
        return tls.build_context(settings.tls, settings.name)
    except tls.TLSConfigError as exc:
        code = errors.EXIT_NOINPUT if exc.missing_file else errors.EXIT_CONFIG
        raise errors.StartupError(str(exc), code) from exc


def raise_file_limit(connections):
    """Raise the soft open-file limit toward the hard one if needed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        LOG.debug('Raised the open file limit from %d to %d', soft, wanted)
    elif soft < connections:
        LOG.warning('The open file limit (%d) is below max_connections (%d); '
                    'clients beyond it wait until descriptors free up',
                    soft, connections)


def _one_line(exc):
    text = ' '.join(str(exc).split()) or type(exc).__name__
    return logs.mask_secrets(text)


def reload(conf, bound, channel):
    """In a reload's leader: re-read the config, load apps, TLS, sockets.

    Listeners whose address is unchanged take the master's socket; new
    ones are bound here and handed to the master over ``channel``.
    """
    reread(conf)
    try:
        validation.validate(conf)
    except validation.ConfigError as exc:
        raise errors.StartupError(str(exc), errors.EXIT_CONFIG) from None
    if not any(validation.worker_counts(conf)):
        raise errors.StartupError(
            'admin_workers and public_workers are 0 in the new '
            'configuration; single-process mode needs a restart, not a '
            'reload.', errors.EXIT_CONFIG)
    # The applications re-read their own config, drop what they built.
    try:
        hooks.fire(hooks.BEFORE_RELOAD)
    except hooks.StartupRefused as exc:
        raise errors.StartupError(str(exc), exc.exit_code) from None
    paste_file = find_paste_file(conf)
    prepared = []
    for name in listener_conf.LISTENERS:
        settings = listener_conf.listener_settings(conf, name)
        prepared.append(Prepared(
            settings, load_app(paste_file, PASTE_APPS[name]),
            load_tls(settings)))
    new = []
    try:
        for item in prepared:
            if _reuse(item, bound[item.settings.name]):
                continue
            item.sock = sockets.bind_socket(
                item.settings.name, item.settings.host, item.settings.port,
                item.settings.backlog)
            new.append(item)
    except errors.StartupError:
        close_sockets(new)
        raise
    if new:
        channel.send_surely('sockets', pid=os.getpid(),
                            fds=[item.sock.fileno() for item in new],
                            names=[item.settings.name for item in new],
                            hosts=[item.settings.host for item in new],
                            ports=[item.settings.port for item in new])
    return prepared


def _reuse(item, old):
    """Take the master's socket when the listener's address is unchanged."""
    settings = item.settings
    same = (old['host'], old['port']) == (settings.host, settings.port)
    if old['activated'] and not same:
        LOG.warning('%s listener: keeping the socket systemd passed; change '
                    'the socket unit to move it', settings.name)
    if same or old['activated']:
        item.sock, item.activated = old['sock'], old['activated']
        return True
    return False


def reread(conf):
    """Re-read the same config files; StartupError when they are broken."""
    oslo_log = logging.getLogger('oslo_config.cfg')
    handler = _Captured()
    captured = handler.messages
    oslo_log.addHandler(handler)
    propagate, oslo_log.propagate = oslo_log.propagate, False
    try:
        reloaded = conf.reload_config_files()
    finally:
        oslo_log.removeHandler(handler)
        oslo_log.propagate = propagate
    if not reloaded:
        reason = captured[-1].split(': ', 1)[-1] if captured else 'see above'
        raise errors.StartupError(
            'the config files cannot be re-read (%s); fix them and reload '
            'again.' % ' '.join(reason.split()), errors.EXIT_CONFIG)


class _Captured(logging.Handler):
    """Keeps the messages of WARNING records (oslo.config's reload error)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        """Keep the message."""
        self.messages.append(record.getMessage())
