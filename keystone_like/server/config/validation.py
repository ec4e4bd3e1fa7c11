"""Eager validation of every option, so bad values stop start-up at once.

oslo.config checks a value only when it is read; a typo in an option that
is read late would surface in the middle of serving. ``validate`` reads
every registered option once and checks the rules that span options, and
raises :class:`ConfigError` whose message is one line naming the option,
the value and the fix.
"""

import ipaddress
import os
import re

from oslo_config import cfg
from oslo_config import types

from keystone_like.server.config import listener


class ConfigError(Exception):
    """A configuration problem; ``str()`` is the one line to show."""


def validate(conf):
    """Read every launcher option of ``conf`` and check cross-option rules."""
    from keystone_like.server import config
    check_values(conf, config.list_opts())
    _check_trusted_proxies(conf)
    _check_workers(conf)
    _check_distinct_ports(conf)
    for name in listener.LISTENERS:
        _check_tls(conf, name)


def check_values(conf, option_list):
    """Read each ``(group, [opts])`` of ``option_list``; ConfigError if bad."""
    for group, group_opts in option_list:
        for opt in group_opts:
            _read(conf, group, opt)


def _read(conf, group, opt):
    section = conf if group == 'DEFAULT' else conf[group]
    try:
        section[opt.dest]
    except (ValueError, cfg.Error) as exc:
        raw = _raw_value(conf, group, opt.dest)
        cause = exc.__cause__ or exc.__context__ or exc
        raise ConfigError(
            '[%s] %s = %s is not valid (%s); set it to %s%s.' % (
                group, opt.name, raw, _first_line(cause), _expected(opt),
                _where(conf, group, opt.dest))) from exc


# What oslo.config writes to stderr before exiting 1 when a config file
# gives a command-line option (debug) a value it cannot convert.
_CLI_VALUE_ERROR = re.compile(
    r'argument --(?P<dest>\w+): Invalid \S+ value: (?P<value>.*)')


def command_line_option_error(oslo_output, config_files, cli_opts):
    """Return the ConfigError for oslo.config's bad command-line option line.

    oslo.config checks file values of command-line options while parsing
    and, on a bad one, prints an argparse-style line and exits 1. This
    turns that line back into the usual one: option, value, file, fix.
    ``cli_opts`` are the command-line options registered. Returns None
    when ``oslo_output`` is something else.
    """
    found = _CLI_VALUE_ERROR.search(oslo_output)
    if found is None:
        return None
    dest, value = found.group('dest'), found.group('value').strip()
    opt = next((o for o in cli_opts if o.dest == dest), None)
    if opt is None:
        return None
    try:
        opt.type(value)
        reason = 'invalid'
    except ValueError as exc:
        reason = _first_line(exc)
    setting = [path for path in config_files
               if dest in _file_sections(path).get('DEFAULT', {})]
    where = ' in %s' % setting[-1] if setting else ''
    return ConfigError('[DEFAULT] %s = %s is not valid (%s); set it to %s%s.'
                       % (opt.name, value, reason, _expected(opt), where))


def _file_sections(path):
    sections = {}
    try:
        cfg.ConfigParser(path, sections).parse()
    except (OSError, cfg.ParseError):
        return {}
    return sections


def _raw_value(conf, group, name):
    """Return the value as written in the config files, for messages."""
    try:
        value, _loc = conf._namespace._get_file_value([(group, name)])
    except Exception:  # noqa: BLE001 - best effort, only for the message
        return '?'
    return value[-1] if isinstance(value, list) and value else value


def _where(conf, group, name):
    files = [f for f in conf.config_file]
    return ' in %s' % ', '.join(files) if files else ''


def _first_line(exc):
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def _expected(opt):
    kind = opt.type
    if isinstance(kind, types.Boolean):
        return 'true or false'
    if isinstance(kind, types.Port):
        return 'a port number from %s to %s' % (kind.min, kind.max)
    if isinstance(kind, types.Integer):
        if kind.min is not None and kind.max is not None:
            return 'a whole number from %s to %s' % (kind.min, kind.max)
        if kind.min is not None:
            return 'a whole number of at least %s' % kind.min
        return 'a whole number'
    if isinstance(kind, types.String) and kind.choices:
        return 'one of %s' % ', '.join(str(c) for c in kind.choices)
    if isinstance(kind, types.URI):
        return 'an http:// or https:// URL'
    if isinstance(kind, types.HostAddress):
        return 'an IPv4 or IPv6 address or a host name'
    return 'a valid value'


def _check_trusted_proxies(conf):
    for entry in conf.trusted_proxies:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                '[DEFAULT] trusted_proxies has %r, which is not an address '
                'or network; use entries like 10.0.0.5 or 10.0.0.0/24.'
                % entry) from None


def _check_distinct_ports(conf):
    # Caught here, the bind error would blame "another process".
    port = conf.admin_port
    if port == 0 or port != conf.public_port:
        return
    hosts = (conf.admin_bind_host, conf.public_bind_host)
    if _overlap(*hosts):
        raise ConfigError(
            '[DEFAULT] admin_port and public_port are both %d on '
            'overlapping addresses (%s, %s); give each listener its own '
            'port.' % (port, hosts[0], hosts[1]))


def _overlap(host, other):
    """Whether two bind addresses can clash on one port."""
    if host == other or '::' in (host, other):   # :: is dual-stack
        return True
    ipv4 = [h for h in (host, other) if ':' not in h]
    return '0.0.0.0' in (host, other) and len(ipv4) == 2


def _check_tls(conf, name):
    settings = listener.listener_settings(conf, name)
    tls = settings.tls
    if tls is None:
        return
    for option in ('certfile', 'keyfile'):
        if not getattr(tls, option):
            raise ConfigError(
                'TLS is enabled for the %s listener but neither [ssl] %s nor '
                '[ssl_%s] %s is set; set it to the path of a PEM file, or '
                'set enable = false.' % (name, option, name, option))
    if tls.cert_required and not tls.ca_certs:
        raise ConfigError(
            'cert_required = true for the %s listener but neither [ssl] '
            'ca_certs nor [ssl_%s] ca_certs is set; set it to the CA bundle '
            'that signs client certificates.' % (name, name))


def worker_counts(conf):
    """Return (admin, public) worker counts; unset means the CPU count."""
    cpus = os.cpu_count() or 1
    return tuple(cpus if n is None else n
                 for n in (conf.admin_workers, conf.public_workers))


def _check_workers(conf):
    admin, public = worker_counts(conf)
    if (admin == 0) != (public == 0):
        raise ConfigError(
            '[DEFAULT] admin_workers = %d but public_workers = %d; set both '
            'to 0 for single-process mode, or both above 0.' % (admin, public))
