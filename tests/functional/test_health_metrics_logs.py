"""Operating it: /healthcheck, /metrics and JSON logs on real servers.

``service-all`` children on free loopback ports (the session's prepared
state dir: SQLite database and keys). Every wait polls a condition with
a bound; nothing sleeps for a fixed time.
"""

import http.client
import json
import os
import re
import signal
import socket
import time

import pytest

from tests.support import service

WAIT = 15.0
SLOW_APP = '''\
"""A paste app whose /slow holds the process in its drain for 3 s."""

import time


def app_factory(global_conf, **local_conf):
    def app(environ, start_response):
        if environ['PATH_INFO'] == '/slow':
            time.sleep(3)       # green: the worker is monkey-patched
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', '2')])
        return [b'ok']
    return app
'''
SLOW_INI = '''\
[composite:main]
paste.composite_factory = keystone_like.middleware.urlmap:urlmap_factory
/ = slow
/healthcheck = health

[composite:admin]
paste.composite_factory = keystone_like.middleware.urlmap:urlmap_factory
/ = slow
/healthcheck = health

[app:slow]
paste.app_factory = slow_app:app_factory

[app:health]
paste.app_factory = keystone_like.middleware.healthcheck:public_app_factory
backends = keystone_like_draining, disable_by_file
'''


@pytest.fixture
def services(tmp_path):
    """Service processes stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def request(port, path, method='GET', body=None, headers=None,
            connection=None):
    """One request; return ``(status, headers dict, body bytes)``."""
    conn = connection or http.client.HTTPConnection('127.0.0.1', port,
                                                    timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return (response.status, dict(response.getheaders()),
                response.read())
    finally:
        if connection is None:
            conn.close()


def poll(condition, what, timeout=WAIT):
    """Return ``condition()`` once truthy; fail after ``timeout``."""
    return service.wait_for(condition, timeout, what)


def samples(text, name):
    """``{labels text: value}`` of the samples of ``name`` in ``text``."""
    found = {}
    for line in text.splitlines():
        match = re.match(r'^%s(\{[^}]*\})? (\S+)$' % re.escape(name), line)
        if match:
            found[match.group(1) or ''] = float(match.group(2))
    return found


def scrape(node):
    """The admin listener's /metrics text."""
    status, _headers, body = request(node.admin_port, '/metrics')
    assert status == 200, body
    return body.decode()


def v3_count(text):
    return sum(value for labels, value in samples(
        text, 'keystone_like_http_requests_total').items()
        if 'listener="public"' in labels and 'route="/v3"' in labels
        and 'status="200"' in labels)


# -- health --------------------------------------------------------------

def test_healthcheck_ok_detailed_on_admin_only_and_disable_file(services,
                                                                tmp_path):
    disable = tmp_path / 'out-of-rotation'
    node = services(sections={'healthcheck': {
        'disable_by_file_path': disable}}).start()
    for port in node.ports:
        status, headers, body = request(port, '/healthcheck')
        assert (status, body) == (200, b'OK\nOK\nOK')    # one per backend
        assert headers['X-Openstack-Request-Id'].startswith('req-')
    json_accept = {'Accept': 'application/json'}
    _s, _h, body = request(node.admin_port, '/healthcheck',
                           headers=json_accept)
    admin = json.loads(body)
    assert admin['detailed'] is True and 'greenthreads' in admin
    _s, _h, body = request(node.public_port, '/healthcheck',
                           headers=json_accept)
    assert json.loads(body) == {'detailed': False,
                                'reasons': ['OK', 'OK', 'OK']}
    disable.write_text('')
    for port in node.ports:
        status, _headers, body = request(port, '/healthcheck')
        assert status == 503 and b'DISABLED BY FILE' in body
    disable.unlink()
    assert request(node.public_port, '/healthcheck')[0] == 200


def test_healthcheck_503_when_the_database_is_unreachable(services):
    closed = service.free_port()
    node = services(sections={'database': {
        'connection': 'postgresql+psycopg2://nobody@127.0.0.1:%d/gone'
        % closed}}).start()
    started = time.monotonic()
    status, _headers, body = request(node.public_port, '/healthcheck')
    assert status == 503 and b'DATABASE UNREACHABLE' in body
    _s, _h, body = request(node.admin_port, '/healthcheck',
                           headers={'Accept': 'application/json'})
    reasons = json.loads(body)['reasons']
    assert any(r['reason'] == 'DATABASE UNREACHABLE'
               and 'OperationalError' in r['details'] for r in reasons)
    assert time.monotonic() - started < 5


