"""Configuration: the global ``CONF``, config file discovery and parsing.

Options are declared once, one module per group (``default``,
``eventlet_server``, ``ssl``, ``paste_deploy``; per-listener overrides in
``listener``); ``opts`` gathers them for registration and for the sample
generator.
"""

import argparse
import contextlib
import glob
import io
import os
import pathlib
import sys

from oslo_config import cfg

from keystone_like.conf import opts
from keystone_like.conf import validation
from keystone_like import version

PROJECT = 'keystone_like'
CONFIG_FILE_NAME = PROJECT + '.conf'

CONF = cfg.CONF
opts.register_all(CONF)


def checkout_etc_dir():
    """Return the source checkout's ``etc/`` when running from a checkout."""
    candidate = pathlib.Path(__file__).resolve().parents[2] / 'etc'
    if (candidate / (PROJECT + '-paste.ini')).is_file():
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


def configure(argv=None, conf=CONF, prog='service-all', description=None):
    """Parse the command line and config files into ``conf``.

    Raises ``cfg.ConfigFilesNotFoundError`` for a named file that is
    missing, ``validation.ConfigError`` for a bad value of a command-line
    option in a file (``debug = maybe``) and ``SystemExit`` (2) for a bad
    command line.
    """
    args = argv if argv is not None else sys.argv[1:]
    defaults = find_config_files()
    # oslo.config prints its own line for a bad command-line option value
    # read from a file; keep it until we know whether to replace it.
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
                output.getvalue(), named_config_paths(args) or defaults)
        if error is None:
            raise
        replaced = True
        raise error from None
    finally:
        if not replaced:
            sys.stderr.write(output.getvalue())
    return conf


def named_config_paths(argv):
    """Return the config files ``argv`` names, in the order oslo reads them.

    ``--config-file`` values, then the ``*.conf`` files of each
    ``--config-dir`` (sorted, as oslo.config does).
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    parser.add_argument('--config-dir', action='append', default=[])
    named, _ = parser.parse_known_args(argv)
    paths = list(named.config_file)
    for directory in named.config_dir:
        paths.extend(sorted(glob.glob(os.path.join(directory, '*.conf'))))
    return paths


def find_paste_config(conf=CONF):
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


def paste_search_dirs(conf=CONF):
    """Return where a relative paste ini name is looked for, in order."""
    dirs = [os.path.dirname(os.path.abspath(f)) for f in conf.config_file]
    dirs.extend(conf.config_dir or [])
    dirs.extend(str(d) for d in search_dirs())
    return list(dict.fromkeys(dirs))
