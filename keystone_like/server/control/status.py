"""The pid file and the status file ``service-all status`` reads.

The running service (the master, or the single process) owns both: it
writes its pid to ``pid_file`` at start and removes it at exit, and
rewrites the status file, ``service-all.status.json`` beside the pid file,
atomically whenever something changes. The document::

    {"pid": 1234, "version": "...", "started_at": 1763740000.0,
     "updated_at": ..., "state": "starting" | "ready" | "reloading" |
     "degraded" | "stopping", "generation": 1, "mode": "single" | "workers",
     "listeners": {"admin": {"url": "http://...", "workers": [
         {"pid": 1240, "ready": true, "started_at": ..., "restarts": 0}]},
                   "public": {...}},
     "last_restart_reason": "worker 1241 (public) killed by SIGKILL" | null,
     "last_reload": {"at": ..., "result": "ok" | "rolled back: ..." |
                     "refused: ..."} | null}

Stdlib only: the control verbs read it without eventlet.
"""

import json
import logging
import os
import tempfile
import time

LOG = logging.getLogger(__name__)

STATUS_NAME = 'service-all.status.json'
PID_NAME = 'service-all.pid'


def pid_path(conf):
    """Return the pid file path: ``pid_file`` or state_dir/service-all.pid."""
    if conf.pid_file:
        return os.path.expanduser(conf.pid_file)
    return os.path.join(os.path.expanduser(conf.state_dir), PID_NAME)


def status_path(pid_file):
    """Return the status file that goes with ``pid_file``."""
    return os.path.join(os.path.dirname(os.path.abspath(pid_file)),
                        STATUS_NAME)


def write_atomic(path, text, mode=0o644):
    """Replace ``path`` with ``text`` so readers never see half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_status(path, document):
    """Write the status ``document`` (a dict as above)."""
    write_atomic(path, json.dumps(document, indent=1, sort_keys=True) + '\n')


def read_status(path):
    """Return the status document, or None when there is none (yet)."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def document(pid, version, started_at, state, mode, generation, listeners,
             last_restart_reason=None, last_reload=None):
    """Build the status document (the one builder of both modes)."""
    return {'pid': pid, 'version': version, 'started_at': started_at,
            'updated_at': time.time(), 'state': state,
            'generation': generation, 'mode': mode, 'listeners': listeners,
            'last_restart_reason': last_restart_reason,
            'last_reload': last_reload}


def listener_entry(url, workers=()):
    """One listener of the document: its URL and its workers."""
    return {'url': url, 'workers': list(workers)}


def worker_entry(pid, ready, started_at, restarts=0):
    """One worker of a listener (the process itself in single mode)."""
    return {'pid': pid, 'ready': ready, 'started_at': started_at,
            'restarts': restarts}


class StatusFile:
    """The status file a running service rewrites; failures only logged."""

    def __init__(self, path):
        self.path = path

    def write(self, doc):
        """Rewrite the file with ``doc``; a failure is logged, never fatal."""
        try:
            write_status(self.path, doc)
        except OSError as exc:
            LOG.warning('Cannot write the status file %s (%s); "service-all '
                        'status" will not see this state', self.path,
                        exc.strerror or exc)

    def remove(self):
        """Remove the file (at exit) if this process wrote it."""
        if (read_status(self.path) or {}).get('pid') == os.getpid():
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
