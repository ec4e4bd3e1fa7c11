#!/usr/bin/env python3
"""Multi-node harness: 3 service-all nodes, one PostgreSQL, HAProxy.

Starts three nodes on loopback ports (each its own state dir and key
repositories), one PostgreSQL database created for the run and dropped
after it, and HAProxy running deploy/haproxy/haproxy.cfg in front; then
runs the scenarios of deploy/multinode/README.md under load and keeps a
ledger: every request has a unique id and ends as succeeded or failed.
Prints a table and writes the ledger's figures as JSON.

    python deploy/multinode/harness.py [--json FILE] [--keep] [--seconds N]

Talks only to 127.0.0.1; ends only the processes it started, by pid.
Exit status: 0 when every scenario met its bar, 1 otherwise.
"""

import argparse
import collections
import contextlib
import http.client
import json
import os
import pathlib
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cluster  # noqa: E402  (the harness's own module, beside it)

IDEMPOTENT = {'GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'}
ADMIN_PASSWORD = 'Harness-' + uuid.uuid4().hex[:12]
CREDENTIAL_BLOB = json.dumps({'access': 'harness', 'secret': 'not-logged'})


class Ledger:
    """Every request: a unique id, the scenario, the outcome."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        self.scenario = 'setup'

    def record(self, request_id, method, path, ok, detail):
        """Add one finished request."""
        with self.lock:
            self.entries.append({
                'id': request_id, 'scenario': self.scenario,
                'method': method, 'path': path.split('?')[0],
                'ok': ok, 'detail': detail})

    def figures(self, scenario):
        """sent / succeeded / failed, split by idempotent or not."""
        rows = [e for e in self.entries if e['scenario'] == scenario]
        ids = [e['id'] for e in rows]
        assert len(ids) == len(set(ids)), 'request ids must be unique'
        failed = [e for e in rows if not e['ok']]
        return {
            'sent': len(rows), 'succeeded': len(rows) - len(failed),
            'failed': len(failed),
            'failed_idempotent': sum(e['method'] in IDEMPOTENT
                                     for e in failed),
            'failed_non_idempotent': sum(e['method'] not in IDEMPOTENT
                                         for e in failed),
            'non_idempotent_sent': sum(e['method'] not in IDEMPOTENT
                                       for e in rows),
            'failures': collections.Counter(
                '%s %s: %s' % (e['method'], e['path'], e['detail'])
                for e in failed).most_common(5),
        }


class Client:
    """One keep-alive connection; every call goes into the ledger."""

    def __init__(self, ledger, port):
        self.ledger = ledger
        self.port = port
        self.conn = None

    def call(self, method, path, expect, body=None, headers=None):
        """Send one request; return ``(ok, status, headers, body)``."""
        request_id = uuid.uuid4().hex
        all_headers = {'X-Harness-Request-Id': request_id}
        all_headers.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers['Content-Type'] = 'application/json'
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(cluster.HOST,
                                                       self.port, timeout=30)
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            status = response.status
            if got.get('connection', '').lower() == 'close':
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            self.ledger.record(request_id, method, path, False,
                               type(exc).__name__)
            return False, None, {}, None
        ok = status in expect
        self.ledger.record(request_id, method, path, ok, status)
        parsed = json.loads(raw) if raw and 'json' in got.get(
            'content-type', '') else None
        return ok, status, got, parsed

    def close(self):
        """Drop the connection (the next call opens another)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def password_auth():
    """The bootstrap admin's project-scoped password request body."""
    return {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': 'admin', 'domain': {'name': 'Default'},
                 'password': ADMIN_PASSWORD}}},
        'scope': {'project': {'name': 'admin',
                              'domain': {'name': 'Default'}}}}}


def issue(client):
    """POST /v3/auth/tokens; return the token or None."""
    ok, _s, headers, _b = client.call('POST', '/v3/auth/tokens?nocatalog',
                                      (201,), body=password_auth())
    return headers.get('x-subject-token') if ok else None


class Load:
    """Client threads sending a mix through HAProxy until stopped."""

    def __init__(self, ledger, port, admin_token, tokens, credential_id,
                 threads=6):
        self.ledger = ledger
        self.port = port
        self.admin_token = admin_token
        self.tokens = tokens            # shared list: valid tokens
        self.credential_id = credential_id
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True)
                        for _ in range(threads)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(60)

    def _run(self):
        client = Client(self.ledger, self.port)
        rng = random.Random()
        auth = {'X-Auth-Token': self.admin_token}
        while not self.stop_event.is_set():
            pick = rng.random()
            if pick < 0.55:
                client.call('GET', '/v3/auth/tokens', (200,), headers=dict(
                    auth, **{'X-Subject-Token': rng.choice(self.tokens)}))
            elif pick < 0.70:
                client.call('GET', '/v3', (200,))
            elif pick < 0.85:
                client.call('GET', '/v3/credentials/%s' % self.credential_id,
                            (200,), headers=auth)
            else:
                token = issue(client)
                if token:
                    self.tokens.append(token)
        client.close()


