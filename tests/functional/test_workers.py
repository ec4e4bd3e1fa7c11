"""Worker mode with real processes and signals: supervision, stop, privileges.

The helpers here (a recording paste app, a load generator, status file
readers) are shared with ``test_reload``.
"""

import collections
import os
import pathlib
import random
import shutil
import signal
import socket
import tempfile
import threading
import time

import pytest

from keystone_like.server import errors
from keystone_like.server.control import status as status_file
from tests.support import identity
from tests.support import service

RID_APP = '''\
"""Answers with the request's rid and pid, recording each rid served."""

import logging
import os
import time


def app_factory(global_conf, record, marker_dir, **local_conf):
    if os.path.exists(os.path.join(marker_dir, 'block-factory')):
        time.sleep(3600)        # a generation that never gets ready

    def app(environ, start_response):
        path = environ['PATH_INFO']
        if os.path.exists(os.path.join(marker_dir, 'crash')):
            logging.getLogger('rid_app').error('boom: crash marker present')
            os._exit(3)
        if path == '/slow':
            open(os.path.join(marker_dir, 'slow-started'), 'a').close()
            time.sleep(2)       # green: workers are monkey-patched
        elif path == '/hang':
            from eventlet import patcher
            patcher.original('time').sleep(30)     # blocks the hub
        query = environ.get('QUERY_STRING', '')
        rid = query[4:] if query.startswith('rid=') else ''
        if rid:
            fd = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(fd, ('%s %d\\n' % (rid, os.getpid())).encode())
            os.close(fd)
        body = ('%s %d' % (rid, os.getpid())).encode()
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    return app
'''

RID_PASTE = '''\
[app:main]
paste.app_factory = rid_app:app_factory
record = {record}
marker_dir = {markers}

[app:admin]
paste.app_factory = rid_app:app_factory
record = {record}
marker_dir = {markers}
'''


def workers_sections(admin=2, public=2, **groups):
    """Config sections for worker mode (fast drain, short reload bound)."""
    sections = {'DEFAULT': {'admin_workers': admin, 'public_workers': public},
                'eventlet_server': {'graceful_shutdown_timeout': 10},
                'process': {'reload_timeout': 20}}
    for group, options in groups.items():
        sections.setdefault(group, {}).update(options)
    return sections


class RidService:
    """A service-all in worker mode serving RID_APP on both listeners."""

    def __init__(self, services, tmp_path, **groups):
        modules = tmp_path / 'modules'
        modules.mkdir(exist_ok=True)
        (modules / 'rid_app.py').write_text(RID_APP)
        self.markers = tmp_path / 'markers'
        self.markers.mkdir(exist_ok=True)
        self.record = tmp_path / 'served.txt'
        paste = tmp_path / 'rid-paste.ini'
        paste.write_text(RID_PASTE.format(record=self.record,
                                          markers=self.markers))
        sections = workers_sections(**groups)
        sections.setdefault('paste_deploy', {})['config_file'] = str(paste)
        self.svc = services(env={'PYTHONPATH': service.pythonpath(modules)},
                            sections=sections)

    def marker(self, name):
        """The path of marker file ``name`` the app looks for."""
        return self.markers / name

    def served(self):
        """How many times each rid was served."""
        try:
            lines = self.record.read_text().splitlines()
        except FileNotFoundError:
            return collections.Counter()
        return collections.Counter(line.split()[0] for line in lines)


def status_of(svc):
    """The service's status document (None before it exists)."""
    return status_file.read_status(status_file.status_path(
        str(svc.sections['DEFAULT']['pid_file'])))


def worker_pids(document, listener=None):
    """The worker pids of the status ``document`` (of one listener)."""
    return [w['pid'] for name, item in document['listeners'].items()
            if listener in (None, name) for w in item['workers']]


def all_ready(svc, generation=None, exclude=()):
    """The status document once all workers are ready (and new), else None.

    ``generation``: at least that one (a refused reload uses a number).
    """
    document = status_of(svc)
    if not document or document['state'] != 'ready':
        return None
    if generation is not None and document['generation'] < generation:
        return None
    workers = [w for item in document['listeners'].values()
               for w in item['workers']]
    if not workers or not all(w['ready'] and w['pid'] for w in workers):
        return None
    if set(exclude) & set(w['pid'] for w in workers):
        return None
    return document


def alive(pid):
    """True while process ``pid`` exists (and is not a zombie)."""
    try:
        with open('/proc/%d/status' % pid) as f:
            return 'State:\tZ' not in f.read()
    except OSError:
        return False


def children(pid):
    """The pids whose parent is ``pid``."""
    found = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != 'Z':
                found.append(int(entry))
    return found


