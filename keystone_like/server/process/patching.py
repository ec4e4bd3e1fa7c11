"""The selective eventlet monkey-patch, applied once, before anything else.

``os`` stays native (blocking file I/O is fine and green ``os`` breaks
fork-based tools); ``select``, ``socket`` and ``time`` become green;
``thread`` becomes green unless real threads are asked for or a debugger is
attached (debuggers need real threads to stop and step). psycopg2, when
installed, gets eventlet's wait callback so PostgreSQL queries yield to the
hub instead of blocking every green thread.
"""

import logging
import os
import sys
import warnings

LOG = logging.getLogger(__name__)

_DEBUGGERS = ('pydevd', 'debugpy', 'pdb_clone')
_state = {'patched': None}


def debugger_attached():
    """True when a tracing debugger is running in this process."""
    return (sys.gettrace() is not None
            or any(name in sys.modules for name in _DEBUGGERS))


def patch_thread(standard_threads=False):
    """Whether the thread module should be monkey-patched."""
    return not (standard_threads or os.environ.get('STANDARD_THREADS')
                or debugger_attached())


def patch(standard_threads=False):
    """Monkey-patch once; return the keyword arguments that were applied."""
    if _state['patched'] is not None:
        return _state['patched']
    # Green DNS (dnspython) ignores nsswitch and /etc/hosts subtleties and
    # must be switched off before eventlet is first imported.
    os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
    # eventlet warns on import that it is deprecated; that is known (see
    # DESIGN.md: every eventlet use stays in this package) and not news to
    # an operator reading the log. The message starts with a newline, which
    # '.' does not match, hence '\s*'.
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated',
                            category=Warning)
    import eventlet
    applied = dict(os=False, select=True, socket=True, time=True,
                   thread=patch_thread(standard_threads), psycopg=True,
                   MySQLdb=False, builtins=False, subprocess=False)
    eventlet.monkey_patch(**applied)
    _state['patched'] = applied
    return applied
