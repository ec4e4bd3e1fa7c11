#!/usr/bin/env python3
"""Token issue and validation rates of one service-all, and whether a login
flood stalls version discovery.

Starts one ``service-all`` on SQLite in a temporary state directory
(``service-manage setup``; bcrypt at its default 12 rounds unless
``--rounds``), then measures over keep-alive connections, one
``http.client.HTTPConnection`` per client thread:

1. ``GET /`` latency alone (a paced prober: one request every
   ``--probe-interval`` seconds on one connection);
2. token issue: ``--issue-clients`` threads POST ``/v3/auth/tokens``
   (password, project scope, with catalog: what keystoneauth sends) for
   ``--duration`` seconds, while the same prober measures ``GET /``;
3. token validation: ``--validate-clients`` threads GET
   ``/v3/auth/tokens`` with ``X-Auth-Token`` and ``X-Subject-Token``
   (tokens issued beforehand) for ``--duration`` seconds, prober running.

Prints a table; writes everything as JSON to
``benchmarks/results/bench_tokens-<timestamp>.json``. Client threads and
the server share the machine's CPUs: the JSON records both processes' CPU
use so a client-bound run can be told apart. Only 127.0.0.1; every child
is stopped by pid (SIGTERM, then SIGKILL after 10 s). Standard library
only.

    python benchmarks/bench_tokens.py [--duration 20] [--issue-clients 8]
        [--validate-clients 8] [--rounds N] [--probe-interval 0.02]
        [--workers 0] [--venv DIR] [--json PATH]
"""

import argparse
import datetime
import http.client
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
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
RESULTS = REPO / 'benchmarks' / 'results'
HOST = '127.0.0.1'
PASSWORD = 'bench-' + os.urandom(8).hex()
READY = 'Application startup complete'
START_TIMEOUT = 60
STOP_TIMEOUT = 10
REQUEST_TIMEOUT = 30
CLK_TCK = os.sysconf('SC_CLK_TCK')


def log(message):
    sys.stderr.write('[bench_tokens] %s\n' % message)
    sys.stderr.flush()


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def find_venv(option):
    candidates = [pathlib.Path(option)] if option else [
        pathlib.Path(sys.prefix), REPO / '.venv']
    for prefix in candidates:
        if (prefix / 'bin' / 'service-all').is_file():
            return prefix / 'bin'
    raise SystemExit('bench_tokens: no service-all in %s; install the '
                     'project into a venv or pass --venv'
                     % ', '.join(str(c) for c in candidates))


