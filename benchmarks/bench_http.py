"""HTTP benchmark: keystone_like's own HTTP layer against eventlet.wsgi.

Serves the same public paste pipeline (``etc/keystone_like-paste.ini``,
application ``main``) from two single-process servers started by this
script, and loads both with wrk in one run:

* ``keystone_like``: ``service-all`` with a generated config file (both
  listeners on 127.0.0.1, free ports, ``access_log = false`` unless
  ``--access-log``);
* ``eventlet.wsgi``: ``eventlet_wsgi_runner.py`` (same monkey-patch, same
  options, same app, plain ``eventlet.wsgi.server``).

For every path x concurrency it reports req/s, p50/p99 latency, errors and
server CPU per request, then the keystone_like/eventlet.wsgi ratios; it also
measures start-up time (median of N runs) and resident memory after the
load. Prints a table on stdout (progress on stderr) and writes JSON to
``benchmarks/results/bench_http-<timestamp>.json``. See README.md.

Not a test: it takes a few minutes and needs ``wrk`` (apt-get install -y
wrk).
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from _common import (BenchError, NOISE_CPU, Processes, REPO, RESULTS_DIR,
                     START_TIMEOUT, WRK_SCRIPT, choose_wrk_cpus, fmt_ratio,
                     free_port, git_state, http_get, log, machine_busy,
                     machine_description, proc_status, raise_interrupt,
                     ratio, run_wrk, snapshot_env, venv_paths, wait_for_get,
                     wait_quiet, wrk_command, wrk_measure)

HERE = pathlib.Path(__file__).resolve().parent
PASTE_INI = REPO / 'etc' / 'keystone_like-paste.ini'
RUNNER = HERE / 'eventlet_wsgi_runner.py'
PREPARE_STATE = HERE / 'prepare_state.py'

KEYSTONE = 'keystone_like'
EVENTLET = 'eventlet.wsgi'
SERVERS = (KEYSTONE, EVENTLET)
EXPECTED_STATUS = {'/': 300, '/v3': 200}
READY_LINE = 'Application startup complete'
# What an operator does once before service-all can serve the pipeline.
SETUP_STEPS = ('db_sync', 'fernet_setup', 'credential_setup')


class Server:
    """One server process under test."""

    def __init__(self, name, procs, workdir, env):
        self.name = name
        self.procs = procs
        self.workdir = pathlib.Path(workdir)
        self.env = env
        self.port = None
        self.proc = None
        self.argv = None
        self.config_text = None
        self.log_path = None

    def command(self):
        """Pick free ports, write the config; return the argv."""
        self.port = free_port()
        env = self.env
        if self.name == EVENTLET:
            argv = [env.python, str(RUNNER), '--port', str(self.port),
                    '--paste', str(env.paste_ini), '--config-file',
                    str(env.common_config)]
            if env.access_log:
                argv.append('--access-log')
            return argv
        admin_port = free_port()
        while admin_port == self.port:
            admin_port = free_port()
        self.config_text = config_text(env.state_dir, env.access_log,
                                       env.paste_ini, admin_port, self.port)
        config = self.workdir / 'keystone_like.conf'
        config.write_text(self.config_text)
        return [env.service_all, '--config-file', str(config)]

    def start_for_load(self):
        """Start with the log in a file; wait until it serves GET /."""
        self.argv = self.command()
        self.log_path = self.workdir / ('%s.log' % self.name)
        with open(self.log_path, 'wb') as log_file:
            self.proc = self.procs.spawn(
                self.argv, stdin=subprocess.DEVNULL, stdout=log_file,
                stderr=subprocess.STDOUT, cwd=str(self.workdir),
                env=self.env.child_env)
        deadline = time.monotonic() + START_TIMEOUT
        if self.name == KEYSTONE:
            while READY_LINE not in self.log_path.read_text(errors='replace'):
                self._check_alive(deadline)
                time.sleep(0.01)
        wait_for_get(self.proc, self.port, deadline, self._log_tail)
        return self

    def start_timed(self):
        """Start with stderr on a pipe; return the start-up timings (s)."""
        self.argv = self.command()
        lines = []
        ready_at = []
        started = time.monotonic()
        self.proc = self.procs.spawn(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=str(self.workdir),
            env=self.env.child_env)

        def reader(stream):
            for raw in iter(stream.readline, b''):
                now = time.monotonic()
                line = raw.decode('utf-8', 'replace')
                lines.append(line)
                if not ready_at and READY_LINE in line:
                    ready_at.append(now)
            stream.close()

        thread = threading.Thread(target=reader, args=(self.proc.stdout,),
                                  daemon=True)
        thread.start()
        deadline = started + START_TIMEOUT
        first_get = wait_for_get(self.proc, self.port, deadline,
                                 lambda: ''.join(lines[-20:]))
        result = {'first_get_s': first_get - started}
        if self.name == KEYSTONE:
            while not ready_at:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError('%s never logged %r:\n%s' % (
                        self.name, READY_LINE, ''.join(lines[-20:])))
                time.sleep(0.001)
            result['ready_line_s'] = ready_at[0] - started
        self.stop()
        thread.join(5)
        return result

    def stop(self):
        if self.proc is not None:
            code = self.procs.stop(self.proc)
            self.proc = None
            return code
        return None

    def _check_alive(self, deadline):
        if self.proc.poll() is not None:
            raise BenchError('%s exited with %s during start-up:\n%s' % (
                self.name, self.proc.returncode, self._log_tail()))
        if time.monotonic() > deadline:
            raise BenchError('%s not ready after %ss:\n%s' % (
                self.name, START_TIMEOUT, self._log_tail()))

    def _log_tail(self):
        if self.log_path is None or not self.log_path.exists():
            return ''
        return ''.join(self.log_path.read_text(
            errors='replace').splitlines(True)[-20:])


def config_text(state_dir, access_log, paste_ini, admin_port=None,
                public_port=None):
    """The generated keystone_like config (ports only for service-all)."""
    lines = ['[DEFAULT]',
             'admin_bind_host = 127.0.0.1',
             'public_bind_host = 127.0.0.1']
    if admin_port is not None:
        lines += ['admin_port = %d' % admin_port,
                  'public_port = %d' % public_port]
    lines += ['access_log = %s' % str(access_log).lower(),
              '# one process each (single-process mode): the comparison is',
              '# per process; versions without workers ignore these',
              'admin_workers = 0',
              'public_workers = 0',
              '# database and Fernet keys, prepared once per benchmark run',
              'state_dir = %s' % state_dir,
              '',
              '[paste_deploy]',
              'config_file = %s' % paste_ini,
              '']
    return '\n'.join(lines)


class Environment:
    """Where the servers come from and the state they share."""

    def __init__(self, python, service_all, service_manage, workdir,
                 access_log, source=None):
        self.python = python
        self.service_all = service_all
        self.service_manage = service_manage
        self.access_log = access_log
        workdir = pathlib.Path(workdir)
        self.state_dir = workdir / 'state'
        # Children inherit our environment; with a source snapshot its
        # keystone_like comes first on PYTHONPATH.
        self.child_env = dict(os.environ)
        self.paste_ini = PASTE_INI
        self.source = None
        if source:
            self.source, src, self.child_env = snapshot_env(source, workdir)
            self.paste_ini = src / 'etc' / 'keystone_like-paste.ini'
        self.common_config = workdir / 'keystone_like.conf'
        self.common_config.write_text(config_text(
            self.state_dir, access_log, self.paste_ini))

    def prepare_state(self):
        """Create the schema and the Fernet keys both servers use.

        ``service-manage <step>`` when this checkout has the command, else
        ``prepare_state.py <step>`` (the same library calls). Returns how
        each step was done.
        """
        done = []
        for step in SETUP_STEPS:
            argv = [self.service_manage, '--config-file',
                    str(self.common_config), step]
            result = subprocess.run(argv, capture_output=True, text=True,
                                    stdin=subprocess.DEVNULL, timeout=120,
                                    env=self.child_env)
            if (result.returncode == 2
                    and 'invalid choice' in result.stderr):
                argv = [self.python, str(PREPARE_STATE), '--config-file',
                        str(self.common_config), step]
                result = subprocess.run(argv, capture_output=True,
                                        text=True, stdin=subprocess.DEVNULL,
                                        timeout=120, env=self.child_env)
            if result.returncode != 0:
                raise BenchError('set-up step failed (exit %d): %s\n%s%s' % (
                    result.returncode, ' '.join(argv), result.stdout,
                    result.stderr))
            done.append({'step': step, 'command': argv})
            log('set-up: %s' % ' '.join(argv))
        return done


def measure(procs, server, path, connections, args):
    """Warm up, then ``args.repeat`` measured wrk runs against ``server``.

    With several runs every number is the median over the runs (errors
    are summed); the single runs are kept under ``runs``.
    """
    waited = wait_quiet(args.wait_quiet)
    if args.warmup > 0:
        run_wrk(procs, wrk_command(server.port, path, connections,
                                   args.warmup, args.wrk_cpus), args.warmup)
    runs = [measure_once(procs, server, path, connections, args)
            for _ in range(args.repeat)]
    runs[0].update(waited)
    if len(runs) == 1:
        return runs[0]
    row = dict(runs[0])
    for key in MEDIAN_KEYS:
        row[key] = statistics.median(run[key] for run in runs)
    for key in ('requests', 'non_2xx_3xx', 'socket_errors', 'server_cpu_s'):
        row[key] = sum(run[key] for run in runs)
    row['errors'] = {name: sum(run['errors'][name] for run in runs)
                     for name in runs[0]['errors']}
    row['server_cpu_us_per_request'] = (
        row['server_cpu_s'] / row['requests'] * 1e6 if row['requests']
        else 0.0)
    del row['wrk_raw']
    row['runs'] = runs
    return row


MEDIAN_KEYS = ('rps', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms',
               'mean_ms', 'seconds', 'server_cpu_util', 'wrk_cpu_util',
               'machine_cpu_util', 'other_cpu_util', 'steal_cpu_util')


def measure_once(procs, server, path, connections, args):
    """One measured wrk run; the server's CPU time is read around it."""
    argv = wrk_command(server.port, path, connections, args.duration,
                       args.wrk_cpus)
    row = {'server': server.name, 'path': path, 'connections': connections,
           'threads': min(2, connections)}
    row.update(wrk_measure(procs, server.proc.pid, argv, args.duration))
    if server.proc.poll() is not None:
        raise BenchError('%s died during the load (exit %s)' % (
            server.name, server.proc.returncode))
    return row


