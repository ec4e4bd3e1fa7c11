"""service-all with its database hung: bounded 503s, other routes unslowed.

The database is the test PostgreSQL server behind a proxy that can be
frozen (every byte stops, connections stay open: what stopped server
processes look like), so the shared server itself is never stopped.
"""

import concurrent.futures
import http.client
import json
import statistics
import threading
import time

import pytest
import sqlalchemy as sa

from tests.support import databases
from tests.support import frozen_proxy
from tests.support import service

pytestmark = pytest.mark.timeout(120)

# Every wait on the database is bounded by these (seconds).
TIMEOUTS = {'connect_timeout': 1, 'statement_timeout': 1, 'pool_timeout': 1}
# pool_timeout + the longer of connect and statement (+ its margin), plus
# slack for a loaded machine.
BOUND = 1 + 1.5 + 1.5
DB_CLIENTS = 8
SAMPLES = 300
LOGIN = json.dumps({'auth': {'identity': {
    'methods': ['password'], 'password': {'user': {
        'name': 'nobody', 'domain': {'id': 'default'},
        'password': 'wrong'}}}}})


@pytest.fixture
def proxied_database(tmp_path):
    """A migrated PostgreSQL database reached through a FrozenProxy."""
    with databases.migrated_postgres(tmp_path) as url:
        real = sa.engine.make_url(url)
        with frozen_proxy.FrozenProxy((real.host, real.port or 5432)) as proxy:
            yield real.set(port=proxy.port).render_as_string(
                hide_password=False), proxy


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def login(svc):
    """POST a password login (needs the database); (status, seconds)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(svc.host, svc.public_port, timeout=30)
    try:
        conn.request('POST', '/v3/auth/tokens', body=LOGIN,
                     headers={'Content-Type': 'application/json'})
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, time.monotonic() - started


def discovery_p99(svc, samples=SAMPLES):
    """The p99 latency (seconds) of GET / on one keep-alive connection."""
    conn = http.client.HTTPConnection(svc.host, svc.public_port, timeout=10)
    took = []
    try:
        for _ in range(samples):
            started = time.monotonic()
            conn.request('GET', '/')
            response = conn.getresponse()
            response.read()
            took.append(time.monotonic() - started)
            assert response.status == 300
    finally:
        conn.close()
    return statistics.quantiles(took, n=100)[98]


@pytest.mark.parametrize('workers', [0, 1], ids=['single', 'workers'])
def test_hung_database_gives_bounded_503_and_spares_other_routes(
        services, proxied_database, workers):
    url, proxy = proxied_database
    svc = services(sections={
        'DEFAULT': {'admin_workers': workers, 'public_workers': workers},
        'database': dict(TIMEOUTS, connection=url)}).start()
    assert login(svc)[0] == 401
    discovery_p99(svc, 50)      # warm up
    quiet = discovery_p99(svc)
    proxy.freeze()
    stop = threading.Event()
    results = []

    def keep_logging_in():
        while not stop.is_set():
            results.append(login(svc))
    with concurrent.futures.ThreadPoolExecutor(DB_CLIENTS) as pool:
        for _ in range(DB_CLIENTS):
            pool.submit(keep_logging_in)
        time.sleep(0.2)         # let the logins reach the database
        hung = discovery_p99(svc)
        service.wait_for(lambda: len(results) >= DB_CLIENTS, 2 * BOUND,
                         'the first answers to the logins')
        stop.set()
    proxy.thaw()
    print('GET / p99: quiet %.1f ms, database hung %.1f ms; %d logins'
          % (quiet * 1000, hung * 1000, len(results)))
    # 503 from the database's bounds; logins past the per-name cap on
    # queued verifications are refused earlier with 429 (also bounded).
    statuses = {status for status, _ in results}
    assert results and 503 in statuses and statuses <= {503, 429}, results
    assert max(took for _, took in results) < BOUND, results
    # No slower while the database hangs (2x, and a few ms of noise on a
    # loaded 2-core machine).
    assert hung <= 2 * quiet + 0.005, (quiet, hung)
    service.wait_for(lambda: login(svc)[0] == 401, 10, 'the database back')
    assert svc.stop() == 0