def cpu_seconds(pid):
    """User + system CPU seconds of ``pid`` (from /proc)."""
    with open('/proc/%d/stat' % pid) as stream:
        fields = stream.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(
        fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(latencies, seconds=None):
    """Count, rate and latency percentiles (ms) of a list of seconds."""
    result = {'count': len(latencies)}
    if seconds:
        result['rate'] = len(latencies) / seconds
    for name, fraction in (('p50', 0.50), ('p90', 0.90), ('p99', 0.99)):
        value = percentile(latencies, fraction)
        result[name + '_ms'] = None if value is None else value * 1000
    result['max_ms'] = max(latencies) * 1000 if latencies else None
    return result


class Server:
    """One service-all child with its config, stopped by pid."""

    def __init__(self, bindir, workdir, rounds, access_log, workers):
        self.bindir = bindir
        self.workdir = workdir
        self.public_port = free_port()
        self.admin_port = free_port()
        self.config = workdir / 'keystone_like.conf'
        lines = ['[DEFAULT]',
                 'state_dir = %s' % (workdir / 'state'),
                 'admin_bind_host = %s' % HOST,
                 'public_bind_host = %s' % HOST,
                 'admin_port = %d' % self.admin_port,
                 'public_port = %d' % self.public_port,
                 'access_log = %s' % ('true' if access_log else 'false'),
                 'admin_workers = %d' % workers,
                 'public_workers = %d' % workers,
                 '']
        if rounds is not None:
            lines += ['[identity]', 'password_hash_rounds = %d' % rounds, '']
        self.config.write_text('\n'.join(lines))
        self.process = None
        self.stderr_path = workdir / 'service-all.stderr'

    def environ(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env.update(extra)
        return env

    def setup(self):
        argv = [str(self.bindir / 'service-manage'), '--config-file',
                str(self.config), 'setup',
                '--bootstrap-public-url',
                'http://%s:%d/v3' % (HOST, self.public_port),
                '--bootstrap-admin-url',
                'http://%s:%d/v3' % (HOST, self.admin_port)]
        completed = subprocess.run(
            argv, capture_output=True, text=True, timeout=120,
            env=self.environ(OS_BOOTSTRAP_PASSWORD=PASSWORD),
            stdin=subprocess.DEVNULL, cwd=str(self.workdir))
        if completed.returncode != 0:
            raise SystemExit('bench_tokens: service-manage setup exited %d: '
                             '%s' % (completed.returncode,
                                     completed.stderr.strip()))
        return argv[:-4] + ['...']

    def start(self):
        argv = [str(self.bindir / 'service-all'), '--config-file',
                str(self.config)]
        with open(self.stderr_path, 'wb') as err:
            self.process = subprocess.Popen(
                argv, stdout=subprocess.DEVNULL, stderr=err,
                stdin=subprocess.DEVNULL, cwd=str(self.workdir),
                env=self.environ(), start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while READY not in self.log():
            if self.process.poll() is not None:
                raise SystemExit('bench_tokens: service-all exited %d:\n%s'
                                 % (self.process.returncode, self.log()))
            if time.monotonic() > deadline:
                raise SystemExit('bench_tokens: service-all not ready after '
                                 '%ds' % START_TIMEOUT)
            time.sleep(0.05)
        return argv

    def log(self):
        try:
            return self.stderr_path.read_text(errors='replace')
        except FileNotFoundError:
            return ''

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)


def auth_body():
    return json.dumps({'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'name': 'Default'},
            'password': PASSWORD}}},
        'scope': {'project': {'name': 'admin',
                              'domain': {'name': 'Default'}}}}}).encode()


def issue_one(conn, body=None):
    """POST /v3/auth/tokens on ``conn``; return (status, token)."""
    conn.request('POST', '/v3/auth/tokens', body=body or auth_body(),
                 headers={'Content-Type': 'application/json'})
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader('X-Subject-Token')


class Load:
    """Client threads running one request kind until a deadline."""

    def __init__(self, port, clients, make_request):
        self.port = port
        self.clients = clients
        self.make_request = make_request
        self.latencies = []
        self.statuses = {}
        self.errors = []
        self.lock = threading.Lock()

    def worker(self, index, stop_at):
        conn = http.client.HTTPConnection(HOST, self.port,
                                          timeout=REQUEST_TIMEOUT)
        mine, statuses = [], {}
        try:
            while time.monotonic() < stop_at:
                started = time.monotonic()
                try:
                    status = self.make_request(conn, index)
                except (OSError, http.client.HTTPException) as exc:
                    with self.lock:
                        self.errors.append(repr(exc))
                    conn.close()
                    conn = http.client.HTTPConnection(
                        HOST, self.port, timeout=REQUEST_TIMEOUT)
                    continue
                elapsed = time.monotonic() - started
                statuses[status] = statuses.get(status, 0) + 1
                mine.append(elapsed)
        finally:
            conn.close()
        with self.lock:
            self.latencies.extend(mine)
            for status, count in statuses.items():
                self.statuses[status] = self.statuses.get(status, 0) + count

    def run(self, duration):
        stop_at = time.monotonic() + duration
        threads = [threading.Thread(target=self.worker, args=(i, stop_at),
                                    daemon=True)
                   for i in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration + REQUEST_TIMEOUT + 5)