def exchange(sock, host, rid):
    """Send GET /v3?rid= on ``sock``; return (body, close, got_any_byte)."""
    sock.sendall(b'GET /v3?rid=%s HTTP/1.1\r\nHost: %s\r\n\r\n'
                 % (rid.encode(), host.encode()))
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ClosedEarly(bool(data))
        data += chunk
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    headers = dict(line.lower().split(': ', 1) for line in lines[1:])
    length = int(headers['content-length'])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ClosedEarly(True)
        body += chunk
    if not lines[0].startswith('HTTP/1.1 200 '):
        raise AssertionError('unexpected answer %r' % lines[0])
    return body.decode(), headers.get('connection') == 'close'


class ClosedEarly(ConnectionError):
    """The server closed the connection; ``args[0]``: after some bytes."""


class Load:
    """Threads sending GET /v3?rid=<unique> to both listeners.

    Half the threads open a fresh connection per request; the others
    keep connections alive, half of those pausing up to 0.2 s between
    requests (so that a drain finds their connections idle). A keep-alive
    request is retried (on a fresh connection) only when its connection
    closed before any response byte, which HTTP allows; any other failure
    is a lost request.
    """

    def __init__(self, host, ports, threads=8):
        self.host = host
        self.ports = ports
        self.threads = [threading.Thread(target=self._run, args=(i,),
                                         daemon=True) for i in range(threads)]
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.succeeded = []
        self.failures = []

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        for thread in self.threads:
            thread.join(30)

    def _run(self, index):
        keep = {}
        number = 0
        while not self.stopped.is_set():
            number += 1
            rid = 't%d-%d' % (index, number)
            port = self.ports[number % len(self.ports)]
            if index % 2:
                self._fresh(rid, port)
                continue
            self._keep_alive(rid, port, keep)
            if index % 4 == 2:
                time.sleep(random.random() / 5)
        for sock in keep.values():
            sock.close()

    def _fresh(self, rid, port, counted=True):
        self._count('sent' if counted else 'retried')
        try:
            with socket.create_connection((self.host, port), 10) as sock:
                body, _close = exchange(sock, self.host, rid)
        except (OSError, AssertionError) as exc:
            return self._lost(rid, 'fresh', exc)
        self._ok(rid, body)

    def _keep_alive(self, rid, port, keep):
        self._count('sent')
        sock = keep.pop(port, None)
        reused = sock is not None
        try:
            if sock is None:
                sock = socket.create_connection((self.host, port), 10)
            body, close = exchange(sock, self.host, rid)
        except ClosedEarly as exc:
            sock.close()
            if reused and not exc.args[0]:
                self._count('keepalive_closed_retried')
                return self._fresh(rid, port, counted=False)
            return self._lost(rid, 'keep-alive', exc)
        except (OSError, AssertionError) as exc:
            if sock is not None:
                sock.close()
            if reused and isinstance(exc, (BrokenPipeError,
                                           ConnectionResetError)):
                self._count('keepalive_closed_retried')
                return self._fresh(rid, port, counted=False)
            return self._lost(rid, 'keep-alive', exc)
        if reused:
            self._count('keepalive_reused')
        if close:
            self._count('connection_close_received')
            sock.close()
        else:
            keep[port] = sock
        self._ok(rid, body)

    def _count(self, what):
        with self.lock:
            self.counts[what] += 1

    def _ok(self, rid, body):
        with self.lock:
            if body.split()[0] == rid:
                self.counts['succeeded'] += 1
                self.succeeded.append(rid)
            else:
                self.counts['lost'] += 1
                self.failures.append((rid, 'wrong body %r' % body))

    def _lost(self, rid, kind, exc):
        with self.lock:
            self.counts['lost'] += 1
            self.failures.append((rid, '%s: %r' % (kind, exc)))

    def wait_for(self, requests, timeout=10):
        """Return once ``requests`` more requests have succeeded."""
        target = self.counts['succeeded'] + requests
        service.wait_for(lambda: self.counts['succeeded'] >= target, timeout,
                         '%d more requests' % requests)


