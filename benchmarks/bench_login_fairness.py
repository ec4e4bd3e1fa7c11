#!/usr/bin/env python3
"""Login fairness and password-login throughput of a real service-all.

One fresh service (SQLite, bcrypt at ``--rounds``), then:

1. fairness: ``--windows`` windows of ``--seconds`` each, alternating
   quiet / attack (quiet first). Throughout, a paced prober logs the
   victim in at ``--rate`` per second on one keep-alive connection from
   its own loopback address (127.0.0.2). In an attack window a separate
   process runs ``--attackers`` client threads, each on its own
   keep-alive connection from 127.0.0.1, sending wrong passwords for
   another user as fast as answers come (401, or 429 over the per-user
   cap; Retry-After ignored). The first ``--ramp`` seconds of each window
   are not measured. Per window: the victim's p50/p99, the service's CPU
   split into its hub (main thread) and its other threads (hashing), the
   attacker's and the prober's CPU, the machine's busy share and load.
2. throughput: ``--clients`` threads (keep-alive, distinct users, right
   passwords) log in as fast as they can for ``--seconds``; logins/s
   against cores / (one hash at ``--rounds``, timed in this run).

Target: the victim's p99 over the attack windows at most 3x its p99 over
the quiet windows of the same run. Prints a table, writes JSON to
``benchmarks/results/``.

    .venv/bin/python benchmarks/bench_login_fairness.py [--workers 2]
"""

import argparse
import http.client
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
HOST = '127.0.0.1'
VICTIM_SOURCE = '127.0.0.2'
TICK = os.sysconf('SC_CLK_TCK')


def free_port():
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def password_body(name, password):
    """A password-method auth body for a user of the Default domain."""
    return {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': name, 'domain': {'id': 'default'},
                 'password': password}}}}}


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects when it drops."""

    def __init__(self, port, source=None, timeout=60):
        self.port, self.source, self.timeout = port, source, timeout
        self.conn = None

    def request(self, method, path, body=None, token=None):
        """Return ``(status, headers, seconds)``."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {'Content-Type': 'application/json'}
        if token:
            headers['X-Auth-Token'] = token
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    HOST, self.port, timeout=self.timeout,
                    source_address=(self.source, 0) if self.source else None)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, data, headers)
                response = self.conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            took = time.perf_counter() - start
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, response.headers, took

    def close(self):
        if self.conn is not None:
            self.conn.close()