def test_healthcheck_503_while_draining(services, tmp_path):
    (tmp_path / 'slow_app.py').write_text(SLOW_APP)
    (tmp_path / 'slow.ini').write_text(SLOW_INI)
    node = services(
        sections={'paste_deploy': {'config_file': tmp_path / 'slow.ini'}},
        env={'PYTHONPATH': service.pythonpath(tmp_path)}).start()
    assert request(node.public_port, '/healthcheck')[0] == 200
    busy = socket.create_connection(('127.0.0.1', node.public_port))
    busy.sendall(b'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
    probe = http.client.HTTPConnection('127.0.0.1', node.public_port,
                                       timeout=10)
    probe.connect()     # fresh: the drain spares it for a second
    node.send_signal(signal.SIGTERM)
    node.wait_log('Shutting down')
    status, headers, body = request(node.public_port, '/healthcheck',
                                    connection=probe)
    assert status == 503 and b'DRAINING' in body
    assert headers.get('Connection') == 'close'
    assert b'200 OK' in busy.recv(4096)
    busy.close()
    assert node.wait_exit() == 0


# -- metrics ------------------------------------------------------------

def file_pids(names):
    """The pids named by metric files (archives have none)."""
    return {int(n[:-3].rpartition('_')[2]) for n in names
            if n[:-3].rpartition('_')[2].isdigit()}


def test_metrics_summed_over_workers_and_reloads(services, tmp_path):
    node = services(sections={'DEFAULT': {'admin_workers': 1,
                                          'public_workers': 2}})
    node.start()
    assert request(node.public_port, '/metrics')[0] == 404
    for _ in range(20):     # new connections: both public workers serve
        assert request(node.public_port, '/v3')[0] == 200
    text = poll(lambda: (lambda t: v3_count(t) == 20 and t)(scrape(node)),
                '20 GET /v3 counted')
    assert samples(text, 'keystone_like_worker_starts_total') == {
        '{listener="admin"}': 1.0, '{listener="public"}': 2.0}
    assert samples(text, 'keystone_like_generation') == {'': 1.0}
    assert '# TYPE keystone_like_http_request_duration_seconds histogram' \
        in text
    assert 'keystone_like_http_connections_open{listener="public"}' in text
    counts = []
    for number in (2, 3):
        node.send_signal(signal.SIGHUP)
        poll(lambda: node.log.count('Reload complete in') == number - 1,
             'reload %d' % (number - 1))
        poll(lambda: re.search(r'Generation %d: leader process \[\d+\] '
                               r'exited' % (number - 1), node.log),
             'generation %d gone' % (number - 1))
        for _ in range(5):
            request(node.public_port, '/v3')
        text = poll(lambda: (lambda t: v3_count(t) == 20 + 5 * (number - 1)
                             and t)(scrape(node)), 'counts kept')
        assert samples(text, 'keystone_like_generation') == {
            '': float(number)}
        assert samples(text, 'keystone_like_reloads_total') == {
            '{outcome="ok"}': float(number - 1)}
        names = poll(lambda: (lambda n: file_pids(n) <= _live(node) and n)(
            _metric_files(node)), 'only live processes have files')
        counts.append(len(names))
    # Old generations' files are folded into the archives: no growth.
    assert counts[0] == counts[1]
    assert 'counter_archive.db' in names


def _metric_files(node):
    state = node.sections['DEFAULT']['state_dir']
    directory = os.path.join(str(state), 'metrics', str(node.pid))
    return sorted(n for n in os.listdir(directory) if n.endswith('.db'))


def _live(node):
    pids = {node.pid}
    for parent in (node.pid, None):
        for pid in list(pids) if parent is None else [parent]:
            pids.update(_children(pid))
    return pids


def _children(pid):
    """The pids of the children of ``pid`` (Linux /proc)."""
    found = set()
    for task in os.listdir('/proc/%d/task' % pid):
        path = '/proc/%d/task/%s/children' % (pid, task)
        try:
            with open(path) as children:
                found.update(int(p) for p in children.read().split())
        except FileNotFoundError:
            pass
    return found


# -- logs ---------------------------------------------------------------

def test_json_logs_carry_request_ids_and_no_secrets(services):
    node = services(sections={'DEFAULT': {'log_format': 'json'},
                              'metrics': {'enabled': False}}).start()
    password = 'Sup3r-Secret-%d' % os.getpid()
    token = 'gAAAAAB-not-a-real-token-%d' % os.getpid()
    body = json.dumps({'auth': {'identity': {'methods': ['password'],
                       'password': {'user': {
                           'name': 'nobody-here', 'password': password,
                           'domain': {'id': 'default'}}}}}})
    status, headers, _body = request(
        node.public_port, '/v3/auth/tokens?password=%s' % password,
        method='POST', body=body,
        headers={'Content-Type': 'application/json', 'X-Auth-Token': token})
    assert status == 401
    request_id = headers['X-Openstack-Request-Id']
    assert request(node.admin_port, '/metrics')[0] == 404

    def lines_of_request():
        records = [json.loads(line) for line in node.log.splitlines()
                   if line.strip()]
        mine = [r for r in records if r.get('request_id') == request_id]
        return len(mine) >= 2 and (records, mine)
    records, mine = poll(lines_of_request, 'the request\'s log records')
    access = [r for r in mine if r['logger'] == 'keystone_like.access']
    assert access and access[0]['status'] == 401
    assert access[0]['path'] == '/v3/auth/tokens'
    assert access[0]['method'] == 'POST'
    assert any(r['logger'] != 'keystone_like.access' for r in mine)
    assert all({'time', 'level', 'logger', 'pid', 'message'} <= set(r)
               for r in records)
    assert password not in node.log and token not in node.log
    assert not os.path.exists(os.path.join(
        str(node.sections['DEFAULT']['state_dir']), 'metrics',
        str(node.pid)))
