"""The ``onready`` hook: a module's ``notify()`` or a command, never fatal."""

import importlib
import importlib.util
import logging
import re
import shlex

from eventlet.green import subprocess

LOG = logging.getLogger(__name__)

_MODULE_NAME = re.compile(r'[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z')


def find_module(spec):
    """Return the module ``spec`` names if it is importable, else None."""
    if not _MODULE_NAME.match(spec):
        return None
    try:
        if importlib.util.find_spec(spec) is None:
            return None
    except (ImportError, ValueError):
        return None
    return importlib.import_module(spec)


def run(spec):
    """Run the hook; log and swallow every failure. Returns True on success."""
    if not spec:
        return True
    try:
        module = find_module(spec)
        if module is not None:
            LOG.info('onready: calling %s.notify()', spec)
            module.notify()
            return True
        argv = shlex.split(spec)
        LOG.info('onready: running %s', argv[0])
        code = subprocess.Popen(argv).wait()
        if code != 0:
            LOG.error('onready: %s exited with status %s; the service keeps '
                      'running', argv[0], code)
            return False
        return True
    except Exception as exc:  # a hook must never stop the service
        LOG.error('onready: %r failed: %s; the service keeps running',
                  spec, exc)
        return False
