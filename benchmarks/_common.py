"""Helpers shared by the benchmark scripts (standard library only).

Child processes started in their own session and stopped by pid (SIGTERM,
then SIGKILL), CPU accounting from /proc, wrk runs with a Lua report,
``--source`` snapshots of a git revision, the machine's state. Used by
``bench_http.py`` and ``bench_tokens.py``; not a test, not installed.
"""

import http.client
import io
import json
import os
import pathlib
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
WRK_SCRIPT = HERE / 'wrk_report.lua'
RESULTS_DIR = HERE / 'results'
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
CLK_TCK = os.sysconf('SC_CLK_TCK')
# CPUs used by anything but the server and wrk above which a run is noisy.
NOISE_CPU = 0.15
# Prefix of the progress lines on stderr (each script sets its own).
LOG_PREFIX = ['bench']


class BenchError(Exception):
    """A failure that ends the run with a one-line message."""


def log(message):
    """Progress goes to stderr so stdout holds only the report."""
    print('[%s] %s' % (LOG_PREFIX[0], message), file=sys.stderr,
          flush=True)


# ---------------------------------------------------------------- processes

class Processes:
    """Every child process this script starts, stopped by pid at the end."""

    def __init__(self):
        self.live = []

    def spawn(self, argv, **kwargs):
        # A new session: Ctrl-C in the terminal reaches only this script,
        # which then stops the children itself (SIGTERM, then SIGKILL).
        proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.live.append(proc)
        return proc

    def stop(self, proc, timeout=STOP_TIMEOUT):
        """SIGTERM, wait up to ``timeout``, then SIGKILL; return the code.

        Interrupted while waiting, it kills the process and re-raises.
        """
        try:
            if proc.poll() is None:
                _signal(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    log('pid %d ignored SIGTERM for %ss: SIGKILL'
                        % (proc.pid, timeout))
                    _signal(proc.pid, signal.SIGKILL)
                    proc.wait()
        except KeyboardInterrupt:
            _signal(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            self.forget(proc)
        return proc.returncode

    def forget(self, proc):
        """Stop tracking ``proc`` (it has exited)."""
        if proc in self.live:
            self.live.remove(proc)

    def stop_all(self):
        """Stop every live child; an interrupt only hurries the rest."""
        for proc in reversed(list(self.live)):
            try:
                self.stop(proc)
            except KeyboardInterrupt:
                pass


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def raise_interrupt(signum, _frame):
    """SIGTERM handler: unwind like Ctrl-C so every child is stopped."""
    raise KeyboardInterrupt('signal %d' % signum)


def free_port():
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def process_tree(pid):
    """``pid`` and all its descendants (scanning /proc for parent ids)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stat:
                ppid = int(stat.read().rpartition(')')[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def proc_status(pid):
    """VmRSS and VmHWM in KiB, summed over ``pid``'s process tree."""
    values = {'VmRSS': 0, 'VmHWM': 0, 'processes': 0}
    for member in process_tree(pid):
        try:
            with open('/proc/%d/status' % member) as status:
                for line in status:
                    key, _, rest = line.partition(':')
                    if key in ('VmRSS', 'VmHWM'):
                        values[key] += int(rest.split()[0])
        except OSError:
            continue
        values['processes'] += 1
    return values


def cpu_seconds(pid):
    """User + system CPU seconds of ``pid``'s process tree so far."""
    total = 0.0
    for member in process_tree(pid):
        try:
            with open('/proc/%d/stat' % member) as stat:
                fields = stat.read().rpartition(')')[2].split()
        except OSError:
            continue
        # fields[0] is field 3 (state): utime and stime are fields 14, 15.
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def machine_cpu():
    """(busy, steal) CPU seconds of the whole machine so far (/proc/stat)."""
    with open('/proc/stat') as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy / CLK_TCK, steal / CLK_TCK


def children_cpu():
    """CPU seconds of the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def http_get(port, path, timeout=2.0):
    """GET ``path``; return (status, body length). Raises OSError."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request('GET', path)
        response = conn.getresponse()
        return response.status, len(response.read())
    except http.client.HTTPException as exc:
        raise OSError(str(exc)) from exc
    finally:
        conn.close()


def extract_source(rev, dest):
    """Write the tree of git revision ``rev`` to ``dest``; return its sha."""
    try:
        commit = subprocess.run(
            ['git', '-C', str(REPO), 'rev-parse', '--verify',
             '%s^{commit}' % rev], capture_output=True, text=True,
            check=True).stdout.strip()
        archive = subprocess.run(['git', '-C', str(REPO), 'archive', commit],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BenchError('--source %s: not a commit of %s (%s)' % (
            rev, REPO, getattr(exc, 'stderr', '') or exc)) from None
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        safe = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
        tar.extractall(dest, **safe)
    return commit


def snapshot_env(rev, workdir):
    """``git archive`` revision ``rev`` into ``workdir/src``.

    Returns (commit sha, source dir, environment for the children) with
    the snapshot first on ``PYTHONPATH``: ahead of the editable install,
    whose finder setuptools appends to sys.meta_path, so the children run
    the snapshot's keystone_like.
    """
    src = pathlib.Path(workdir) / 'src'
    commit = extract_source(rev, src)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(src)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    return commit, src, env


def wait_for_get(proc, port, deadline, tail):
    """Poll GET / until it gets any status below 500; return the time."""
    while True:
        try:
            status, _ = http_get(port, '/', timeout=1.0)
            if status < 500:
                return time.monotonic()
        except OSError:
            pass
        if proc.poll() is not None:
            raise BenchError('server exited with %s during start-up:\n%s'
                             % (proc.returncode, tail()))
        if time.monotonic() > deadline:
            raise BenchError('server did not answer GET / within %ss:\n%s'
                             % (START_TIMEOUT, tail()))
        time.sleep(0.002)


def run_wrk(procs, argv, duration, env=None, timeout=60):
    """Run wrk to the end; return the ``WRK_JSON`` line's figures."""
    proc = procs.spawn(argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env)
    try:
        out, err = proc.communicate(timeout=duration + timeout)
    except subprocess.TimeoutExpired:
        procs.stop(proc)
        raise BenchError('wrk did not finish: %s' % ' '.join(argv))
    procs.forget(proc)
    out = out.decode('utf-8', 'replace')
    for line in out.splitlines():
        if line.startswith('WRK_JSON '):
            return json.loads(line[len('WRK_JSON '):])
    raise BenchError('wrk gave no result (exit %s): %s\n%s%s' % (
        proc.returncode, ' '.join(argv), out, err.decode('utf-8',
                                                         'replace')))


def wait_quiet(limit):
    """Wait up to ``limit`` seconds for the machine to be quiet.

    The servers are idle between runs, so CPU use then is someone else's.
    Returns how long it waited and how busy the machine was last.
    """
    if limit <= 0:
        return {}
    started = time.monotonic()
    while True:
        busy = machine_busy(1.0)
        waited = time.monotonic() - started
        if busy <= NOISE_CPU or waited >= limit:
            if busy > NOISE_CPU:
                log('machine still busy (%.2f CPU) after %.0fs; measuring '
                    'anyway' % (busy, waited))
            return {'quiet_wait_s': waited, 'busy_before_cpus': busy}


def venv_paths(venv):
    """(python, service-all, service-manage) of the servers' environment."""
    candidates = [pathlib.Path(venv)] if venv else [
        pathlib.Path(sys.prefix), REPO / '.venv']
    for prefix in candidates:
        paths = [prefix / 'bin' / name
                 for name in ('python', 'service-all', 'service-manage')]
        if all(path.exists() for path in paths):
            return tuple(str(path) for path in paths)
    raise BenchError('no environment with keystone_like installed (looked '
                     'for bin/service-all and bin/service-manage in %s); '
                     'create one (python -m venv .venv && .venv/bin/pip '
                     'install -e .) or pass --venv.'
                     % ', '.join(str(c) for c in candidates))


def git_state():
    """Commit and uncommitted changes of the code under test."""
    def git(*argv):
        try:
            result = subprocess.run(('git', '-C', str(REPO)) + argv,
                                    capture_output=True, text=True,
                                    timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return ''
        return result.stdout if result.returncode == 0 else ''
    return {'commit': git('rev-parse', 'HEAD').strip(),
            'uncommitted': git('status', '--porcelain', '--', 'keystone_like',
                               'etc', 'setup.cfg').splitlines()}


def machine_busy(seconds=2.0):
    """CPUs in use on the machine over ``seconds`` (before any load)."""
    before, _ = machine_cpu()
    time.sleep(seconds)
    after, _ = machine_cpu()
    return (after - before) / seconds


def choose_wrk_cpus(option):
    """Return the CPU list for ``taskset -c`` or '' for no pinning."""
    if option == 'none':
        return ''
    if option != 'auto':
        if not shutil.which('taskset'):
            raise BenchError('--wrk-cpus needs taskset (util-linux)')
        return option
    cpus = sorted(os.sched_getaffinity(0))
    if not shutil.which('taskset') or len(cpus) < 2:
        return ''
    return str(cpus[-1])


# ----------------------------------------------------------------- reporting

def ratio(a, b):
    return a / b if b else None


def fmt_ratio(value):
    return '-' if value is None else '%.2fx' % value


def wrk_command(port, path, connections, duration, wrk_cpus,
                script=WRK_SCRIPT, timeout=None):
    """The wrk argv: min(2, c) threads, optionally pinned with taskset."""
    argv = []
    if wrk_cpus:
        argv += ['taskset', '-c', wrk_cpus]
    argv += ['wrk', '-t', str(min(2, connections)), '-c', str(connections),
             '-d', '%ds' % duration, '-s', str(script)]
    if timeout:
        argv += ['--timeout', '%ds' % timeout]
    argv.append('http://127.0.0.1:%d%s' % (port, path))
    return argv


def wrk_measure(procs, pid, argv, duration, env=None, timeout=60):
    """One measured wrk run against the server ``pid``; return its figures.

    The server's CPU (its whole process tree) is read from /proc around
    the run. Only wrk is reaped meanwhile (the servers live on), so this
    process's children's CPU time grows by exactly wrk's.
    """
    cpu_before = cpu_seconds(pid)
    machine_before, steal_before = machine_cpu()
    wrk_before = children_cpu()
    raw = run_wrk(procs, argv, duration, env=env, timeout=timeout)
    cpu = cpu_seconds(pid) - cpu_before
    wrk_cpu = children_cpu() - wrk_before
    machine_after, steal_after = machine_cpu()
    machine = machine_after - machine_before
    seconds = raw['duration_us'] / 1e6
    requests = raw['requests']
    errors = raw['errors']
    socket_errors = sum(errors[k] for k in ('connect', 'read', 'write',
                                            'timeout'))

    def per_second(value):
        return value / seconds if seconds else 0.0
    return {
        'requests': requests, 'seconds': seconds,
        'rps': per_second(requests),
        'p50_ms': raw['latency_us']['p50'] / 1000,
        'p90_ms': raw['latency_us']['p90'] / 1000,
        'p99_ms': raw['latency_us']['p99'] / 1000,
        'p999_ms': raw['latency_us']['p999'] / 1000,
        'max_ms': raw['latency_us']['max'] / 1000,
        'mean_ms': raw['latency_us']['mean'] / 1000,
        'non_2xx_3xx': errors['status'],
        'socket_errors': socket_errors,
        'errors': errors,
        'bytes_per_request': raw['bytes'] / requests if requests else 0,
        'server_cpu_s': cpu,
        'server_cpu_us_per_request': cpu / requests * 1e6 if requests else 0,
        'server_cpu_util': per_second(cpu),
        'wrk_cpu_util': per_second(wrk_cpu),
        'machine_cpu_util': per_second(machine),
        # Everything else: other processes, interrupts not charged to the
        # two; a noise indicator (in CPUs).
        'other_cpu_util': per_second(max(0.0, machine - cpu - wrk_cpu)),
        'steal_cpu_util': per_second(steal_after - steal_before),
        'wrk_command': argv,
        'wrk_raw': raw,
    }


def machine_description():
    """CPU model, CPU count, kernel and wrk version of this machine."""
    cpu_model = ''
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    cpu_model = line.partition(':')[2].strip()
                    break
    except OSError:
        pass
    wrk_version = b''
    if shutil.which('wrk'):
        wrk_version = subprocess.run(['wrk', '-v'],
                                     capture_output=True).stdout
    return {
        'nproc': len(os.sched_getaffinity(0)),
        'cpu_count': os.cpu_count(),
        'cpu_model': cpu_model,
        'kernel': platform.release(),
        'machine': platform.machine(),
        'wrk': wrk_version.decode('utf-8', 'replace').split(' Copyright')[0]
        .strip() if wrk_version else '',
        'taskset': shutil.which('taskset'),
        'loadavg_at_start': os.getloadavg(),
    }


def wait_idle(pid, limit=60.0, busy_cpus=0.05, interval=0.25):
    """Wait until ``pid``'s process tree stops using CPU; return seconds.

    When wrk ends, the server may still be working on the requests wrk
    left in flight (it cannot tell they were abandoned until it writes the
    answers); that work would be billed to the next run. Returns after
    two quiet intervals in a row (under ``busy_cpus`` CPUs) or ``limit``.
    """
    started = time.monotonic()
    before = cpu_seconds(pid)
    quiet = 0
    while time.monotonic() - started < limit:
        time.sleep(interval)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - before < busy_cpus * interval else 0
        before = now
        if quiet >= 2:
            break
    return time.monotonic() - started
