"""The launcher's Prometheus metrics, shared by every process of a service.

prometheus_client's multiprocess mode: each process writes its values to
memory-mapped files named after its pid in one directory, and a scrape
(the application's ``/metrics``) adds them up. :func:`enable` picks the
directory -- ``metrics/<master pid>`` under ``state_dir`` -- before the
applications load and anything forks, and tells the applications
through :func:`hooks.metrics_dir`.

Files of dead processes: :func:`sweep` (the master, whenever a worker or
a generation's leader is gone) removes the live gauges of a dead pid with
``multiprocess.mark_process_dead`` and folds its counters and histograms
into one ``*_archive.db`` file per type, so totals never go backwards
and the directory holds one file set per live process plus the
archives, however many reloads and respawns came before.

What is recorded here (no application code): requests by listener,
route template, method and status, their latency, in-flight requests,
open and idle connections (sampled every second; request counts are
tallied in the process and written every second too), worker starts,
deaths and respawns, reloads by outcome, the serving generation and the
offload (hashing) pool's queue and wait. Everything is a no-op until
:func:`enable` ran (``[metrics] enabled = false``, tests, other servers).
"""

import bisect
import functools
import glob
import logging
import os
import shutil

from keystone_like.server import hooks

LOG = logging.getLogger(__name__)
ENV = 'PROMETHEUS_MULTIPROC_DIR'
SUBDIR = 'metrics'
ARCHIVED_TYPES = ('counter', 'histogram', 'summary')
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                   1.0, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0)
METHODS = frozenset(('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE',
                     'OPTIONS'))
UNROUTED = 'unmatched'
_SLOTS = len(LATENCY_BUCKETS) + 1     # and +Inf

_state = {'metrics': None}


def enable(state_dir, owner=None):
    """Use ``state_dir/metrics/<pid>`` for every process from now on.

    Directories of earlier runs (their master is gone) are removed.
    ``owner`` ``(uid, gid)`` gets the directory when workers run as
    another user. Returns the directory.
    """
    base = os.path.join(os.path.abspath(os.path.expanduser(state_dir)),
                        SUBDIR)
    os.makedirs(base, mode=0o755, exist_ok=True)
    for name in os.listdir(base):
        if name.isdigit() and not _alive(int(name)):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
    directory = os.path.join(base, str(os.getpid()))
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, mode=0o700)
    if owner is not None:
        os.chown(directory, *owner)
    os.environ[ENV] = directory
    from prometheus_client import values
    # Chosen when prometheus_client was imported; the environment is set
    # only now.
    values.ValueClass = values.get_value_class()
    hooks.set_metrics_dir(directory)
    _state['metrics'] = ServerMetrics()
    return directory


def finish():
    """Remove this service's directory (the master or single process, at
    its end); a no-op in any other process or when metrics are off."""
    directory = hooks.metrics_dir()
    if directory and os.path.basename(directory) == str(os.getpid()):
        shutil.rmtree(directory, ignore_errors=True)


def disable():
    """Record nothing from now on (tests)."""
    _state['metrics'] = None
    hooks.set_metrics_dir(None)
    os.environ.pop(ENV, None)
    from prometheus_client import values
    values.ValueClass = values.get_value_class()


def get():
    """The :class:`ServerMetrics` of this service, or None when disabled."""
    return _state['metrics']