class Prober(threading.Thread):
    """GET / every ``interval`` seconds on one keep-alive connection."""

    def __init__(self, port, interval):
        super().__init__(daemon=True)
        self.port = port
        self.interval = interval
        self.latencies = []
        self.statuses = {}
        self.errors = 0
        self.done = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection(HOST, self.port,
                                          timeout=REQUEST_TIMEOUT)
        next_at = time.monotonic()
        while not self.done.is_set():
            started = time.monotonic()
            try:
                conn.request('GET', '/')
                response = conn.getresponse()
                response.read()
                self.statuses[response.status] = \
                    self.statuses.get(response.status, 0) + 1
                self.latencies.append(time.monotonic() - started)
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port,
                                                  timeout=REQUEST_TIMEOUT)
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.done.wait(delay)
            else:
                next_at = time.monotonic()
        conn.close()

    def stop(self):
        self.done.set()
        self.join(REQUEST_TIMEOUT + 5)


def phase(server, name, clients, make_request, duration, probe_interval):
    """Run one load (or none) with the prober; return its figures."""
    log('%s: %s clients, %ss' % (name, clients, duration))
    prober = Prober(server.public_port, probe_interval)
    server_cpu = cpu_seconds(server.process.pid)
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    prober.start()
    load = None
    if clients:
        load = Load(server.public_port, clients, make_request)
        load.run(duration)
    else:
        time.sleep(duration)
    wall = time.monotonic() - started
    prober.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        'name': name, 'clients': clients, 'seconds': wall,
        'server_cpus': (cpu_seconds(server.process.pid) - server_cpu) / wall,
        'client_cpus': (after.ru_utime + after.ru_stime
                        - client_cpu.ru_utime - client_cpu.ru_stime) / wall,
        'discovery': dict(summary(prober.latencies),
                          statuses=prober.statuses, errors=prober.errors),
    }
    if load is not None:
        result['load'] = dict(summary(load.latencies, wall),
                              statuses=load.statuses,
                              errors=len(load.errors),
                              error_samples=load.errors[:5])
    return result


def machine():
    info = {'nproc': os.cpu_count(),
            'affinity': len(os.sched_getaffinity(0)),
            'python': platform.python_version(),
            'kernel': platform.release(),
            'loadavg_before': os.getloadavg()}
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                info['cpu'] = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return info


def git_commit():
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=str(REPO),
                              capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def fmt(value, spec='%.1f'):
    return '-' if value is None else spec % value


