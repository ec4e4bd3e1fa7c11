"""A flood of wrong passwords on one user name, against a real service-all.

The service runs single-process on free loopback ports, SQLite, bcrypt at
a low cost. Attackers (threads of this test, each on its own keep-alive
connection from 127.0.0.1) send wrong passwords for one user as fast as
answers come; the victim logs in from 127.0.0.2. Checked:

* the victim's logins under the flood take at most a small multiple of
  its quiet logins (one login is one hash plus the token: waiting behind
  the flood's queued hashes, first come first served, would take the cap
  of them more);
* the per-name cap answers 429 with a JSON error body and Retry-After.
"""

import http.client
import json
import statistics
import threading
import time

import pytest

from tests.support import databases
from tests.support import identity_service

pytestmark = pytest.mark.timeout(120)

ROUNDS = 9                  # ~40 ms a hash here: fast, yet dominant
CAP = 4
ATTACKERS = 12
VICTIM_SOURCE = '127.0.0.2'


def body(name, password):
    return {'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': name, 'domain': {'id': 'default'},
                 'password': password}}}}}


class Client:
    """A keep-alive connection to the public port."""

    def __init__(self, port, source=None):
        self.conn = http.client.HTTPConnection(
            identity_service.HOST, port, timeout=30,
            source_address=(source, 0) if source else None)

    def login(self, name, password):
        """Return ``(status, lower-case headers, parsed body, seconds)``."""
        start = time.perf_counter()
        self.conn.request('POST', '/v3/auth/tokens?nocatalog',
                          json.dumps(body(name, password)),
                          {'Content-Type': 'application/json'})
        response = self.conn.getresponse()
        raw = response.read()
        took = time.perf_counter() - start
        headers = {k.lower(): v for k, v in response.getheaders()}
        parsed = json.loads(raw) if raw else None
        if response.will_close:
            self.conn.close()
        return response.status, headers, parsed, took

    def close(self):
        self.conn.close()


@pytest.fixture
def service(tmp_path):
    with databases.empty_database('sqlite', tmp_path) as url:
        with identity_service.running_identity_service(
                tmp_path, url, workers=0, extra_sections={'identity': {
                    'password_hash_rounds': ROUNDS,
                    'max_queued_hashes_per_user': CAP,
                    'hash_refusal_delay': 0.2}}) as identity:
            token = identity.password_token()
            for name in ('victim', 'target'):
                status, _h, _b = identity.request(
                    identity.public_port, 'POST', '/v3/users',
                    {'user': {'name': name, 'domain_id': 'default',
                              'password': 'Pw-' + name}},
                    {'X-Auth-Token': token})
                assert status == 201
            yield identity


class Flood:
    """Attacker threads sending wrong passwords for ``target``."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = {}
        self.refusals = []          # (headers, body) of 429 answers
        self.threads = [threading.Thread(target=self._run)
                        for _ in range(ATTACKERS)]

    def _run(self):
        client = Client(self.port)
        try:
            while not self.stop.is_set():
                status, headers, parsed, _took = client.login(
                    'target', 'wrong')
                with self.lock:
                    self.counts[status] = self.counts.get(status, 0) + 1
                    if status == 429 and len(self.refusals) < 5:
                        self.refusals.append((headers, parsed))
        finally:
            client.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def victim_logins(victim, count):
    latencies = []
    for _ in range(count):
        status, _h, _b, took = victim.login('victim', 'Pw-victim')
        assert status == 201
        latencies.append(took)
    return latencies


def test_a_flood_on_one_name_does_not_make_another_wait(service):
    victim = Client(service.public_port, source=VICTIM_SOURCE)
    victim_logins(victim, 2)                        # warm up
    quiet = statistics.median(victim_logins(victim, 7))
    with Flood(service.public_port) as flood:
        # The flood has filled the name's cap once it is refused.
        identity_service.poll(lambda: flood.counts.get(429), 20,
                              'a 429 for the flooded name')
        attacked = victim_logins(victim, 7)
    victim.close()
    # Queued behind the flood (first come, first served) a login would
    # wait for CAP hashes; fairly queued, for the one running at most.
    assert statistics.median(attacked) <= 3 * quiet + 0.05, (
        quiet, attacked, flood.counts)
    assert flood.counts.get(401), flood.counts      # the flood was hashed

    # The refusals: 429, a JSON error body, Retry-After in seconds.
    headers, parsed = flood.refusals[0]
    assert headers['content-type'].startswith('application/json')
    assert parsed['error']['code'] == 429
    assert parsed['error']['title'] == 'Too Many Requests'
    assert int(headers['retry-after']) >= 1