class ServerMetrics:
    """The launcher's metric families, created once metrics are enabled."""

    def __init__(self):
        # Not in prometheus_client's default registry: multiprocess values
        # are read from the files, and a second instance (tests) is fine.
        Counter, Gauge, Histogram = unregistered()
        self.requests = Counter(
            'keystone_like_http_requests', 'HTTP requests answered.',
            ['listener', 'route', 'method', 'status'])
        self.latency = Histogram(
            'keystone_like_http_request_duration_seconds',
            'Time from the request head to the end of the response.',
            ['listener', 'route', 'method'], buckets=LATENCY_BUCKETS)
        self.in_flight = Gauge(
            'keystone_like_http_requests_in_flight',
            'Requests being served or waiting for a request slot.',
            ['listener'], multiprocess_mode='livesum')
        self.open = Gauge(
            'keystone_like_http_connections_open', 'Open client connections.',
            ['listener'], multiprocess_mode='livesum')
        self.idle = Gauge(
            'keystone_like_http_connections_idle',
            'Keep-alive connections waiting for their next request.',
            ['listener'], multiprocess_mode='livesum')
        self.worker_starts = Counter(
            'keystone_like_worker_starts', 'Worker processes forked.',
            ['listener'])
        self.worker_deaths = Counter(
            'keystone_like_worker_deaths',
            'Worker processes that died while their generation served.',
            ['listener', 'cause'])
        self.worker_respawns = Counter(
            'keystone_like_worker_respawns',
            'Worker processes forked to replace a dead one.', ['listener'])
        self.reloads = Counter(
            'keystone_like_reloads', 'Reloads (SIGHUP) by outcome.',
            ['outcome'])
        self.generation = Gauge(
            'keystone_like_generation', 'The generation serving requests.',
            multiprocess_mode='livemax')
        self.offload_queue = Gauge(
            'keystone_like_offload_queue',
            'Jobs (password hashing) waiting for or running on a native '
            'thread.',
            multiprocess_mode='livesum')
        self.offload_wait = Histogram(
            'keystone_like_offload_wait_seconds',
            'Time a job waited for a native thread.', buckets=WAIT_BUCKETS)
        self._children = {}
        self._pending = {}

    def observe_request(self, listener, environ, status, seconds):
        """Count one answered request and its latency (flushed later).

        The request path only adds to this process's pending tallies
        (about 1 us); :meth:`flush` writes them to the shared files once a
        second: three locked writes of the files per request cost ~7 us,
        a tenth of a GET /v3.
        """
        method = environ.get('REQUEST_METHOD', '')
        if method not in METHODS:
            method = 'other'
        key = (listener, environ.get(hooks.ROUTE_KEY) or UNROUTED, method,
               status)
        tally = self._pending.get(key)
        if tally is None:
            tally = self._pending[key] = [0, 0.0, [0] * _SLOTS]
        tally[0] += 1
        tally[1] += seconds
        # The first bucket whose bound is >= seconds, as Histogram.observe.
        tally[2][bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def flush(self):
        """Write the pending request tallies to the shared files."""
        pending, self._pending = self._pending, {}
        for key, (count, total, slots) in pending.items():
            children = self._children.get(key)
            if children is None:
                children = self._children[key] = (
                    self.requests.labels(*key), self.latency.labels(*key[:3]))
            children[0].inc(count)
            # Histogram has no "observe n values" call: add to its sum and
            # buckets (non-cumulative in multiprocess files) directly.
            children[1]._sum.inc(total)
            for index, number in enumerate(slots):
                if number:
                    children[1]._buckets[index].inc(number)

    def sample_listener(self, name, in_flight, open_count, idle_count):
        """Set the connection gauges of one listener (every second)."""
        self.in_flight.labels(name).set(in_flight)
        self.open.labels(name).set(open_count)
        self.idle.labels(name).set(idle_count)


def observe_request(listener, environ, status, seconds):
    """Module-level shortcut for the connection's per-request callback."""
    metrics = _state['metrics']
    if metrics is not None:
        metrics.observe_request(listener, environ, status, seconds)


def unregistered():
    """Counter, Gauge and Histogram that join no registry."""
    import prometheus_client
    return tuple(functools.partial(kind, registry=None) for kind in (
        prometheus_client.Counter, prometheus_client.Gauge,
        prometheus_client.Histogram))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_of(path):
    stem = os.path.basename(path)[:-len('.db')]
    prefix, _, pid = stem.rpartition('_')
    return (prefix, int(pid)) if pid.isdigit() else (prefix, None)


def sweep(directory=None, alive=_alive):
    """Fold the files of dead processes into the archives; return pids."""
    directory = directory or hooks.metrics_dir()
    if not directory:
        return []
    from prometheus_client import multiprocess
    dead = {}
    for path in glob.glob(os.path.join(directory, '*.db')):
        prefix, pid = _pid_of(path)
        if pid is not None and pid != os.getpid() and not alive(pid):
            dead.setdefault(pid, []).append((prefix, path))
    for pid, files in sorted(dead.items()):
        multiprocess.mark_process_dead(pid, directory)
        for prefix, path in files:
            if prefix in ARCHIVED_TYPES:
                _archive(directory, prefix, path)
            _unlink(path)
    return sorted(dead)


def _archive(directory, prefix, path):
    """Add the values of ``path`` to ``<prefix>_archive.db``."""
    from prometheus_client.mmap_dict import MmapedDict
    archive = os.path.join(directory, '%s_archive.db' % prefix)
    totals = {}
    for source in (archive, path):
        try:
            entries = MmapedDict.read_all_values_from_file(source)
        except FileNotFoundError:
            continue
        for key, value, _timestamp, _pos in entries:
            totals[key] = totals.get(key, 0.0) + value
    # Written aside and renamed: a scrape reads the old or the new file.
    temporary = archive + '.new'
    _unlink(temporary)
    merged = MmapedDict(temporary)
    try:
        for key, value in totals.items():
            merged.write_value(key, value, 0.0)
    finally:
        merged.close()
    os.replace(temporary, archive)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