# ------------------------------------------------------------------ machine

def machine_info(python):
    code = ('import importlib.metadata as m, json, platform; print(json.'
            'dumps({"python": platform.python_version(), "python_impl": '
            'platform.python_implementation(), "versions": {n: m.version(n) '
            'for n in ("eventlet", "greenlet", "httptools", "PasteDeploy", '
            '"WebOb", "oslo.config", "keystone_like")}}))')
    info = json.loads(subprocess.run([python, '-c', code], check=True,
                                     capture_output=True).stdout)
    info.update(machine_description())
    return info


def build_comparisons(results):
    by_key = {(r['server'], r['path'], r['connections']): r for r in results}
    comparisons = []
    for (server, path, conns), ours in by_key.items():
        if server != KEYSTONE or (EVENTLET, path, conns) not in by_key:
            continue
        base = by_key[(EVENTLET, path, conns)]
        comparisons.append({
            'path': path, 'connections': conns,
            'rps_ratio': ratio(ours['rps'], base['rps']),
            'p99_ratio': ratio(ours['p99_ms'], base['p99_ms']),
            'cpu_per_request_ratio': ratio(
                ours['server_cpu_us_per_request'],
                base['server_cpu_us_per_request']),
        })
    return comparisons


def target_verdicts(comparisons):
    """keystone_like >= 1.5x req/s with lower p99 on GET / (per c)."""
    verdicts = []
    for comp in comparisons:
        if comp['path'] != '/':
            continue
        ok = (comp['rps_ratio'] is not None and comp['rps_ratio'] >= 1.5
              and comp['p99_ratio'] is not None and comp['p99_ratio'] < 1.0)
        verdicts.append({'path': '/', 'connections': comp['connections'],
                         'rps_ratio': comp['rps_ratio'],
                         'p99_ratio': comp['p99_ratio'], 'met': ok})
    return verdicts


