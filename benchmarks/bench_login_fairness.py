#!/usr/bin/env python3
"""Login fairness and password-login throughput of a real service-all.

Phases, against one fresh service (SQLite, bcrypt at ``--rounds``):

1. quiet: the victim logs in at ``--rate`` per second, alone;
2. attack: the same while ``--attackers`` clients hammer another user
   with wrong passwords (answers 401, or 429 once over the per-user cap);
3. throughput: ``--clients`` clients log in (right passwords, distinct
   users) as fast as they can; logins/s against cores / (one hash).

Prints a table and writes JSON to ``benchmarks/results/``. Target: the
victim's p99 under attack at most 3x its quiet p99.

    .venv/bin/python benchmarks/bench_login_fairness.py [--workers 2]
"""

import argparse
import concurrent.futures
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
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
HOST = '127.0.0.1'


def free_port():
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def post(url, body, token=None, timeout=30):
    """POST JSON; return ``(status, headers, seconds)``."""
    request = urllib.request.Request(url, json.dumps(body).encode(),
                                     {'Content-Type': 'application/json'})
    if token:
        request.add_header('X-Auth-Token', token)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        exc.read()
        status, headers = exc.code, exc.headers
    return status, headers, time.perf_counter() - start


def password_body(name, password):
    """A password-method auth body for a user of the Default domain."""
    return {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': name, 'domain': {'id': 'default'},
                 'password': password}}}}}


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
        request = urllib.request.Request(
            self.url + '/auth/tokens', json.dumps(body).encode(),
            {'Content-Type': 'application/json'})
        with urllib.request.urlopen(request) as response:
            return response.headers['X-Subject-Token']

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(30)
        shutil.rmtree(self.dir, ignore_errors=True)


def paced(url, body, rate, seconds):
    """Log in at ``rate`` per second for ``seconds``; return latencies."""
    latencies, statuses = [], []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        status, _headers, took = post(url, body)
        statuses.append(status)
        latencies.append(took)
        n += 1
        pause = start + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    return latencies, statuses


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def hammer(url, body, stop, counts):
    while not stop.is_set():
        status, _headers, _took = post(url, body)
        counts[status] = counts.get(status, 0) + 1


def hash_seconds(rounds):
    """Time of one verification at ``rounds`` (this machine, one core)."""
    sys.path.insert(0, str(ROOT))
    from keystone_like.identity import passwords

    class Conf:
        class identity:
            password_hash_algorithm = 'bcrypt'
            password_hash_rounds = rounds
            max_password_length = 4096
    encoded = passwords.hash_password('x', Conf)
    start = time.perf_counter()
    for _ in range(5):
        passwords.verify_password('x', encoded)
    return (time.perf_counter() - start) / 5


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--workers', type=int, default=0)
    parser.add_argument('--attackers', type=int, default=16)
    parser.add_argument('--rate', type=float, default=4.0)
    parser.add_argument('--seconds', type=float, default=15.0)
    parser.add_argument('--clients', type=int, default=8)
    args = parser.parse_args(argv)
    one_hash = hash_seconds(args.rounds)
    service = Service(args.rounds, args.workers)
    try:
        service.start()
        token = service.admin_token()
        names = ['victim', 'target'] + ['u%d' % n for n in range(
            args.clients)]
        for name in names:
            post(service.url + '/users', {'user': {
                'name': name, 'domain_id': 'default',
                'password': 'Pw-' + name}}, token)
        url = service.url + '/auth/tokens'
        victim = password_body('victim', 'Pw-victim')
        quiet, _ = paced(url, victim, args.rate, args.seconds)
        stop, counts = threading.Event(), {}
        attackers = [threading.Thread(target=hammer, args=(
            url, password_body('target', 'wrong'), stop, counts))
            for _ in range(args.attackers)]
        for thread in attackers:
            thread.start()
        time.sleep(1)          # let the flood build up
        attacked, statuses = paced(url, victim, args.rate, args.seconds)
        stop.set()
        for thread in attackers:
            thread.join()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            begin = time.monotonic()
            done = list(pool.map(lambda n: sum(
                post(url, password_body('u%d' % n, 'Pw-u%d' % n))[0] == 201
                for _ in range(max(4, int(args.seconds)))),
                range(args.clients)))
            elapsed = time.monotonic() - begin
    finally:
        service.stop()
    cores = os.cpu_count() or 1
    report = {
        'rounds': args.rounds, 'workers': args.workers, 'cores': cores,
        'attackers': args.attackers, 'rate': args.rate,
        'quiet': {'p50': statistics.median(quiet),
                  'p99': percentile(quiet, 0.99), 'n': len(quiet)},
        'attack': {'p50': statistics.median(attacked),
                   'p99': percentile(attacked, 0.99), 'n': len(attacked),
                   'victim_statuses': sorted(set(statuses)),
                   'attacker_statuses': counts},
        'throughput': {'logins_per_s': sum(done) / elapsed,
                       'one_hash_s': one_hash,
                       'bound_per_s': cores / one_hash},
    }
    report['p99_ratio'] = report['attack']['p99'] / report['quiet']['p99']
    print('%-28s %10s %10s' % ('victim login', 'p50 ms', 'p99 ms'))
    for phase in ('quiet', 'attack'):
        print('%-28s %10.1f %10.1f' % (phase, report[phase]['p50'] * 1000,
                                       report[phase]['p99'] * 1000))
    print('p99 attack / quiet: %.2f (target <= 3)' % report['p99_ratio'])
    print('attacker answers: %s' % counts)
    print('throughput: %.1f logins/s; cores / one hash = %d / %.1f ms = '
          '%.1f/s' % (report['throughput']['logins_per_s'], cores,
                      one_hash * 1000, report['throughput']['bound_per_s']))
    out = ROOT / 'benchmarks' / 'results'
    out.mkdir(exist_ok=True)
    path = out / ('login_fairness-%s-w%d.json' % (
        time.strftime('%Y%m%dT%H%M%S'), args.workers))
    path.write_text(json.dumps(report, indent=2))
    print('wrote', path.relative_to(ROOT))


if __name__ == '__main__':
    main()