def cpu_seconds(pid, task=None):
    """utime + stime of a process (or one of its threads), in seconds."""
    path = ('/proc/%d/task/%d/stat' % (pid, task) if task
            else '/proc/%d/stat' % pid)
    try:
        with open(path) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_pids(pid):
    """``pid`` and its descendants (worker mode forks)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            with open('/proc/%d/task/%d/children' % (current, current)) as f:
                todo.extend(int(p) for p in f.read().split())
        except OSError:
            pass
    return pids


def service_cpu(pid):
    """``(hub seconds, other threads' seconds)`` summed over the tree.

    The hub of each process is its main thread (tid == pid); hashing runs
    on the other threads.
    """
    hub = other = 0.0
    for process in tree_pids(pid):
        main = cpu_seconds(process, process)
        hub += main
        other += cpu_seconds(process) - main
    return hub, other


def machine_busy():
    """``(busy jiffies, total jiffies)`` of the whole machine."""
    with open('/proc/stat') as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Service:
    """service-all in a temporary directory."""

    def __init__(self, rounds, workers):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix='bench-fairness-'))
        self.port, self.admin_port = free_port(), free_port()
        self.password = 'Bench-' + secrets.token_hex(8)
        self.config = self.dir / 'keystone_like.conf'
        self.config.write_text(
            '[DEFAULT]\nadmin_bind_host = %s\npublic_bind_host = %s\n'
            'admin_port = %d\npublic_port = %d\nadmin_workers = %d\n'
            'public_workers = %d\nstate_dir = %s\npid_file = %s\n'
            '[identity]\npassword_hash_rounds = %d\n' % (
                HOST, HOST, self.admin_port, self.port, workers, workers,
                self.dir / 'state', self.dir / 'pid', rounds))
        self.url = 'http://%s:%d/v3' % (HOST, self.port)
        self.process = None

    def start(self):
        env = dict(os.environ, OS_BOOTSTRAP_PASSWORD=self.password)
        subprocess.run([str(BIN / 'service-manage'), '--config-file',
                        str(self.config), 'setup', '--bootstrap-public-url',
                        self.url], check=True, env=env,
                       capture_output=True, cwd=self.dir)
        self.log = open(self.dir / 'service.log', 'wb')
        self.process = subprocess.Popen(
            [str(BIN / 'service-all'), '--config-file', str(self.config)],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit('service-all did not answer within 60 s')

    def admin_token(self):
        body = password_body('admin', self.password)
        body['auth']['scope'] = {'project': {
            'name': 'admin', 'domain': {'id': 'default'}}}
        client = Client(self.port)
        status, headers, _took = client.request('POST', '/v3/auth/tokens',
                                                body)
        client.close()
        assert status == 201, status
        return headers['X-Subject-Token']

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(30)
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the attacker process ------------------------------------------------

def attack_main(port, threads, user):
    """Hammer ``user`` with wrong passwords until stdin closes; print the
    answers' counts as JSON."""
    stop, counts, lock = threading.Event(), {}, threading.Lock()
    body = password_body(user, 'wrong-' + secrets.token_hex(4))

    def hammer():
        client = Client(port)
        while not stop.is_set():
            try:
                status = client.request('POST', '/v3/auth/tokens', body)[0]
            except (OSError, http.client.HTTPException):
                status = 'error'
            with lock:
                counts[status] = counts.get(status, 0) + 1
        client.close()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    sys.stdin.read()
    stop.set()
    for worker in workers:
        worker.join()
    print(json.dumps({str(k): v for k, v in counts.items()}))


class Attack:
    """The attacker process for one window."""

    def __init__(self, port, threads, user):
        self.process = subprocess.Popen(
            [sys.executable, __file__, '--attack-port', str(port),
             '--attackers', str(threads), '--attack-user', user],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def cpu(self):
        return cpu_seconds(self.process.pid)

    def stop(self):
        cpu = self.cpu()
        out, _err = self.process.communicate('', timeout=120)
        return json.loads(out or '{}'), cpu


# -- the reference hashing process ----------------------------------------

def reference_main(threads, rounds, seconds):
    """Verify passwords on ``threads`` native threads for ``seconds``;
    print verifications per second."""
    sys.path.insert(0, str(ROOT))
    import bcrypt  # noqa: F401  (the service's hash, imported up front)
    from keystone_like.identity import passwords

    class Conf:
        class identity:
            password_hash_algorithm = 'bcrypt'
            password_hash_rounds = rounds
            max_password_length = 4096
    encoded = passwords.hash_password('x', Conf)
    counts = [0] * threads
    deadline = time.monotonic() + seconds

    def run(n):
        while time.monotonic() < deadline:
            passwords.verify_password('x', encoded)
            counts[n] += 1

    workers = [threading.Thread(target=run, args=(n,))
               for n in range(threads)]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(sum(counts) / (time.monotonic() - start)))


def reference_rate(rounds, seconds):
    """Verifications/s one process group gets now with a thread per core.

    Run in its own session, as the service is (one scheduler autogroup),
    so on a shared machine it gets the share the service would get.
    """
    out = subprocess.run(
        [sys.executable, __file__, '--reference', str(os.cpu_count() or 1),
         '--rounds', str(rounds), '--seconds', str(seconds)],
        check=True, capture_output=True, text=True, start_new_session=True)
    return json.loads(out.stdout)


# -- measurement ---------------------------------------------------------

def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def window(service, prober, body, phase, args):
    """One quiet or attack window; return its record."""
    attack = None
    if phase == 'attack':
        attack = Attack(service.port, args.attackers, 'target')
    deadline = time.monotonic() + args.ramp
    while time.monotonic() < deadline:            # ramp: not measured
        prober.request('POST', '/v3/auth/tokens', body)
        time.sleep(1 / args.rate)
    hub0, other0 = service_cpu(service.process.pid)
    busy0, total0 = machine_busy()
    own0 = time.process_time()
    attacker0 = attack.cpu() if attack else 0.0
    latencies, statuses = [], {}
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < args.seconds:
        status, _headers, took = prober.request('POST', '/v3/auth/tokens',
                                                body)
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(took)
        n += 1
        pause = start + n / args.rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    elapsed = time.monotonic() - start
    hub1, other1 = service_cpu(service.process.pid)
    busy1, total1 = machine_busy()
    record = {
        'phase': phase, 'seconds': elapsed, 'n': len(latencies),
        'p50': statistics.median(latencies),
        'p99': percentile(latencies, 0.99), 'max': max(latencies),
        'latencies': latencies, 'victim_statuses': statuses,
        'service_hub_cpu': (hub1 - hub0) / elapsed,
        'service_other_cpu': (other1 - other0) / elapsed,
        'prober_cpu': (time.process_time() - own0) / elapsed,
        'machine_busy': (busy1 - busy0) / max(1, total1 - total0),
        'loadavg': os.getloadavg()[0],
    }
    if attack is not None:
        record['attacker_cpu'] = (attack.cpu() - attacker0) / elapsed
        answers, _cpu = attack.stop()
        record['attacker_answers'] = answers
        # Let the flood's queue drain before the next quiet window.
        time.sleep(1.0)
    return record


def throughput(service, args, one_hash):
    """Right-password logins of distinct users as fast as they come."""
    stop, done, lock = threading.Event(), [0], threading.Lock()
    bad = {}

    def login(n):
        client = Client(service.port)
        body = password_body('u%d' % n, 'Pw-u%d' % n)
        while not stop.is_set():
            status = client.request('POST', '/v3/auth/tokens', body)[0]
            with lock:
                if status == 201:
                    done[0] += 1
                else:
                    bad[status] = bad.get(status, 0) + 1
        client.close()

    workers = [threading.Thread(target=login, args=(n,))
               for n in range(args.clients)]
    for worker in workers:
        worker.start()
    time.sleep(args.ramp)
    hub0, other0 = service_cpu(service.process.pid)
    per0 = {pid: cpu_seconds(pid) for pid in tree_pids(service.process.pid)}
    with lock:
        before = done[0]
    start = time.monotonic()
    time.sleep(args.seconds)
    with lock:
        after = done[0]
    elapsed = time.monotonic() - start
    hub1, other1 = service_cpu(service.process.pid)
    per_process = sorted(
        round((cpu_seconds(pid) - per0[pid]) / elapsed, 3)
        for pid in tree_pids(service.process.pid) if pid in per0)
    stop.set()
    for worker in workers:
        worker.join()
    cores = os.cpu_count() or 1
    rate = (after - before) / elapsed
    return {'clients': args.clients, 'logins_per_s': rate,
            'one_hash_s': one_hash, 'bound_per_s': cores / one_hash,
            'fraction_of_bound': rate * one_hash / cores,
            'hashing_cpu_per_login_s': (other1 - other0) / max(
                1, after - before),
            'service_hub_cpu': (hub1 - hub0) / elapsed,
            'service_other_cpu': (other1 - other0) / elapsed,
            'cpu_per_process': per_process, 'other_answers': bad}


def hash_seconds(rounds, repeat=5):
    """Median time of one verification at ``rounds`` (this machine)."""
    sys.path.insert(0, str(ROOT))
    from keystone_like.identity import passwords

    class Conf:
        class identity:
            password_hash_algorithm = 'bcrypt'
            password_hash_rounds = rounds
            max_password_length = 4096
    encoded = passwords.hash_password('x', Conf)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        passwords.verify_password('x', encoded)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def summarize(windows, phase):
    latencies = [t for w in windows if w['phase'] == phase
                 for t in w['latencies']]
    if not latencies:
        return None
    return {'n': len(latencies), 'p50': statistics.median(latencies),
            'p99': percentile(latencies, 0.99), 'max': max(latencies)}


def print_table(report):
    print('bcrypt rounds %d, one hash %.0f ms, %d cores, workers %d, '
          '%d attackers, victim at %.1f/s' % (
              report['rounds'], report['throughput']['one_hash_s'] * 1000,
              report['cores'], report['workers'], report['attackers'],
              report['rate']))
    head = ('%-3s %-6s %4s %8s %8s %8s  %5s %5s %5s %5s %5s %5s  %s' % (
        '#', 'phase', 'n', 'p50 ms', 'p99 ms', 'max ms', 'hub', 'hash',
        'attk', 'probe', 'busy', 'load', 'attacker answers'))
    print(head)
    for number, w in enumerate(report['windows'], 1):
        print('%-3d %-6s %4d %8.0f %8.0f %8.0f  %5.2f %5.2f %5.2f %5.2f '
              '%5.2f %5.1f  %s' % (
                  number, w['phase'], w['n'], w['p50'] * 1000,
                  w['p99'] * 1000, w['max'] * 1000, w['service_hub_cpu'],
                  w['service_other_cpu'], w.get('attacker_cpu', 0.0),
                  w['prober_cpu'], w['machine_busy'], w['loadavg'],
                  w.get('attacker_answers', '')))
    print('(cpu columns: cores used by the service hub / its hashing '
          'threads / the attacker process / the prober; busy: machine)')
    for phase in ('quiet', 'attack'):
        s = report[phase]
        if s is None:
            continue
        print('%-6s all windows: n %d, p50 %.0f ms, p99 %.0f ms, max %.0f ms'
              % (phase, s['n'], s['p50'] * 1000, s['p99'] * 1000,
                 s['max'] * 1000))
    if report['p99_ratio'] is not None:
        print('victim p99 attack / quiet: %.2f (target <= 3); p50 ratio '
              '%.2f' % (report['p99_ratio'], report['p50_ratio']))
    t = report['throughput']
    print('throughput: %.2f logins/s with %d clients; cores / one hash = '
          '%d / %.0f ms = %.2f/s -> %.0f%% of the bound; hashing CPU per '
          'login %.0f ms' % (
              t['logins_per_s'], t['clients'], report['cores'],
              t['one_hash_s'] * 1000, t['bound_per_s'],
              100 * t['fraction_of_bound'],
              t['hashing_cpu_per_login_s'] * 1000))
    if t.get('reference_per_s'):
        print('reference: a process with one hashing thread per core gets '
              '%.2f verifications/s now (runs %s): the service reaches %.0f%%'
              ' of it; service CPU by process (cores): %s' % (
                  t['reference_per_s'],
                  ', '.join('%.2f' % r for r in t['reference_runs']),
                  100 * t['fraction_of_reference'], t['cpu_per_process']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--workers', type=int, default=0,
                        help='public_workers (0: single process)')
    parser.add_argument('--attackers', type=int, default=16)
    parser.add_argument('--rate', type=float, default=2.0,
                        help='victim logins per second (paced)')
    parser.add_argument('--seconds', type=float, default=10.0,
                        help='measured length of each window')
    parser.add_argument('--ramp', type=float, default=1.5,
                        help='unmeasured start of each window')
    parser.add_argument('--windows', type=int, default=4,
                        help='quiet/attack windows, alternating')
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--skip-throughput', action='store_true')
    parser.add_argument('--attack-port', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--attack-user', help=argparse.SUPPRESS)
    parser.add_argument('--reference', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference:
        return reference_main(args.reference, args.rounds, args.seconds)
    if args.attack_port:
        return attack_main(args.attack_port, args.attackers,
                           args.attack_user)
    one_hash = hash_seconds(args.rounds)
    service = Service(args.rounds, args.workers)
    try:
        service.start()
        token = service.admin_token()
        admin = Client(service.port)
        for name in ['victim', 'target'] + ['u%d' % n
                                            for n in range(args.clients)]:
            status = admin.request('POST', '/v3/users', {'user': {
                'name': name, 'domain_id': 'default',
                'password': 'Pw-' + name}}, token)[0]
            assert status == 201, status
        admin.close()
        prober = Client(service.port, source=VICTIM_SOURCE)
        body = password_body('victim', 'Pw-victim')
        windows = [window(service, prober, body,
                          ('quiet', 'attack')[number % 2], args)
                   for number in range(args.windows)]
        prober.close()
        if args.skip_throughput:
            tput = {'clients': 0, 'logins_per_s': 0.0, 'one_hash_s': one_hash,
                    'bound_per_s': (os.cpu_count() or 1) / one_hash,
                    'fraction_of_bound': 0.0, 'hashing_cpu_per_login_s': 0.0}
        else:
            before = reference_rate(args.rounds, args.seconds / 2)
            tput = throughput(service, args, one_hash)
            after = reference_rate(args.rounds, args.seconds / 2)
            tput['reference_per_s'] = (before + after) / 2
            tput['reference_runs'] = [before, after]
            tput['fraction_of_reference'] = (tput['logins_per_s']
                                             / tput['reference_per_s'])
    finally:
        service.stop()
    one_hash_after = hash_seconds(args.rounds)
    tput['one_hash_s_after'] = one_hash_after
    report = {
        'command': ' '.join([pathlib.Path(sys.executable).name]
                            + sys.argv),
        'rounds': args.rounds, 'workers': args.workers,
        'cores': os.cpu_count() or 1, 'attackers': args.attackers,
        'rate': args.rate, 'seconds': args.seconds, 'ramp': args.ramp,
        'windows': windows,
        'quiet': summarize(windows, 'quiet'),
        'attack': summarize(windows, 'attack'),
        'throughput': tput,
    }
    report['p99_ratio'] = report['p50_ratio'] = None
    if report['quiet'] and report['attack']:
        report['p99_ratio'] = (report['attack']['p99']
                               / report['quiet']['p99'])
        report['p50_ratio'] = (report['attack']['p50']
                               / report['quiet']['p50'])
    print_table(report)
    out = ROOT / 'benchmarks' / 'results'
    out.mkdir(exist_ok=True)
    path = out / ('login_fairness-%s-w%d.json' % (
        time.strftime('%Y%m%dT%H%M%S'), args.workers))
    path.write_text(json.dumps(report, indent=2))
    print('wrote', path.relative_to(ROOT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