def render(report):
    out = []
    params = report['parameters']
    machine = report['machine']
    out.append('keystone_like HTTP benchmark  %s' % report['timestamp'])
    out.append('machine: %d CPU (%s), Linux %s, Python %s, eventlet %s, '
               'httptools %s, %s' % (
                   machine['nproc'], machine['cpu_model'] or '?',
                   machine['kernel'], machine['python'],
                   machine['versions']['eventlet'],
                   machine['versions']['httptools'], machine['wrk']))
    out.append('load: wrk %ss per cell%s after %ss warm-up, threads = '
               'min(2, c), %s, access log %s' % (
                   params['duration'], ' (median of %d runs)' % params[
                       'repeat'] if params['repeat'] > 1 else '',
                   params['warmup'],
                   'wrk pinned to CPU %s (taskset), servers unpinned'
                   % params['wrk_cpus'] if params['wrk_cpus']
                   else 'nothing pinned',
                   'ON' if params['access_log'] else 'off'))
    source = params.get('source')
    if source:
        code = '%s (--source %s, a clean snapshot)' % (
            source['commit'][:12], source['rev'])
    else:
        code = '%s%s' % (
            report['git']['commit'][:12] or '?',
            ' + %d uncommitted file(s) in keystone_like/ etc/' % len(
                report['git']['uncommitted'])
            if report['git']['uncommitted'] else '')
    out.append('code: %s; machine busy before start: %.2f CPU' % (
        code, machine.get('busy_cpus_before', 0.0)))
    out.append('')
    row_format = ('%-5s %5s  %-14s %9s %8s %8s %8s %7s %7s %8s %5s %5s')
    head = row_format % ('path', 'conns', 'server', 'req/s', 'p50 ms',
                         'p99 ms', 'max ms', 'non2xx', 'sockerr', 'cpu us/r',
                         'srv', 'other')
    out.append(head)
    out.append('-' * len(head))
    comps = {(c['path'], c['connections']): c
             for c in report['comparisons']}
    for path in params['paths']:
        for conns in params['connections']:
            for row in report['results']:
                if row['path'] != path or row['connections'] != conns:
                    continue
                out.append(row_format % (
                    path, conns, row['server'], '%.0f' % row['rps'],
                    '%.2f' % row['p50_ms'], '%.2f' % row['p99_ms'],
                    '%.1f' % row['max_ms'], row['non_2xx_3xx'],
                    row['socket_errors'],
                    '%.0f' % row['server_cpu_us_per_request'],
                    '%.2f' % row['server_cpu_util'],
                    '%.2f' % row['other_cpu_util']))
            comp = comps.get((path, conns))
            if comp:
                out.append((row_format % (
                    path, conns, 'ratio k/e', fmt_ratio(comp['rps_ratio']),
                    '', fmt_ratio(comp['p99_ratio']), '', '', '',
                    fmt_ratio(comp['cpu_per_request_ratio']), '',
                    '')).rstrip())
            out.append('')
    noisy = [row for row in report['results']
             if row['other_cpu_util'] > NOISE_CPU]
    if noisy:
        out.append('WARNING: other processes used more than %.2f CPU during '
                   '%d of %d runs (column "other"); repeat on a quiet '
                   'machine.' % (NOISE_CPU, len(noisy),
                                 len(report['results'])))
        out.append('')
    verdicts = report['targets']
    if verdicts:
        out.append('target (GET /: keystone_like >= 1.5x req/s and lower '
                   'p99):  ' + '  '.join(
                       'c%d %s' % (v['connections'],
                                   'MET' if v['met'] else 'NOT MET')
                       for v in verdicts))
        out.append('')
    startup = report['startup']
    if startup:
        out.append('start-up (median of %d, seconds from spawn)' %
                   params['startup_runs'])
        out.append('%-14s %12s %14s %s' % ('server', 'ready line',
                                           'first GET /', 'runs (first GET)'))
        for name in SERVERS:
            item = startup.get(name)
            if not item:
                continue
            ready = item.get('ready_line_median_s')
            out.append('%-14s %12s %14.3f %s' % (
                name, '-' if ready is None else '%.3f' % ready,
                item['first_get_median_s'], ' '.join(
                    '%.3f' % r['first_get_s'] for r in item['runs'])))
        out.append('')
    out.append('memory (KiB)   %10s %10s %10s' % ('RSS idle', 'RSS after',
                                                  'peak (HWM)'))
    for name in SERVERS:
        mem = report['memory'].get(name)
        if mem:
            out.append(('%-14s %10d %10d %10d %s' % (
                name, mem['idle_rss_kib'], mem['after_load_rss_kib'],
                mem['after_load_hwm_kib'],
                '' if mem.get('processes', 1) == 1 else
                '(%d processes, summed)' % mem['processes'])).rstrip())
    return '\n'.join(out)


