"""The launcher's options, in a ``ConfigOpts`` of its own.

``service-all`` never registers anything on oslo.config's process-global
``cfg.CONF``: that belongs to the applications it serves (keystone_like's
identity API, or Keystone itself, both register options there). The
launcher parses the same config files into :func:`new`'s private object.

One module per option group (``default``, ``eventlet_server``, ``ssl``,
``paste_deploy``, ``process``; per-listener overrides and the settings
one listener runs with in ``listener``); ``validation`` reads them all
eagerly. This package also finds the config files and the paste ini.
"""

import contextlib
import io
import os
import pathlib
import sys

from oslo_config import cfg

from keystone_like.server.config import default
from keystone_like.server.config import eventlet_server
from keystone_like.server.config import listener
from keystone_like.server.config import metrics
from keystone_like.server.config import paste_deploy
from keystone_like.server.config import process
from keystone_like.server.config import ssl
from keystone_like.server.config import validation
from keystone_like import version

PROJECT = 'keystone_like'
CONFIG_FILE_NAME = PROJECT + '.conf'
PASTE_FILE_NAME = PROJECT + '-paste.ini'
# Order is the order of the groups in the generated sample.
MODULES = (default, eventlet_server, ssl, listener, paste_deploy, process,
           metrics)


def register_all(conf):
    """Register every launcher option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


def list_opts(modules=MODULES):
    """Return ``[(group, [opts])]`` of option ``modules`` (the launcher's)."""
    result = []
    for module in modules:
        result.extend(module.list_opts().items())
    return result


def new():
    """Return a fresh ``ConfigOpts`` with the launcher's options."""
    conf = cfg.ConfigOpts()
    register_all(conf)
    return conf


def checkout_etc_dir():
    """Return the source checkout's ``etc/`` when running from a checkout."""
    candidate = pathlib.Path(__file__).resolve().parents[3] / 'etc'
    if (candidate / PASTE_FILE_NAME).is_file():
        return candidate
    return None


def search_dirs():
    """Return the directories searched for config and paste files, in order."""
    dirs = []
    etc = checkout_etc_dir()
    if etc is not None:
        dirs.append(etc)
    dirs.append(pathlib.Path('~/.%s' % PROJECT).expanduser())
    dirs.append(pathlib.Path(sys.prefix) / 'etc' / PROJECT)
    dirs.append(pathlib.Path('/etc') / PROJECT)
    return dirs


def find_config_files():
    """Return the default config file: the first keystone_like.conf found."""
    for directory in search_dirs():
        candidate = directory / CONFIG_FILE_NAME
        if candidate.is_file():
            return [str(candidate)]
    return []


def configure(argv=None, conf=None, prog='service-all', description=None):
    """Parse the command line and config files into ``conf``; return it.

    Raises ``cfg.ConfigFilesNotFoundError`` for a named file that is
    missing, ``validation.ConfigError`` for a bad value of a command-line
    option in a file (``debug = maybe``) and ``SystemExit`` (2) for a bad
    command line.
    """
    conf = new() if conf is None else conf
    args = argv if argv is not None else sys.argv[1:]
    defaults = find_config_files()
    # oslo.config prints its own line for a bad command-line option value
    # read from a file, and exits; keep it until we know whether to say
    # it better.
    output = io.StringIO()
    replaced = False
    try:
        with contextlib.redirect_stderr(output):
            conf(args=args, project=PROJECT, prog=prog,
                 version=version.version_string(), description=description,
                 default_config_files=defaults, default_config_dirs=[])
    except SystemExit as exc:
        error = None
        if exc.code == 1:
            error = validation.command_line_option_error(
                output.getvalue(), named_config_paths(args) or defaults,
                default.CLI_OPTS)
        if error is None:
            raise
        replaced = True
        raise error from None
    finally:
        if not replaced:
            sys.stderr.write(output.getvalue())
    return conf


def config_args(conf):
    """The oslo.config arguments naming the files ``conf`` was parsed from.

    Files found by default discovery are named too, so an application
    parsing these arguments reads exactly what the launcher read.
    """
    args = []
    for path in conf.config_file:
        args.extend(['--config-file', os.path.abspath(path)])
    for directory in conf.config_dir or ():
        args.extend(['--config-dir', os.path.abspath(directory)])
    return args


def named_config_paths(argv):
    """Return the config files ``argv`` names, in the order oslo reads them.

    ``--config-file`` values, then the ``*.conf`` files of each
    ``--config-dir`` (sorted, as oslo.config does).
    """
    import argparse
    import glob
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    parser.add_argument('--config-dir', action='append', default=[])
    named, _ = parser.parse_known_args(argv)
    paths = list(named.config_file)
    for directory in named.config_dir:
        paths.extend(sorted(glob.glob(os.path.join(directory, '*.conf'))))
    return paths


def find_paste_config(conf):
    """Return the absolute path of the paste ini, or None if it is nowhere.

    A relative ``[paste_deploy] config_file`` is looked for next to each
    config file, in each config directory, then in :func:`search_dirs`.
    """
    name = os.path.expanduser(conf.paste_deploy.config_file)
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    for directory in paste_search_dirs(conf):
        candidate = pathlib.Path(directory) / name
        if candidate.is_file():
            return str(candidate.resolve())
    return None


def paste_search_dirs(conf):
    """Return where a relative paste ini name is looked for, in order."""
    dirs = [os.path.dirname(os.path.abspath(f)) for f in conf.config_file]
    dirs.extend(conf.config_dir or [])
    dirs.extend(str(d) for d in search_dirs())
    return list(dict.fromkeys(dirs))
