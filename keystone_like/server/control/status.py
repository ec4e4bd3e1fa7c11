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
import os
import tempfile

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