# ---------------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Compare keystone_like (service-all) with raw '
                    'eventlet.wsgi on the same paste pipeline, using wrk.')
    parser.add_argument('--duration', type=int, default=10,
                        help='seconds of each measured wrk run (default 10)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='seconds of wrk warm-up before each measured '
                             'run, same path and concurrency (default 2; '
                             '0 skips)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='measured runs per cell; with more than one '
                             'the table shows medians (default 1)')
    parser.add_argument('--connections', default='1,50,200',
                        help='comma-separated wrk connection counts '
                             '(default 1,50,200)')
    parser.add_argument('--paths', default='/,/v3',
                        help='comma-separated paths (default /,/v3)')
    parser.add_argument('--access-log', action='store_true',
                        help='turn the access log on in both servers '
                             '(keystone_like: to its log file; '
                             'eventlet.wsgi: to /dev/null)')
    parser.add_argument('--startup-runs', type=int, default=5,
                        help='start-up measurements per server (median '
                             'reported; default 5; 0 skips)')
    parser.add_argument('--wait-quiet', type=float, default=0, metavar='S',
                        help='before each cell, wait up to S seconds until '
                             'other processes use less than %.2f CPU (for '
                             'shared machines; default 0: do not wait)'
                        % NOISE_CPU)
    parser.add_argument('--servers', default=','.join(SERVERS),
                        help='comma-separated subset of %s' % ', '.join(
                            SERVERS))
    parser.add_argument('--wrk-cpus', default='auto',
                        help="CPU list for 'taskset -c' around wrk; 'auto' "
                             '(default) pins wrk to the last CPU when '
                             "taskset exists and there are >= 2 CPUs; "
                             "'none' pins nothing")
    parser.add_argument('--venv',
                        help='environment with keystone_like installed '
                             '(default: this Python if it has service-all, '
                             'else <repo>/.venv)')
    parser.add_argument('--source', metavar='REV',
                        help='benchmark the keystone_like of this git '
                             'revision (git archive into the temp dir, put '
                             'first on PYTHONPATH) instead of the working '
                             'tree the environment has installed')
    parser.add_argument('--json', dest='json_path',
                        help='where to write the JSON (default '
                             'benchmarks/results/bench_http-<timestamp>'
                             '.json)')
    args = parser.parse_args(argv)
    try:
        args.connections = [int(c) for c in args.connections.split(',')
                            if c.strip()]
    except ValueError:
        parser.error('--connections takes integers, e.g. 1,50,200')
    if not args.connections or min(args.connections) < 1:
        parser.error('--connections must be positive integers')
    args.paths = [p.strip() for p in args.paths.split(',') if p.strip()]
    if not args.paths or any(not p.startswith('/') for p in args.paths):
        parser.error('--paths must start with /')
    args.servers = [s.strip() for s in args.servers.split(',') if s.strip()]
    if not args.servers or set(args.servers) - set(SERVERS):
        parser.error('--servers takes %s' % ', '.join(SERVERS))
    if args.duration < 1:
        parser.error('--duration must be at least 1 second')
    if args.repeat < 1:
        parser.error('--repeat must be at least 1')
    return args