def report(name, **values):
    """Print one measurement line (run pytest with -s to see them)."""
    print('MEASURE %s: %s' % (name, ', '.join(
        '%s=%s' % item for item in values.items())))


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def test_killed_workers_are_respawned_and_requests_keep_succeeding(
        services, tmp_path):
    rid = RidService(services, tmp_path)
    svc = rid.svc.start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'workers')
    respawn_times = []
    with Load(svc.host, svc.ports) as load:
        load.wait_for(500)
        # Three different workers: a second quick death of the same one
        # would wait out the backoff (1 s).
        for victim_listener, index in (('public', 0), ('admin', 0),
                                       ('public', 1)):
            before = worker_pids(document)
            victim = worker_pids(document, victim_listener)[index]
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            document = service.wait_for(
                lambda: all_ready(svc, exclude=[victim]), 10,
                'a new %s worker' % victim_listener)
            respawn_times.append(time.monotonic() - killed_at)
            assert len(set(worker_pids(document)) - set(before)) == 1
            load.wait_for(500)
    counts = load.counts
    report('worker kills', kills=3, sent=counts['sent'],
           succeeded=counts['succeeded'], lost=counts['lost'],
           keepalive_closed_retried=counts['keepalive_closed_retried'],
           respawn_seconds='/'.join('%.3f' % t for t in respawn_times))
    # A SIGKILL cuts what the victim was serving at that instant.
    assert counts['lost'] <= 3 * len(load.threads), load.failures
    restarts = [w['restarts'] for item in document['listeners'].values()
                for w in item['workers']]
    assert sorted(restarts) == [0, 1, 1, 1]
    assert 'killed by SIGKILL' in document['last_restart_reason']
    assert svc.stop() == errors.EXIT_OK


def test_sigterm_lets_the_slow_request_finish_with_connection_close(
        services, tmp_path):
    rid = RidService(services, tmp_path, public=1, admin=1)
    svc = rid.svc.start()
    result = {}

    def call():
        result['response'] = service.http_request(
            svc.host, svc.public_port, '/slow', timeout=15)
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    service.wait_for(rid.marker('slow-started').exists, 10, 'the request')
    svc.send_signal(signal.SIGTERM)
    # Every copy of the listening sockets is closed: new clients are
    # refused at once while the request finishes.
    service.wait_for(lambda: service.port_is_free(svc.host, svc.admin_port),
                     5, 'the admin port to close')
    thread.join(10)
    status, headers, body = result['response']
    assert status == 200 and body.startswith(b' ')
    assert headers.get('Connection') == 'close'
    assert svc.wait_exit() == errors.EXIT_OK
    assert 'Shutting down (SIGTERM)' in svc.log
    assert 'Finished server process [%d]' % svc.pid in svc.log
    assert not os.path.exists(svc.sections['DEFAULT']['pid_file'])


def test_sigint_closes_everything_at_once(services, tmp_path):
    rid = RidService(services, tmp_path, public=1, admin=1,
                     eventlet_server={'graceful_shutdown_timeout': 30})
    svc = rid.svc.start()
    errors_seen = []

    def call():
        try:
            service.http_request(svc.host, svc.public_port, '/slow',
                                 timeout=15)
        except OSError as exc:
            errors_seen.append(exc)
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    service.wait_for(rid.marker('slow-started').exists, 10, 'the request')
    started = time.monotonic()
    svc.send_signal(signal.SIGINT)
    assert svc.wait_exit(timeout=5) == errors.EXIT_INTERRUPTED
    assert time.monotonic() - started < 1.5     # the /slow takes 2 s
    thread.join(5)
    assert errors_seen


def test_sigkill_of_the_master_stops_the_workers_and_frees_the_ports(
        services, tmp_path):
    svc = RidService(services, tmp_path).svc.start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'workers')
    leader = children(svc.pid)
    svc.process.kill()
    svc.wait_exit()
    pids = worker_pids(document) + leader
    service.wait_for(lambda: not any(alive(pid) for pid in pids), 10,
                     'the leader and workers to exit')
    for port in svc.ports:
        service.wait_for(lambda: service.port_is_free(svc.host, port), 5,
                         'port %d to be free' % port)


def test_a_second_instance_on_the_same_ports_is_refused(services):
    first = services(sections=workers_sections(1, 1)).start()
    second = services(sections=workers_sections(1, 1))
    second.admin_port, second.public_port = first.ports
    second.sections['DEFAULT'].update(admin_port=first.admin_port,
                                      public_port=first.public_port)
    assert second.run_to_exit() == errors.EXIT_OSERR
    assert 'That port is already in use' in second.log
    assert first.get('public', '/v3')[0] == 200
    assert first.stop() == errors.EXIT_OK


@pytest.fixture
def nobody_state_dir():
    """A copy of the prepared state dir that only ``nobody`` owns."""
    if os.geteuid() != 0:
        pytest.skip('dropping privileges needs root')
    top = pathlib.Path(tempfile.mkdtemp(prefix='ks-nobody-'))
    state = top / 'state'
    shutil.copytree(identity.shared_state_dir(), state)
    for path in [top, state] + list(state.rglob('*')):
        os.chown(path, 65534, 65534)
    yield state
    shutil.rmtree(top)


