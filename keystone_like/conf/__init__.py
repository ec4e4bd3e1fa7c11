"""Configuration: the global ``CONF``, config file discovery and parsing.

Options are declared once, one module per group (``default``,
``eventlet_server``, ``ssl``, ``paste_deploy``; per-listener overrides in
``listener``); ``opts`` gathers them for registration and for the sample
generator.
"""

import os
import pathlib
import sys

from oslo_config import cfg

from keystone_like.conf import opts
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
    missing and ``SystemExit`` (2) for a bad command line.
    """
    conf(args=argv if argv is not None else sys.argv[1:],
         project=PROJECT, prog=prog, version=version.version_string(),
         description=description,
         default_config_files=find_config_files(), default_config_dirs=[])
    return conf


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