def check_paths(server, paths):
    """One GET per path before the load; status and body size for the log."""
    seen = {}
    for path in paths:
        status, size = http_get(server.port, path)
        seen[path] = {'status': status, 'body_bytes': size}
        expected = EXPECTED_STATUS.get(path)
        if expected is not None and status != expected:
            log('warning: %s GET %s gave %d, expected %d' % (
                server.name, path, status, expected))
    return seen


def run(args, procs, workdir):
    if shutil.which('wrk') is None:
        raise BenchError('wrk is not installed; on Debian/Ubuntu: '
                         'apt-get install -y wrk (https://github.com/wg/wrk)')
    python, service_all, service_manage = venv_paths(args.venv)
    env = Environment(python, service_all, service_manage, workdir,
                      args.access_log, args.source)
    args.wrk_cpus = choose_wrk_cpus(args.wrk_cpus)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    report = {
        'timestamp': stamp,
        'command': [os.path.relpath(sys.argv[0], os.getcwd())] + sys.argv[1:],
        'machine': machine_info(python),
        'parameters': {
            'duration': args.duration, 'warmup': args.warmup,
            'repeat': args.repeat, 'wait_quiet': args.wait_quiet,
            'connections': args.connections, 'paths': args.paths,
            'access_log': args.access_log, 'servers': args.servers,
            'startup_runs': args.startup_runs, 'wrk_cpus': args.wrk_cpus,
            'wrk_threads': 'min(2, connections)',
            'wrk_script': str(WRK_SCRIPT.relative_to(REPO)),
            'paste_ini': str(env.paste_ini), 'paste_app': 'main',
            'source': {'rev': args.source, 'commit': env.source}
            if args.source else None,
            'python': python, 'service_all': service_all,
            'common_config': env.common_config.read_text(),
        },
        'git': git_state(),
        'servers': {}, 'startup': {}, 'results': [], 'memory': {},
    }
    busy = report['machine']['busy_cpus_before'] = machine_busy()
    if busy > NOISE_CPU:
        log('warning: the machine is already using %.2f CPU before the '
            'benchmark starts; results will be noisy' % busy)

    report['setup'] = env.prepare_state()

    def new_server(name):
        sub = pathlib.Path(tempfile.mkdtemp(prefix=name + '-', dir=workdir))
        return Server(name, procs, sub, env)

    # 1. Start-up time, servers alone on the machine.
    for name in args.servers:
        runs = []
        for index in range(args.startup_runs):
            runs.append(new_server(name).start_timed())
            log('start-up %s #%d: %s' % (name, index + 1, ', '.join(
                '%s %.3fs' % item for item in runs[-1].items())))
        if runs:
            item = {'runs': runs, 'first_get_median_s': statistics.median(
                r['first_get_s'] for r in runs)}
            if name == KEYSTONE:
                item['ready_line_median_s'] = statistics.median(
                    r['ready_line_s'] for r in runs)
            report['startup'][name] = item

    # 2. Both servers up side by side; cells alternate which goes first.
    servers = {}
    for name in args.servers:
        server = servers[name] = new_server(name).start_for_load()
        report['servers'][name] = {
            'argv': server.argv, 'pid': server.proc.pid, 'port': server.port,
            'config': server.config_text,
            'responses': check_paths(server, args.paths)}
        mem = proc_status(server.proc.pid)
        report['memory'][name] = {'idle_rss_kib': mem['VmRSS'],
                                  'processes': mem['processes']}
        log('%s up: pid %d, port %d, RSS %d KiB' % (
            name, server.proc.pid, server.port, mem['VmRSS']))
        if mem['processes'] != 1:
            log('warning: %s runs as %d processes, not one; CPU and RSS '
                'are summed over them' % (name, mem['processes']))
    cell = 0
    for path in args.paths:
        for conns in args.connections:
            order = list(args.servers)
            if cell % 2:
                order.reverse()
            cell += 1
            for name in order:
                row = measure(procs, servers[name], path, conns, args)
                report['results'].append(row)
                log('%-14s GET %-4s c%-4d %8.0f req/s  p50 %.2f ms  p99 '
                    '%.2f ms  non2xx/3xx %d  socket errors %d' % (
                        name, path, conns, row['rps'], row['p50_ms'],
                        row['p99_ms'], row['non_2xx_3xx'],
                        row['socket_errors']))
    for name, server in servers.items():
        mem = proc_status(server.proc.pid)
        report['memory'][name].update(after_load_rss_kib=mem['VmRSS'],
                                      after_load_hwm_kib=mem['VmHWM'],
                                      processes_after=mem['processes'])
        if server.log_path is not None:
            text = server.log_path.read_text(errors='replace')
            # Tracebacks or warnings the server logged during the run.
            report['servers'][name]['log_errors'] = [
                line for line in text.splitlines()
                if re.search(r'\b(ERROR|CRITICAL|Traceback)\b', line)][:50]
            report['servers'][name]['log_bytes'] = len(text)
    for server in servers.values():
        report['servers'][server.name]['exit_code'] = server.stop()
    report['results'].sort(key=lambda r: (
        args.paths.index(r['path']), args.connections.index(r['connections']),
        SERVERS.index(r['server'])))
    report['comparisons'] = build_comparisons(report['results'])
    report['targets'] = target_verdicts(report['comparisons'])
    report['machine']['loadavg_at_end'] = os.getloadavg()
    return report


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    procs = Processes()
    workdir = tempfile.mkdtemp(prefix='bench_http-')
    try:
        report = run(args, procs, workdir)
    except BenchError as exc:
        print('bench_http: %s' % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('bench_http: interrupted; stopping the servers',
              file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)
    text = render(report)
    print(text)
    json_path = pathlib.Path(args.json_path) if args.json_path else (
        RESULTS_DIR / ('bench_http-%s.json' % report['timestamp']))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    report['table'] = text
    json_path.write_text(json.dumps(report, indent=2) + '\n')
    print('\nJSON: %s' % json_path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