def render(report):
    lines = ['', 'keystone_like token benchmark (%s, bcrypt rounds %s, '
             'workers %s, %ss per phase)' % (
                 report['database'], report['rounds'], report['workers'],
                 report['duration']), '']
    head = '%-20s %7s %9s %8s %8s %8s %7s %6s %6s' % (
        'phase', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'max ms',
        'non2xx', 'srvCPU', 'cliCPU')
    lines += [head, '-' * len(head)]
    for item in report['phases']:
        load = item.get('load')
        if load is None:
            continue
        bad = sum(c for s, c in load['statuses'].items()
                  if not 200 <= int(s) < 300) + load['errors']
        lines.append('%-20s %7d %9s %8s %8s %8s %7d %6.2f %6.2f' % (
            item['name'], item['clients'], fmt(load['rate']),
            fmt(load['p50_ms']), fmt(load['p99_ms']), fmt(load['max_ms']),
            bad, item['server_cpus'], item['client_cpus']))
    lines += ['', 'GET / (version discovery), one request every %s ms on '
              'one connection:' % (report['probe_interval'] * 1000), '']
    head = '%-20s %7s %8s %8s %8s %8s %6s' % (
        'while', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors')
    lines += [head, '-' * len(head)]
    for item in report['phases']:
        probe = item['discovery']
        lines.append('%-20s %7d %8s %8s %8s %8s %6d' % (
            item['name'], probe['count'], fmt(probe['p50_ms'], '%.2f'),
            fmt(probe['p90_ms'], '%.2f'), fmt(probe['p99_ms'], '%.2f'),
            fmt(probe['max_ms'], '%.2f'), probe['errors']))
    return '\n'.join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    parser.add_argument('--duration', type=float, default=20.0,
                        help='seconds of each load phase (default 20)')
    parser.add_argument('--baseline', type=float, default=10.0,
                        help='seconds of GET / alone (default 10)')
    parser.add_argument('--issue-clients', type=int, default=8)
    parser.add_argument('--validate-clients', type=int, default=8)
    parser.add_argument('--subject-tokens', type=int, default=16,
                        help='distinct tokens the validators cycle through')
    parser.add_argument('--rounds', type=int, default=None,
                        help='[identity] password_hash_rounds (default: '
                             'unset, i.e. bcrypt 12)')
    parser.add_argument('--probe-interval', type=float, default=0.02,
                        help='seconds between GET / probes (default 0.02)')
    parser.add_argument('--workers', type=int, default=0,
                        help='admin_workers and public_workers (default 0: '
                             'one process serves both listeners)')
    parser.add_argument('--access-log', action='store_true')
    parser.add_argument('--venv', help='environment with service-all '
                        '(default: this Python\'s, else <repo>/.venv)')
    parser.add_argument('--json', help='where to write the JSON (default '
                        'benchmarks/results/bench_tokens-<time>.json)')
    return parser.parse_args(argv)


def run(args, workdir):
    bindir = find_venv(args.venv)
    server = Server(bindir, workdir, args.rounds, args.access_log,
                    args.workers)
    report = {'started': datetime.datetime.now(
        datetime.timezone.utc).isoformat(), 'machine': machine(),
        'commit': git_commit(), 'database': 'sqlite',
        'rounds': args.rounds or 'default (12)', 'duration': args.duration,
        'workers': args.workers,
        'probe_interval': args.probe_interval, 'argv': sys.argv,
        'config': server.config.read_text()}
    try:
        log('service-manage setup')
        report['setup_command'] = server.setup()
        report['server_command'] = server.start()
        log('service-all pid %d, public port %d'
            % (server.process.pid, server.public_port))
        conn = http.client.HTTPConnection(HOST, server.public_port,
                                          timeout=REQUEST_TIMEOUT)
        status, auth_token = issue_one(conn)
        if status != 201:
            raise SystemExit('bench_tokens: login answered %d' % status)
        subjects = [auth_token]
        for _ in range(args.subject_tokens - 1):
            subjects.append(issue_one(conn)[1])
        conn.close()

        body = auth_body()

        def issue(conn, index):
            return issue_one(conn, body)[0]

        def validate(conn, index):
            validate.counter[index] += 1
            subject = subjects[(index + validate.counter[index])
                               % len(subjects)]
            conn.request('GET', '/v3/auth/tokens', headers={
                'X-Auth-Token': auth_token, 'X-Subject-Token': subject})
            response = conn.getresponse()
            response.read()
            return response.status
        validate.counter = [0] * args.validate_clients

        report['phases'] = [
            phase(server, 'GET / alone', 0, None, args.baseline,
                  args.probe_interval),
            phase(server, 'token issue', args.issue_clients, issue,
                  args.duration, args.probe_interval),
            phase(server, 'token validate', args.validate_clients, validate,
                  args.duration, args.probe_interval),
        ]
        report['loadavg_after'] = os.getloadavg()
        report['server_alive'] = server.process.poll() is None
    finally:
        server.stop()
    return report


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='bench_tokens-'))

    def interrupted(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupted)
    try:
        report = run(args, workdir)
    except KeyboardInterrupt:
        log('interrupted')
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(render(report))
    path = pathlib.Path(args.json) if args.json else RESULTS / (
        'bench_tokens-%s.json' % time.strftime('%Y%m%d-%H%M%S'))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + '\n')
    log('wrote %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