def test_workers_drop_privileges_to_nobody(services, nobody_state_dir):
    svc = services(sections=workers_sections(
        DEFAULT={'user': 'nobody', 'state_dir': nobody_state_dir})).start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'workers')
    for pid in worker_pids(document) + children(svc.pid):
        assert _uids(pid) == ['65534'] * 4, pid
    assert _uids(svc.pid) == ['0'] * 4              # the master stays root
    assert svc.get('public', '/v3')[0] == 200
    assert svc.get('admin', '/v3')[0] == 200
    assert 'as user nobody (uid 65534' in svc.log
    assert svc.stop() == errors.EXIT_OK


def test_an_unreadable_state_dir_after_dropping_is_one_clear_line(
        services, tmp_path):
    if os.geteuid() != 0:
        pytest.skip('dropping privileges needs root')
    svc = services(sections=workers_sections(DEFAULT={'user': 'nobody'}))
    assert svc.run_to_exit() == errors.EXIT_NOINPUT
    assert 'user nobody (uid 65534, gid 65534) cannot' in svc.log
    assert svc.stderr_lines()[-1].startswith('service-all: ')


def _uids(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('Uid:'):
                return line.split()[1:]
    return None


def test_a_hung_worker_is_logged_and_replaced(services, tmp_path):
    rid = RidService(services, tmp_path, public=1, admin=1,
                     process={'worker_heartbeat_timeout': 2})
    svc = rid.svc.start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'workers')
    hung = worker_pids(document, 'public')[0]
    thread = threading.Thread(target=_ignore_errors, daemon=True, args=(
        service.http_request, svc.host, svc.public_port, '/hang'))
    thread.start()
    service.wait_for(lambda: all_ready(svc, exclude=[hung]), 10,
                     'the hung worker to be replaced')
    assert 'public worker %d is hung' % hung in svc.log
    assert 'Worker process [%d] is hung; stacks' % hung in svc.log
    assert "patcher.original('time').sleep(30)" in svc.log
    assert 'worker %d (public) hung, killed' % hung in svc.log
    assert svc.get('public', '/v3')[0] == 200


def _ignore_errors(function, *args):
    try:
        function(*args)
    except OSError:
        pass


@pytest.mark.parametrize('policy', ['retry', 'exit'])
def test_a_crash_loop_is_reported_with_the_last_error(
        services, tmp_path, policy):
    rid = RidService(services, tmp_path, public=1, admin=1, process={
        'crash_loop_threshold': 2, 'crash_loop_window': 1,
        'crash_loop_policy': policy})
    svc = rid.svc.start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'ready')
    processes = worker_pids(document) + children(svc.pid)
    rid.marker('crash').touch()
    _ignore_errors(service.http_request, svc.host, svc.public_port, '/')
    svc.wait_log('Crash loop')
    line = [x for x in svc.stderr_lines() if 'Crash loop' in x][0]
    assert "the public listener's worker died 2 times" in line
    assert 'exited with status 3' in line
    assert 'last error: boom: crash marker present' in line
    if policy == 'exit':
        assert 'stopping the service (crash_loop_policy = exit)' in line
        assert svc.wait_exit() == errors.EXIT_FAILURE
        # Nothing is left behind: no process, no listening port.
        service.wait_for(lambda: not any(alive(p) for p in processes), 5,
                         'every process to exit')
        assert all(service.port_is_free(svc.host, p) for p in svc.ports)
        assert 'Stopping the service: crash loop' in svc.log
        return
    assert 'respawning with backoff (crash_loop_policy = retry)' in line
    document = service.wait_for(
        lambda: (status_of(svc) or {}).get('state') == 'degraded'
        and status_of(svc), 5, 'the degraded state')
    assert 'exited with status 3' in document['last_restart_reason']
    rid.marker('crash').unlink()
    document = service.wait_for(lambda: all_ready(svc), 10,
                                'the workers to recover')
    public = document['listeners']['public']['workers'][0]
    assert public['restarts'] >= 2
    assert service.http_request(svc.host, svc.public_port, '/')[0] == 200
    assert svc.stop() == errors.EXIT_OK


@pytest.mark.parametrize('signum,code', [
    (signal.SIGINT, errors.EXIT_INTERRUPTED),     # Ctrl-C in a terminal
    (signal.SIGTERM, errors.EXIT_OK),             # systemd's control-group
], ids=['SIGINT', 'SIGTERM'])
def test_a_signal_to_the_whole_process_group(services, tmp_path, signum,
                                             code):
    svc = RidService(services, tmp_path).svc
    svc.popen_kwargs['start_new_session'] = True
    svc.start()
    document = service.wait_for(lambda: all_ready(svc), 10, 'workers')
    pids = worker_pids(document) + children(svc.pid)
    os.killpg(svc.pid, signum)
    assert svc.wait_exit(timeout=5) == code
    service.wait_for(lambda: not any(alive(pid) for pid in pids), 5,
                     'every process to exit')
    assert 'Traceback' not in svc.log
    assert all(service.port_is_free(svc.host, port) for port in svc.ports)