def sample(tokens, size=40):
    """The first tokens (made before any rotation), then a random sample
    of the others: each is validated on every node, one at a time."""
    head = list(tokens[:size // 2])
    rest = list(tokens[size // 2:])
    return head + random.sample(rest, min(len(rest), size - len(head)))


class Harness:
    """The cluster, the ledger and the scenarios."""

    def __init__(self, directory, seconds, haproxy_binary):
        self.directory = directory
        self.seconds = seconds
        self.ledger = Ledger()
        self.database = cluster.Database()
        self.nodes = []
        self.haproxy = None
        self.haproxy_binary = haproxy_binary
        self.notes = collections.defaultdict(list)
        self.results = {}

    # -- set-up and tear-down --------------------------------------------

    def start(self):
        """Database, three nodes with copies of one key set, HAProxy."""
        self.database.create()
        self.nodes = [cluster.Node(self.directory, 'node%d' % i,
                                   self.database.url) for i in (1, 2, 3)]
        for node in self.nodes:
            node.write_config()
        first, others = self.nodes[0], self.nodes[1:]
        self.haproxy = cluster.HAProxy(self.directory, self.nodes,
                                       self.haproxy_binary)
        url = 'http://%s:%d/v3' % (cluster.HOST, self.haproxy.public_port)
        admin_url = 'http://%s:%d/v3' % (cluster.HOST,
                                         self.haproxy.admin_port)
        first.manage('setup', '--bootstrap-public-url', url,
                     '--bootstrap-admin-url', admin_url,
                     env={'OS_BOOTSTRAP_PASSWORD': ADMIN_PASSWORD})
        for command, attribute in (('fernet_distribute', 'fernet_keys'),
                                   ('credential_distribute',
                                    'credential_keys')):
            argv = [command]
            for node in others:
                argv += ['--to', str(getattr(node, attribute))]
            first.manage(*argv)
        for node in self.nodes:
            node.start()
        self.haproxy.start()
        for node in self.nodes:
            self.haproxy.wait_state(node, 'UP')

    def stop(self):
        """End what was started (by pid), drop the database."""
        for node in self.nodes:
            if node.process is not None:
                node.process.stop()
        if self.haproxy is not None and self.haproxy.process is not None:
            self.haproxy.process.stop()
        with contextlib.suppress(Exception):
            self.database.drop()

    # -- helpers ----------------------------------------------------------

    def client(self, port=None):
        """A Client to HAProxy's public frontend (or ``port``)."""
        return Client(self.ledger, port or self.haproxy.public_port)

    def once(self, port, *args, **kwargs):
        """One request on a connection of its own, to ``port``."""
        client = self.client(port)
        try:
            return client.call(*args, **kwargs)
        finally:
            client.close()

    def prepare_load(self):
        """An admin token, a pool of valid tokens and a credential."""
        client = self.client()
        admin_token = issue(client)
        tokens = [issue(client) for _ in range(20)]
        ok, _s, _h, body = client.call(
            'POST', '/v3/credentials', (201,),
            headers={'X-Auth-Token': admin_token},
            body={'credential': {'type': 'cert', 'blob': CREDENTIAL_BLOB,
                                 'user_id': self.user_id(client,
                                                         admin_token)}})
        client.close()
        return admin_token, tokens, body['credential']['id']

    def user_id(self, client, token):
        """The id of the token's user."""
        _ok, _s, _h, body = client.call(
            'GET', '/v3/auth/tokens', (200,),
            headers={'X-Auth-Token': token, 'X-Subject-Token': token})
        return body['token']['user']['id']

    def pause(self, seconds=None):
        """Let the load run (the scenario's steady part)."""
        time.sleep(self.seconds if seconds is None else seconds)

    def run(self, name, scenario, *args):
        """Run one scenario under its name in the ledger."""
        self.ledger.scenario = name
        started = time.monotonic()
        extra = scenario(*args) or {}
        figures = self.ledger.figures(name)
        figures.update(extra)
        figures['seconds'] = round(time.monotonic() - started, 1)
        figures['notes'] = self.notes[name]
        self.results[name] = figures
        return figures

    # -- scenarios ----------------------------------------------------------

    def cross_node(self):
        """A token issued through HAProxy validates on every node; one
        revoked on any node is refused by every node on the next request."""
        client = self.client()
        admin = issue(client)
        refused_late = 0
        for revoker in self.nodes:
            token = issue(client)
            headers = {'X-Auth-Token': admin, 'X-Subject-Token': token}
            for node in self.nodes:
                for port in (node.public_port, node.admin_port):
                    self.once(port, 'GET', '/v3/auth/tokens', (200,),
                              headers=headers)
            self.once(revoker.public_port, 'DELETE', '/v3/auth/tokens',
                      (204,), headers=headers)
            late = [node.name for node in self.nodes
                    if not self.once(node.public_port, 'GET',
                                     '/v3/auth/tokens', (404,),
                                     headers=headers)[0]]
            refused_late += len(late)
            self.notes['cross_node'].append(
                'token revoked on %s: refused on the next request by %d of '
                '3 nodes%s' % (revoker.name, 3 - len(late),
                               ' (not by %s)' % ', '.join(late) if late
                               else ''))
        client.close()
        return {'revocations_seen_late': refused_late}

    def sigkill(self, load_args):
        """SIGKILL one node (its whole process group) under load; restart
        it; it must rejoin and take traffic again."""
        victim = self.nodes[1]
        with Load(self.ledger, self.haproxy.public_port, *load_args):
            self.pause()
            killed = time.monotonic()
            victim.process.kill_group()
            self.haproxy.wait_state(victim, 'DOWN')
            self.notes['sigkill'].append('HAProxy marked %s DOWN %.1fs after '
                                         'SIGKILL' % (victim.name,
                                                      time.monotonic() -
                                                      killed))
            self.pause()
            victim.start()
            self.haproxy.wait_state(victim, 'UP')
            before = self.haproxy.sessions(victim)
            cluster.wait_for(lambda: self.haproxy.sessions(victim) > before,
                             30, '%s to take traffic again' % victim.name)
            self.notes['sigkill'].append(
                '%s restarted, UP in HAProxy and serving again %.1fs after '
                'the kill' % (victim.name, time.monotonic() - killed))
            self.pause()

    def rolling_reload(self, load_args):
        """SIGHUP each node in turn under load; wait for its new
        generation to be ready before the next."""
        with Load(self.ledger, self.haproxy.public_port, *load_args):
            self.pause(2)
            for node in self.nodes:
                generation = node.status().get('generation')
                node.process.signal(signal.SIGHUP)

                def reloaded(node=node, generation=generation):
                    status = node.status()
                    return (status.get('generation') == generation + 1
                            and status.get('state') == 'ready')
                cluster.wait_for(reloaded, 60, '%s to reload' % node.name)
                result = node.status().get('last_reload') or {}
                self.notes['rolling_reload'].append(
                    '%s: generation %d -> %d, reload %s' % (
                        node.name, generation, generation + 1,
                        result.get('result')))
                self.pause(2)

    def rolling_restart(self, load_args):
        """Take each node out (disable file), SIGTERM it, start it again,
        put it back; one at a time, under load."""
        with Load(self.ledger, self.haproxy.public_port, *load_args):
            self.pause(2)
            for node in self.nodes:
                node.disable_file.touch()
                self.haproxy.wait_state(node, 'DOWN')
                node.process.stop()
                code = node.process.popen.returncode
                node.start()
                node.disable_file.unlink()
                self.haproxy.wait_state(node, 'UP')
                self.notes['rolling_restart'].append(
                    '%s drained (exit %s), restarted, back UP' % (node.name,
                                                                  code))
                self.pause(2)

    def key_rotation(self, load_args):
        """Rotate the Fernet and credential keys on node1 and distribute
        them to node2 and node3 under load, twice; then every token that
        was valid before must still validate on every node."""
        first, others = self.nodes[0], self.nodes[1:]
        _admin, tokens, _cid = load_args
        with Load(self.ledger, self.haproxy.public_port, *load_args):
            self.pause(2)
            for _round in range(2):
                before = sample(tokens)
                argv = ['fernet_rotate']
                for node in others:
                    argv += ['--distribute-to', str(node.fernet_keys)]
                output = first.manage(*argv)
                self.notes['key_rotation'].append(
                    'fernet: ' + ' / '.join(
                        line for line in output.splitlines()
                        if line.startswith('Rotated')))
                self.pause(3)   # nodes reload keys within about a second
                self.recheck(before, 'key_rotation')
            argv = ['credential_rotate']
            for node in others:
                argv += ['--distribute-to', str(node.credential_keys)]
            first.manage(*argv)
            first.manage('credential_migrate')
            self.notes['key_rotation'].append(
                'credential keys rotated, distributed, migrated')
            self.pause(3)
        checked = sample(tokens)
        rejected = self.recheck(checked, 'key_rotation')
        return {'tokens_rechecked': len(checked) * len(self.nodes),
                'tokens_rejected': rejected}

    def recheck(self, tokens, name):
        """Validate ``tokens`` on every node directly (one thread per
        node); count refusals."""
        admin = tokens[0]
        refused = []

        def check(node):
            client = self.client(node.public_port)
            for token in tokens:
                ok, _s, _h, _b = client.call(
                    'GET', '/v3/auth/tokens', (200,),
                    headers={'X-Auth-Token': admin, 'X-Subject-Token': token})
                if not ok:
                    refused.append((node.name, token[:12]))
            client.close()
        threads = [threading.Thread(target=check, args=(node,))
                   for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.notes[name].append('%d tokens from before re-validated on each '
                                'node: %d rejected' % (len(tokens),
                                                       len(refused)))
        return len(refused)


BARS = {
    'cross_node': lambda r: r['failed'] == 0,
    'sigkill': lambda r: r['failed_idempotent'] == 0,
    'rolling_reload': lambda r: r['failed'] == 0,
    'rolling_restart': lambda r: r['failed'] == 0,
    'key_rotation': lambda r: r['failed'] == 0 and r['tokens_rejected'] == 0,
}


def report(results):
    """Print the table; return True when every bar is met."""
    print('%-16s %7s %10s %7s %9s %13s %6s  %s' % (
        'scenario', 'sent', 'succeeded', 'failed', 'idem.fail',
        'non-idem.fail', 'bar', 'seconds'))
    passed = True
    for name, figures in results.items():
        met = BARS[name](figures)
        passed &= met
        print('%-16s %7d %10d %7d %9d %6d of %-5d %6s  %s' % (
            name, figures['sent'], figures['succeeded'], figures['failed'],
            figures['failed_idempotent'], figures['failed_non_idempotent'],
            figures['non_idempotent_sent'], 'met' if met else 'MISSED',
            figures['seconds']))
    for name, figures in results.items():
        for note in figures['notes']:
            print('  %s: %s' % (name, note))
        for failure, count in figures['failures']:
            print('  %s: %d x %s' % (name, count, failure))
    return passed


class GaveUp(Exception):
    """SIGTERM, or the --max-seconds bound, ended the run."""


def _give_up(signum, _frame):
    raise GaveUp('signal %d (SIGALRM: --max-seconds reached)' % signum)


def main(argv=None):
    """Run every scenario; print the table; write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--json', default='multinode-results.json',
                        help='Where to write the figures (JSON).')
    parser.add_argument('--seconds', type=float, default=4,
                        help='Steady load between the steps of a scenario.')
    parser.add_argument('--max-seconds', type=int, default=900,
                        help='Give up (and clean up) after this long.')
    parser.add_argument('--keep', action='store_true',
                        help='Keep the work directory (configs, logs).')
    parser.add_argument('--haproxy', default=shutil.which('haproxy')
                        or '/usr/sbin/haproxy', help='The haproxy binary.')
    args = parser.parse_args(argv)
    if not os.path.exists(args.haproxy):
        parser.error('haproxy not found at %s; run deploy/multinode/'
                     'install-haproxy.sh' % args.haproxy)
    # SIGTERM and the time bound end the run through the finally below, so
    # every process started is ended and the database dropped.
    signal.signal(signal.SIGTERM, _give_up)
    signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(args.max_seconds)
    directory = pathlib.Path(tempfile.mkdtemp(prefix='kl-multinode-'))
    harness = Harness(directory, args.seconds, args.haproxy)
    started = time.monotonic()
    error = None
    try:
        harness.start()
        harness.ledger.scenario = 'setup'
        load_args = harness.prepare_load()
        harness.run('cross_node', harness.cross_node)
        harness.run('sigkill', harness.sigkill, load_args)
        harness.run('rolling_reload', harness.rolling_reload, load_args)
        harness.run('rolling_restart', harness.rolling_restart, load_args)
        harness.run('key_rotation', harness.key_rotation, load_args)
    except Exception as exc:  # GaveUp included: report what was done
        error = '%s: %s' % (type(exc).__name__, exc)
        print('harness stopped early: %s' % error, file=sys.stderr)
    finally:
        signal.alarm(0)
        harness.stop()
        if args.keep:
            print('work directory kept: %s' % directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    passed = report(harness.results) and error is None
    document = {'command': ' '.join([os.path.basename(sys.argv[0])]
                                    + (argv or sys.argv[1:])),
                'seconds': round(time.monotonic() - started, 1),
                'passed': passed, 'error': error,
                'scenarios': harness.results}
    pathlib.Path(args.json).write_text(json.dumps(document, indent=2) + '\n')
    print('figures written to %s (%.0fs in all)' % (args.json,
                                                    document['seconds']))
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
