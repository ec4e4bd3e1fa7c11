#!/usr/bin/env python3
"""Token validation and issue: keystone_like against Keystone, with wrk.

Side by side in one run on this machine, each server alone while it is
loaded (see benchmarks/README.md, "Token validation and issue"):

* ``keystone_like``: ``service-all``, one process (workers 0);
* ``keystone_like workers``: ``service-all`` with ``public_workers`` =
  ``--workers`` (default: the CPUs);
* ``keystone``: Keystone (``--keystone-version``, default 30.0.0, from
  PyPI in a cached venv) under uWSGI, one process, one thread, cache off;
* ``keystone cache``: the same with ``[cache] enabled = true, backend =
  dogpile.cache.memory``.

Per server and concurrency (wrk, ``wrk_request.lua``): ``GET /v3``
(baseline), token validation (``GET /v3/auth/tokens``, X-Auth-Token =
X-Subject-Token = a project-scoped token, with catalog), the same with
``?nocatalog``, token issue with the ``token`` method (re-scoping, no
hashing) and with a password. Then, on keystone_like, validation req/s as
the database grows (users, revocation events). Prints tables on stdout,
progress on stderr, all of it as JSON in
``benchmarks/results/bench_tokens-<timestamp>.json``.

Standard library only; what needs SQLAlchemy or bcrypt runs in
``token_state.py`` under the servers' environment. Only 127.0.0.1; every
child runs in its own session and is stopped by pid (SIGTERM, SIGKILL
after 10 s).
"""

import argparse
import datetime
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import _common
from _common import (BenchError, NOISE_CPU, Processes, REPO, RESULTS_DIR,
                     START_TIMEOUT, WRK_SCRIPT, choose_wrk_cpus, fmt_ratio,
                     free_port, git_state, log, machine_busy,
                     machine_description, raise_interrupt, ratio, run_wrk,
                     snapshot_env, venv_paths, wait_for_get, wait_idle,
                     wrk_command, wrk_measure)

_common.LOG_PREFIX[0] = 'bench_tokens'
HERE = pathlib.Path(__file__).resolve().parent
TOKEN_STATE = HERE / 'token_state.py'
WRK_REQUEST = HERE / 'wrk_request.lua'
CACHE_DIR = pathlib.Path(os.environ.get('XDG_CACHE_HOME')
                         or pathlib.Path.home() / '.cache') / \
    'keystone_like-bench'
READY_LINE = 'Application startup complete'
PASSWORD = 'bench-' + os.urandom(8).hex()
PROJECT = 'admin'
# The login users' project: their role assignments stay off the admin
# project, whose validations would otherwise read them (Keystone
# without its cache reads every assignment of the project).
LOGIN_PROJECT = 'bench-login'

KL = 'keystone_like'
KL_WORKERS = 'keystone_like workers'
KS = 'keystone'
KS_CACHE = 'keystone cache'
SERVERS = (KL, KL_WORKERS, KS, KS_CACHE)
SHORT_NAMES = {'kl': KL, 'kl-workers': KL_WORKERS, 'ks': KS,
               'ks-cache': KS_CACHE}

GET_V3 = 'GET /v3'
VALIDATE = 'validate'
NOCATALOG = 'validate nocatalog'
ISSUE_TOKEN = 'issue token'
ISSUE_PASSWORD = 'issue password'
SCENARIOS = (GET_V3, VALIDATE, NOCATALOG, ISSUE_TOKEN, ISSUE_PASSWORD)
SHORT_SCENARIOS = {'v3': GET_V3, 'validate': VALIDATE,
                   'nocatalog': NOCATALOG, 'token': ISSUE_TOKEN,
                   'password': ISSUE_PASSWORD}
# Issue 9's targets for one keystone_like process at c50: minimum ratio
# to the same process's GET /v3 req/s, and maximum p99 (ms).
TARGETS = {VALIDATE: (0.4, 20.0), NOCATALOG: (0.5, 20.0),
           ISSUE_TOKEN: (0.25, None)}
TARGET_CONNECTIONS = 50


# ------------------------------------------------------------------ requests

def password_body(user='admin', project=PROJECT):
    """Password, project-scoped: what keystoneauth sends to log in."""
    return json.dumps({'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': PASSWORD}}},
        'scope': {'project': {'name': project,
                              'domain': {'id': 'default'}}}}})


def login_user_names(count):
    """The users the password-issue load logs in as, one after another.

    A login flood on one name is what both services throttle (keystone_like
    answers 429 past ``max_queued_hashes_per_user``), so the load spreads
    over twice as many users as connections: the cell measures hashing
    throughput, not the per-user cap.
    """
    return ['bench-login-%03d' % i for i in range(count)]


def token_body(token, project_id):
    """Token method, re-scoped to the same project: no password hashing."""
    return json.dumps({'auth': {
        'identity': {'methods': ['token'], 'token': {'id': token}},
        'scope': {'project': {'id': project_id}}}})


def scenario_request(name, token, project_id):
    """(method, path, headers, body, expected status) of a scenario."""
    auth = {'X-Auth-Token': token, 'X-Subject-Token': token}
    json_type = {'Content-Type': 'application/json'}
    return {
        GET_V3: ('GET', '/v3', {}, '', 200),
        VALIDATE: ('GET', '/v3/auth/tokens', auth, '', 200),
        NOCATALOG: ('GET', '/v3/auth/tokens?nocatalog', auth, '', 200),
        ISSUE_TOKEN: ('POST', '/v3/auth/tokens', json_type,
                      token_body(token, project_id), 201),
        ISSUE_PASSWORD: ('POST', '/v3/auth/tokens', json_type,
                         password_body(), 201),
    }[name]


def create_login_users(server, token, names):
    """Users with the bench password and role member on LOGIN_PROJECT.

    Made through the API as an operator would, once per database (both
    keystone_like servers share one, both Keystone servers another).
    """
    auth = {'X-Auth-Token': token, 'Content-Type': 'application/json'}
    status, _, document = request(
        server.port, 'POST', '/v3/projects', auth, json.dumps({'project': {
            'name': LOGIN_PROJECT, 'domain_id': 'default'}}))
    if status != 201:
        raise BenchError('%s: creating project %s answered %d: %s' % (
            server.name, LOGIN_PROJECT, status, document))
    project_id = document['project']['id']
    status, _, document = request(server.port, 'GET', '/v3/roles?name=member',
                                  auth)
    roles = (document or {}).get('roles') or []
    if status != 200 or not roles:
        raise BenchError('%s: no role "member" (%d): %s' % (
            server.name, status, document))
    role_id = roles[0]['id']
    for name in names:
        status, _, document = request(
            server.port, 'POST', '/v3/users', auth, json.dumps({'user': {
                'name': name, 'domain_id': 'default',
                'password': PASSWORD}}))
        if status != 201:
            raise BenchError('%s: creating user %s answered %d: %s' % (
                server.name, name, status, document))
        status, _, document = request(
            server.port, 'PUT', '/v3/projects/%s/users/%s/roles/%s' % (
                project_id, document['user']['id'], role_id), auth)
        if status != 204:
            raise BenchError('%s: granting member to %s answered %d: %s' % (
                server.name, name, status, document))


def request(port, method, path, headers=None, body=None, timeout=60):
    """One request; return (status, headers, decoded JSON body or None)."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        try:
            document = json.loads(data) if data else None
        except ValueError:
            document = None
        return response.status, response.headers, document
    except (OSError, http.client.HTTPException) as exc:
        raise BenchError('%s %s on port %d failed: %s' % (
            method, path, port, exc)) from None
    finally:
        conn.close()


def login(server):
    """A project-scoped token with catalog; return (token, project id)."""
    status, headers, document = request(
        server.port, 'POST', '/v3/auth/tokens',
        {'Content-Type': 'application/json'}, password_body())
    if status != 201:
        raise BenchError('%s: password login answered %d: %s\n%s' % (
            server.name, status, document, server.log_tail()))
    token = document['token']
    return headers['X-Subject-Token'], token['project']['id'], len(
        token.get('catalog', ()))


# ------------------------------------------------------------------- servers

class Servers:
    """The state the servers use, prepared once, and how to start them."""

    def __init__(self, args, procs, workdir):
        self.args = args
        self.procs = procs
        self.workdir = workdir
        self.python, self.service_all, self.service_manage = venv_paths(
            args.venv)
        self.child_env = {k: v for k, v in os.environ.items()
                          if not k.startswith('OS_')}
        self.source = None
        if args.source:
            self.source, _, env = snapshot_env(args.source, workdir)
            self.child_env['PYTHONPATH'] = env['PYTHONPATH']
        self.state_dir = workdir / 'state'
        self.db_url = None
        self.setup_log = []
        # Databases ('kl', 'ks') that already hold the login users.
        self.login_users_made = set()

    # ---------------------------------------------------------- helpers

    def token_state(self, *argv, timeout=600):
        """Run a token_state.py subcommand; return its JSON answer."""
        command = [self.python, str(TOKEN_STATE)] + [str(a) for a in argv]
        result = subprocess.run(command, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=timeout,
                                env=self.child_env)
        if result.returncode != 0:
            raise BenchError('token_state.py %s failed (exit %d):\n%s' % (
                argv[0], result.returncode, result.stderr[-3000:]))
        return json.loads(result.stdout.strip().splitlines()[-1])

    def run_setup(self, argv, env, cwd):
        result = subprocess.run(argv, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=600,
                                env=env, cwd=str(cwd))
        if result.returncode != 0:
            raise BenchError('set-up step failed (exit %d): %s\n%s%s' % (
                result.returncode, ' '.join(argv), result.stdout[-2000:],
                result.stderr[-3000:]))
        # The throw-away admin password stays out of the log and JSON.
        shown = ['***' if a == PASSWORD else a for a in argv]
        self.setup_log.append(shown)
        log('set-up: %s %s' % (os.path.basename(shown[0]),
                               ' '.join(shown[1:])))

    # ----------------------------------------------------- keystone_like

    def kl_config(self, workers, public_port, admin_port):
        lines = ['[DEFAULT]',
                 'admin_bind_host = 127.0.0.1',
                 'public_bind_host = 127.0.0.1',
                 'admin_port = %d' % admin_port,
                 'public_port = %d' % public_port,
                 'access_log = false',
                 'admin_workers = %d' % (1 if workers else 0),
                 'public_workers = %d' % workers,
                 'state_dir = %s' % self.state_dir,
                 '',
                 '[identity]',
                 'password_hash_rounds = %d' % self.args.rounds,
                 # All of wrk's connections come from one address; a
                 # deployment behind a proxy raises this cap the same way.
                 'max_queued_hashes_per_address = 1000',
                 '']
        if self.db_url:
            lines += ['[database]', 'connection = %s' % self.db_url, '']
        return '\n'.join(lines)

    def prepare_keystone_like(self):
        """Database (SQLite or a new PostgreSQL one), keys, bootstrap."""
        if self.args.database == 'postgresql':
            name = 'bench_tokens_%d_%s' % (os.getpid(), os.urandom(3).hex())
            self.db_url = ('postgresql+psycopg2://postgres@127.0.0.1:5432/%s'
                           % name)
            self.token_state('createdb', self.db_url)
            log('created PostgreSQL database %s' % name)
        self.setup_config = self.workdir / 'keystone_like-setup.conf'
        port = free_port()
        self.setup_config.write_text(self.kl_config(0, port, free_port()))
        env = dict(self.child_env, OS_BOOTSTRAP_PASSWORD=PASSWORD)
        # The catalog's URLs are not called; any port will do.
        self.run_setup([self.service_manage, '--config-file',
                        str(self.setup_config), 'setup',
                        '--bootstrap-public-url',
                        'http://127.0.0.1:%d/v3' % port],
                       env, self.workdir)

    def drop_database(self):
        if self.db_url:
            try:
                self.token_state('dropdb', self.db_url, timeout=60)
                log('dropped the PostgreSQL database')
            except (BenchError, subprocess.SubprocessError) as exc:
                log('warning: could not drop %s: %s' % (self.db_url, exc))

    def keystone_like(self, name, workers):
        return KeystoneLikeServer(self, name, workers)

    # ----------------------------------------------------------- Keystone

    def keystone_venv(self):
        """The cached Keystone + uWSGI venv; created on first use."""
        venv = pathlib.Path(self.args.keystone_venv or (
            CACHE_DIR / ('keystone-%s' % self.args.keystone_version)))
        bindir = venv / 'bin'
        marker = venv / '.bench-complete'
        if not marker.exists():
            log('creating %s: pip install keystone==%s uwsgi (a few '
                'minutes, once)' % (venv, self.args.keystone_version))
            base = getattr(sys, '_base_executable', sys.executable)
            for argv in ([base, '-m', 'venv', str(venv)],
                         [str(bindir / 'pip'), 'install', '-q',
                          'keystone==%s' % self.args.keystone_version,
                          'uwsgi']):
                result = subprocess.run(argv, capture_output=True, text=True,
                                        stdin=subprocess.DEVNULL,
                                        timeout=1800)
                if result.returncode != 0:
                    raise BenchError('%s failed:\n%s' % (
                        ' '.join(argv), result.stderr[-3000:]))
            marker.write_text('keystone==%s uwsgi\n'
                              % self.args.keystone_version)
        for tool in ('uwsgi', 'keystone-manage'):
            if not (bindir / tool).exists():
                raise BenchError('%s has no bin/%s; remove it to have it '
                                 'made again' % (venv, tool))
        return venv

    def prepare_keystone(self):
        """Keystone's SQLite database, Fernet and credential keys, admin."""
        self.ks_venv = self.keystone_venv()
        self.ks_dir = self.workdir / 'keystone'
        self.ks_dir.mkdir()
        self.ks_versions = subprocess.run(
            [str(self.ks_venv / 'bin' / 'python'), '-c',
             'import importlib.metadata as m, json; print(json.dumps({n: '
             'm.version(n) for n in ("keystone", "uWSGI", "SQLAlchemy", '
             '"oslo.cache", "dogpile.cache", "bcrypt")}))'],
            capture_output=True, text=True).stdout.strip()
        config = self.ks_config(cache=False)
        manage = str(self.ks_venv / 'bin' / 'keystone-manage')
        user = subprocess.run(['id', '-un'], capture_output=True,
                              text=True).stdout.strip()
        group = subprocess.run(['id', '-gn'], capture_output=True,
                               text=True).stdout.strip()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_') and k != 'PYTHONPATH'}
        base = [manage, '--config-file', str(config)]
        for step in (['db_sync'],
                     ['fernet_setup', '--keystone-user', user,
                      '--keystone-group', group],
                     ['credential_setup', '--keystone-user', user,
                      '--keystone-group', group],
                     ['bootstrap', '--bootstrap-password', PASSWORD,
                      '--bootstrap-project-name', PROJECT,
                      '--bootstrap-region-id', 'RegionOne',
                      '--bootstrap-public-url', 'http://127.0.0.1:5000/v3']):
            self.run_setup(base + step, env, self.ks_dir)
        self.ks_env = env

    def ks_config(self, cache):
        path = self.ks_dir / ('keystone-%s.conf' % (
            'cache' if cache else 'nocache'))
        lines = ['[DEFAULT]',
                 'log_file = %s' % (self.ks_dir / 'keystone.log'),
                 '',
                 '[database]',
                 'connection = sqlite:///%s' % (self.ks_dir / 'keystone.db'),
                 '',
                 '[fernet_tokens]',
                 'key_repository = %s' % (self.ks_dir / 'fernet-keys'),
                 '',
                 '[credential]',
                 'key_repository = %s' % (self.ks_dir / 'credential-keys'),
                 '',
                 '[identity]',
                 'password_hash_rounds = %d' % self.args.rounds,
                 '',
                 '[cache]',
                 'enabled = %s' % ('true' if cache else 'false')]
        if cache:
            lines.append('backend = dogpile.cache.memory')
        path.write_text('\n'.join(lines) + '\n')
        return path

    def keystone(self, name, cache):
        return KeystoneServer(self, name, cache)


class Server:
    """One server under test: started, loaded, stopped by pid."""

    def __init__(self, servers, name):
        self.servers = servers
        self.name = name
        self.port = None
        self.proc = None
        self.argv = None
        self.config_text = None
        self.log_path = servers.workdir / ('%s.log' % name.replace(' ', '-'))

    def spawn(self, argv, env):
        self.argv = argv
        with open(self.log_path, 'ab') as log_file:
            self.proc = self.servers.procs.spawn(
                argv, stdin=subprocess.DEVNULL, stdout=log_file,
                stderr=subprocess.STDOUT, cwd=str(self.servers.workdir),
                env=env)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        wait_for_get(self.proc, self.port, deadline, self.log_tail)

    def stop(self):
        if self.proc is None:
            return None
        code = self.servers.procs.stop(self.proc)
        self.proc = None
        return code

    def log_tail(self, lines=20):
        try:
            text = self.log_path.read_text(errors='replace')
        except OSError:
            return ''
        return ''.join(text.splitlines(True)[-lines:])

    def log_errors(self):
        try:
            text = self.log_path.read_text(errors='replace')
        except OSError:
            return []
        return [line for line in text.splitlines()
                if re.search(r'\b(ERROR|CRITICAL|Traceback)\b', line)][:50]


class KeystoneLikeServer(Server):

    def __init__(self, servers, name, workers):
        super().__init__(servers, name)
        self.workers = workers

    def start(self):
        self.port = free_port()
        admin_port = free_port()
        while admin_port == self.port:
            admin_port = free_port()
        self.config_text = self.servers.kl_config(self.workers, self.port,
                                                  admin_port)
        config = self.servers.workdir / ('%s.conf' % self.name.replace(
            ' ', '-'))
        config.write_text(self.config_text)
        self.log_path.write_text('')
        self.spawn([self.servers.service_all, '--config-file', str(config)],
                   self.servers.child_env)
        deadline = time.monotonic() + START_TIMEOUT
        while READY_LINE not in self.log_path.read_text(errors='replace'):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError('%s did not start (exit %s):\n%s' % (
                    self.name, self.proc.poll(), self.log_tail()))
            time.sleep(0.02)
        self.wait_ready()
        return self


class KeystoneServer(Server):
    """Keystone's public WSGI app under uWSGI: 1 process, 1 thread."""

    def __init__(self, servers, name, cache):
        super().__init__(servers, name)
        self.cache = cache

    def start(self):
        servers = self.servers
        self.port = free_port()
        config = servers.ks_config(self.cache)
        self.config_text = config.read_text()
        venv = servers.ks_venv
        env = dict(servers.ks_env, OS_KEYSTONE_CONFIG_FILES=str(config))
        self.log_path.write_text('')
        self.spawn([str(venv / 'bin' / 'uwsgi'), '--master',
                    '--processes', '1', '--threads',
                    str(servers.args.keystone_threads),
                    '--http-socket', '127.0.0.1:%d' % self.port,
                    # A connection per request, as uWSGI's plain HTTP
                    # socket does; saying so lets wrk reconnect cleanly
                    # instead of counting a read error per request.
                    '--add-header', 'Connection: close',
                    '--module', 'keystone.wsgi.api:application',
                    '--home', str(venv), '--die-on-term', '--need-app',
                    '--disable-logging', '--listen', '128'], env)
        self.wait_ready()
        return self


# --------------------------------------------------------------- measuring

def wrk_env(method, headers, body, bodies=()):
    env = dict(os.environ)
    env.update(WRK_METHOD=method, WRK_BODY=body, WRK_REPORT=str(WRK_SCRIPT),
               WRK_BODIES='\n'.join(bodies),
               WRK_HEADERS='\n'.join('%s: %s' % item
                                     for item in headers.items()))
    return env


def check_scenario(server, name, token, project_id):
    """One request of the scenario before the load: status and size."""
    method, path, headers, body, expected = scenario_request(
        name, token, project_id)
    status, _, document = request(server.port, method, path, headers, body)
    if status != expected:
        raise BenchError('%s: %s %s answered %d, expected %d: %s\n%s' % (
            server.name, method, path, status, expected, document,
            server.log_tail()))
    return {'status': status, 'catalog_entries': len(
        ((document or {}).get('token') or {}).get('catalog', ()))}


def measure(procs, server, name, connections, token, project_id, args,
            warmup=True):
    method, path, headers, body, _ = scenario_request(name, token,
                                                      project_id)
    bodies = ()
    if name == ISSUE_PASSWORD:
        bodies = [password_body(user, LOGIN_PROJECT)
                  for user in login_user_names(
            2 * max(args.connections))]
    env = wrk_env(method, headers, body, bodies)
    if warmup and args.warmup > 0:
        run_wrk(procs, wrk_command(server.port, path, connections,
                                   args.warmup, args.wrk_cpus, WRK_REQUEST,
                                   args.wrk_timeout),
                args.warmup, env=env, timeout=args.wrk_timeout + 60)
    settled = wait_idle(server.proc.pid, args.settle)
    argv = wrk_command(server.port, path, connections, args.duration,
                       args.wrk_cpus, WRK_REQUEST, args.wrk_timeout)
    row = {'server': server.name, 'scenario': name, 'method': method,
           'path': path, 'connections': connections}
    row.update(wrk_measure(procs, server.proc.pid, argv, args.duration,
                           env=env, timeout=args.wrk_timeout + 60))
    row['settle_before_s'] = settled
    row['settle_after_s'] = wait_idle(server.proc.pid, args.settle)
    if server.proc.poll() is not None:
        raise BenchError('%s died during the load (exit %s):\n%s' % (
            server.name, server.proc.returncode, server.log_tail()))
    log('%-22s %-19s c%-3d %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  '
        'non2xx %d  sockerr %d  other %.2f CPU' % (
            server.name, name, connections, row['rps'], row['p50_ms'],
            row['p99_ms'], row['non_2xx_3xx'], row['socket_errors'],
            row['other_cpu_util']))
    return row


def run_server(procs, server, args, report):
    """Start ``server``, run every scenario x concurrency, stop it."""
    log('starting %s' % server.name)
    started = time.monotonic()
    server.start()
    startup = time.monotonic() - started
    token, project_id, catalog = login(server)
    info = {'argv': server.argv, 'port': server.port,
            'config': server.config_text, 'startup_s': startup,
            'catalog_entries': catalog, 'checks': {}}
    report['servers'][server.name] = info
    family = 'kl' if server.name.startswith(KL) else 'ks'
    if (ISSUE_PASSWORD in args.scenarios
            and family not in server.servers.login_users_made):
        names = login_user_names(2 * max(args.connections))
        log('%s: creating %d login users' % (server.name, len(names)))
        create_login_users(server, token, names)
        server.servers.login_users_made.add(family)
    for name in args.scenarios:
        info['checks'][name] = check_scenario(server, name, token,
                                              project_id)
    for name in args.scenarios:
        for conns in args.connections:
            row = measure(procs, server, name, conns, token, project_id,
                          args, warmup=name != ISSUE_PASSWORD)
            report['results'].append(row)
    info['log_errors'] = server.log_errors()
    info['exit_code'] = server.stop()


def run_growth(procs, servers, args, report):
    """Validation req/s as users, then revocation events, are added."""
    steps = [('start', 0, 0)]
    total = 0
    for users in args.growth_users:
        steps.append(('%s users' % human(users), users - total, 0))
        total = users
    if args.growth_events:
        steps.append(('+%s revocations' % human(args.growth_events), 0,
                      args.growth_events))
    conns = args.growth_connections
    rows = report['growth'] = []
    for label, users, events in steps:
        if users or events:
            log('growth: adding %d users, %d revocation events'
                % (users, events))
            added = servers.token_state(
                'grow', '--config-file', servers.setup_config,
                '--users', users, '--events', events)
        else:
            added = {}
        server = servers.keystone_like('%s growth' % KL, 0).start()
        try:
            token, project_id, _ = login(server)
            check_scenario(server, VALIDATE, token, project_id)
            row = measure(procs, server, VALIDATE, conns, token, project_id,
                          args)
        finally:
            server.stop()
        row.update(step=label, users_added=users, events_added=events,
                   insert=added, users_total=sum(
                       r['users_added'] for r in rows) + users,
                   events_total=sum(r['events_added'] for r in rows)
                   + events)
        rows.append(row)


def human(number):
    if number >= 1000 and number % 1000 == 0:
        return '%dk' % (number // 1000)
    return str(number)


# --------------------------------------------------------------- reporting

def analyse(report):
    """Ratios to GET /v3, target verdicts, password capacity."""
    results = report['results']
    v3 = {(r['server'], r['connections']): r['rps'] for r in results
          if r['scenario'] == GET_V3}
    for row in results:
        conns = row['connections']
        row['ratio_own_v3'] = ratio(row['rps'], v3.get(
            (row['server'], conns)))
        row['ratio_kl_v3'] = ratio(row['rps'], v3.get((KL, conns)))
    verdicts = []
    for row in results:
        if (not row['server'].startswith(KL)
                or row['scenario'] not in TARGETS
                or row['connections'] != TARGET_CONNECTIONS):
            continue
        least, p99_max = TARGETS[row['scenario']]
        met = (row['ratio_own_v3'] is not None
               and row['ratio_own_v3'] >= least
               and (p99_max is None or row['p99_ms'] < p99_max)
               and row['non_2xx_3xx'] == 0 and row['socket_errors'] == 0)
        verdicts.append({'server': row['server'],
                         'scenario': row['scenario'],
                         'ratio': row['ratio_own_v3'], 'min_ratio': least,
                         'p99_ms': row['p99_ms'], 'max_p99_ms': p99_max,
                         'met': met})
    report['targets'] = verdicts
    hash_s = report.get('hash', {}).get('median_s')
    cores = report['machine']['nproc']
    capacity = []
    for row in results:
        if row['scenario'] != ISSUE_PASSWORD or not hash_s:
            continue
        bound = cores / hash_s
        # Only logins that got a token count (a refusal costs no hash).
        logins = row['rps'] * (1 - row['non_2xx_3xx'] / max(
            1, row['requests']))
        capacity.append({'server': row['server'],
                         'connections': row['connections'],
                         'logins_per_s': logins, 'bound': bound,
                         'fraction': logins / bound})
    report['password_capacity'] = capacity
    base = report.get('growth') or []
    if base:
        first = base[0]['rps']
        for row in base:
            row['ratio_to_start'] = ratio(row['rps'], first)
            row['cpu_ratio_to_start'] = ratio(
                row['server_cpu_us_per_request'],
                base[0]['server_cpu_us_per_request'])


def render(report):
    params = report['parameters']
    machine = report['machine']
    out = ['keystone_like token benchmark  %s' % report['timestamp'],
           'machine: %d CPU (%s), Linux %s, %s' % (
               machine['nproc'], machine['cpu_model'] or '?',
               machine['kernel'], machine['wrk']),
           'load: wrk %ss per cell after %ss warm-up (none for password '
           'issue), threads = min(2, c), timeout %ss, %s' % (
               params['duration'], params['warmup'], params['wrk_timeout'],
               'wrk pinned to CPU %s' % params['wrk_cpus']
               if params['wrk_cpus'] else 'nothing pinned'),
           'keystone_like: %s on %s, workers mode %d public workers; '
           'bcrypt %d rounds everywhere' % (
               report['code'], params['database'], params['workers'],
               params['rounds'])]
    if report.get('keystone_versions'):
        out.append('keystone: %s under uWSGI (1 process, %d thread), '
                   'SQLite' % (report['keystone_versions'],
                               params['keystone_threads']))
    out.append('machine busy before start: %.2f CPU' % machine.get(
        'busy_cpus_before', 0.0))
    out.append('')
    row_format = '%-22s %-19s %4s %9s %8s %8s %7s %7s %8s %7s %7s %5s'
    head = row_format % ('server', 'request', 'c', 'req/s', 'p50 ms',
                         'p99 ms', 'non2xx', 'sockerr', 'cpu us/r',
                         '/v3 own', '/v3 kl', 'other')
    out += [head, '-' * len(head)]
    order = {name: i for i, name in enumerate(SERVERS)}
    rows = sorted(report['results'], key=lambda r: (
        SCENARIOS.index(r['scenario']), r['connections'],
        order.get(r['server'], 99)))
    last = None
    for row in rows:
        key = (row['scenario'], row['connections'])
        if last is not None and key != last:
            out.append('')
        last = key
        out.append(row_format % (
            row['server'], row['scenario'], row['connections'],
            '%.1f' % row['rps'], '%.2f' % row['p50_ms'],
            '%.2f' % row['p99_ms'], row['non_2xx_3xx'],
            row['socket_errors'],
            '%.0f' % row['server_cpu_us_per_request'],
            fmt_ratio(row['ratio_own_v3']), fmt_ratio(row['ratio_kl_v3']),
            '%.2f' % row['other_cpu_util']))
    out.append('')
    out.append('/v3 own = req/s / the same server\'s GET /v3 req/s at the '
               'same c; /v3 kl = / keystone_like (one process) GET /v3.')
    noisy = [r for r in report['results'] + report.get('growth', [])
             if r['other_cpu_util'] > NOISE_CPU]
    if noisy:
        out.append('WARNING: other processes used more than %.2f CPU '
                   'during %d of %d runs (column "other"): the machine was '
                   'not quiet.' % (NOISE_CPU, len(noisy), len(
                       report['results']) + len(report.get('growth', []))))
    out.append('')
    if report['targets']:
        out.append('issue 9 targets at c%d (ratio to the same server\'s '
                   'GET /v3; one process is what counts):'
                   % TARGET_CONNECTIONS)
        for item in report['targets']:
            out.append('  %-22s %-19s %6s >= %.2fx%s  %s' % (
                item['server'], item['scenario'], fmt_ratio(item['ratio']),
                item['min_ratio'],
                '' if item['max_p99_ms'] is None else
                ', p99 %.1f ms < %.0f ms' % (item['p99_ms'],
                                             item['max_p99_ms']),
                'PASS' if item['met'] else 'FAIL'))
        out.append('')
    hash_info = report.get('hash')
    if hash_info and report['password_capacity']:
        cores = machine['nproc']
        out.append('password issue against the hashing bound: one bcrypt '
                   'hash (%d rounds) takes %.1f ms here, so %d cores / '
                   'hash = %.1f logins/s' % (
                       hash_info['rounds'], hash_info['median_s'] * 1000,
                       cores, cores / hash_info['median_s']))
        for item in report['password_capacity']:
            out.append('  %-22s c%-3d %7.1f logins/s = %3.0f%% of the bound'
                       % (item['server'], item['connections'],
                          item['logins_per_s'], item['fraction'] * 100))
        out.append('')
    growth = report.get('growth')
    if growth:
        out.append('validation as the database grows (%s, one process, '
                   'c%d; server restarted after each insert):' % (
                       KL, params['growth_connections']))
        head = '%-18s %8s %8s %9s %8s %8s %9s %7s %8s' % (
            'step', 'users', 'rev.ev', 'req/s', 'p50 ms', 'p99 ms',
            'cpu us/r', 'x start', 'insert s')
        out += [head, '-' * len(head)]
        for row in growth:
            out.append('%-18s %8d %8d %9.1f %8.2f %8.2f %9.0f %7s %8s' % (
                row['step'], row['users_total'], row['events_total'],
                row['rps'], row['p50_ms'], row['p99_ms'],
                row['server_cpu_us_per_request'],
                fmt_ratio(row.get('ratio_to_start')),
                '%.1f' % row['insert']['seconds']
                if row['insert'] else '-'))
        out.append('')
    return '\n'.join(out).rstrip() + '\n'


# -------------------------------------------------------------------- main

def parse_list(parser, text, kind, option):
    try:
        values = [kind(v.strip()) for v in text.split(',') if v.strip()]
    except ValueError:
        parser.error('%s takes a comma-separated list' % option)
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Token validation and issue: keystone_like (one '
                    'process, workers) against Keystone under uWSGI (cache '
                    'off, on), with wrk; plus validation as the database '
                    'grows.')
    parser.add_argument('--quick', action='store_true',
                        help='a ~3 minute smoke run: c50 only, 3 s cells, '
                             '1 s warm-up (explicit options still win)')
    parser.add_argument('--duration', type=int,
                        help='seconds of each measured wrk run (default 10; '
                             '3 with --quick)')
    parser.add_argument('--warmup', type=int,
                        help='seconds of warm-up before each cell (default '
                             '2; 1 with --quick; 0 skips)')
    parser.add_argument('--connections',
                        help='comma-separated wrk connection counts '
                             '(default 1,10,50; 50 with --quick)')
    parser.add_argument('--servers', default=','.join(SHORT_NAMES),
                        help='comma-separated subset of %s (default all)'
                        % ','.join(SHORT_NAMES))
    parser.add_argument('--scenarios', default=','.join(SHORT_SCENARIOS),
                        help='comma-separated subset of %s (default all; '
                             'v3 is needed for the ratios)'
                        % ','.join(SHORT_SCENARIOS))
    parser.add_argument('--database', choices=('sqlite', 'postgresql'),
                        default='sqlite',
                        help="keystone_like's database (postgresql: a new "
                             'database on 127.0.0.1:5432 as user postgres, '
                             'dropped at the end); Keystone stays on SQLite')
    parser.add_argument('--workers', type=int,
                        default=len(os.sched_getaffinity(0)),
                        help='public_workers of "keystone_like workers" '
                             '(default: the CPUs, %(default)s)')
    parser.add_argument('--rounds', type=int, default=12,
                        help='bcrypt rounds of both services (default 12)')
    parser.add_argument('--growth-users', default='1000,10000,100000',
                        help='cumulative user counts of the growth steps '
                             "(default 1000,10000,100000; '' for none)")
    parser.add_argument('--growth-events', type=int, default=10000,
                        help='revocation events added after the users '
                             '(default 10000; 0 for none)')
    parser.add_argument('--growth-connections', type=int, default=50,
                        help='wrk connections of the growth runs '
                             '(default 50)')
    parser.add_argument('--no-growth', action='store_true',
                        help='skip the growth measurements')
    parser.add_argument('--keystone-version', default='30.0.0')
    parser.add_argument('--keystone-venv',
                        help='venv with keystone and uwsgi (default %s/'
                             'keystone-<version>, created on first use)'
                        % CACHE_DIR)
    parser.add_argument('--keystone-threads', type=int, default=1,
                        help='uWSGI threads of the Keystone process '
                             '(default 1)')
    parser.add_argument('--wrk-timeout', type=int, default=30,
                        help="wrk's per-request timeout in seconds (default "
                             '30: Keystone answers slowly under load)')
    parser.add_argument('--settle', type=float, default=60.0, metavar='S',
                        help='after each wrk run, wait up to S seconds for '
                             'the server to finish the requests wrk left '
                             'in flight (default 60)')
    parser.add_argument('--wrk-cpus', default='auto',
                        help="CPU list for 'taskset -c' around wrk; 'auto' "
                             '(default) pins wrk to the last CPU when there '
                             "are >= 2; 'none' pins nothing")
    parser.add_argument('--venv',
                        help='environment with keystone_like installed '
                             '(default: this Python if it has service-all, '
                             'else <repo>/.venv)')
    parser.add_argument('--source', metavar='REV',
                        help='benchmark the keystone_like of this git '
                             'revision (git archive, first on PYTHONPATH)')
    parser.add_argument('--json', dest='json_path',
                        help='where to write the JSON (default benchmarks/'
                             'results/bench_tokens-<timestamp>.json)')
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 3 if args.quick else 10
    if args.warmup is None:
        args.warmup = 1 if args.quick else 2
    if args.connections is None:
        args.connections = '50' if args.quick else '1,10,50'
    args.connections = parse_list(parser, args.connections, int,
                                  '--connections')
    if not args.connections or min(args.connections) < 1:
        parser.error('--connections must be positive integers')
    names = parse_list(parser, args.servers, str, '--servers')
    if not names or set(names) - set(SHORT_NAMES):
        parser.error('--servers takes %s' % ','.join(SHORT_NAMES))
    args.servers = [SHORT_NAMES[n] for n in SHORT_NAMES if n in names]
    names = parse_list(parser, args.scenarios, str, '--scenarios')
    if not names or set(names) - set(SHORT_SCENARIOS):
        parser.error('--scenarios takes %s' % ','.join(SHORT_SCENARIOS))
    args.scenarios = [SHORT_SCENARIOS[n] for n in SHORT_SCENARIOS
                      if n in names]
    args.growth_users = sorted(parse_list(parser, args.growth_users, int,
                                          '--growth-users'))
    if args.duration < 1:
        parser.error('--duration must be at least 1 second')
    if args.workers < 1:
        parser.error('--workers must be at least 1')
    return args


def run(args, procs, workdir):
    if shutil.which('wrk') is None:
        raise BenchError('wrk is not installed; on Debian/Ubuntu: '
                         'apt-get install -y wrk')
    args.wrk_cpus = choose_wrk_cpus(args.wrk_cpus)
    servers = Servers(args, procs, workdir)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    git = git_state()
    code = ('%s (--source %s)' % (servers.source[:12], args.source)
            if servers.source else '%s%s' % (
                git['commit'][:12] or '?', ' + %d uncommitted file(s)'
                % len(git['uncommitted']) if git['uncommitted'] else ''))
    report = {
        'timestamp': stamp,
        'command': [os.path.relpath(sys.argv[0], os.getcwd())] + sys.argv[1:],
        'machine': machine_description(), 'git': git, 'code': code,
        'parameters': {
            'quick': args.quick, 'duration': args.duration,
            'warmup': args.warmup, 'connections': args.connections,
            'servers': args.servers, 'scenarios': args.scenarios,
            'database': args.database, 'workers': args.workers,
            'rounds': args.rounds, 'growth_users': args.growth_users,
            'growth_events': args.growth_events,
            'growth_connections': args.growth_connections,
            'keystone_version': args.keystone_version,
            'keystone_threads': args.keystone_threads,
            'wrk_timeout': args.wrk_timeout, 'wrk_cpus': args.wrk_cpus,
            'settle': args.settle,
            'wrk_script': str(WRK_REQUEST.relative_to(REPO)),
            'python': servers.python, 'service_all': servers.service_all,
            'source': {'rev': args.source, 'commit': servers.source}
            if args.source else None,
        },
        'servers': {}, 'results': [], 'setup': servers.setup_log,
    }
    busy = report['machine']['busy_cpus_before'] = machine_busy()
    if busy > NOISE_CPU:
        log('warning: the machine already uses %.2f CPU before the '
            'benchmark starts; results will be noisy' % busy)
    try:
        if ISSUE_PASSWORD in args.scenarios:
            report['hash'] = servers.token_state(
                'hash-time', '--rounds', args.rounds, '--count', 3)
            log('one bcrypt hash at %d rounds: %.1f ms' % (
                args.rounds, report['hash']['median_s'] * 1000))
        todo = []
        if KL in args.servers or KL_WORKERS in args.servers or (
                not args.no_growth):
            servers.prepare_keystone_like()
        if KL in args.servers:
            todo.append(servers.keystone_like(KL, 0))
        if KL_WORKERS in args.servers:
            todo.append(servers.keystone_like(KL_WORKERS, args.workers))
        if KS in args.servers or KS_CACHE in args.servers:
            servers.prepare_keystone()
            report['keystone_versions'] = servers.ks_versions
            if KS in args.servers:
                todo.append(servers.keystone(KS, False))
            if KS_CACHE in args.servers:
                todo.append(servers.keystone(KS_CACHE, True))
        for server in todo:
            try:
                run_server(procs, server, args, report)
            finally:
                server.stop()
        if not args.no_growth and (args.growth_users or args.growth_events):
            run_growth(procs, servers, args, report)
    finally:
        procs.stop_all()
        servers.drop_database()
    report['machine']['loadavg_at_end'] = os.getloadavg()
    analyse(report)
    return report


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    procs = Processes()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='bench_tokens-'))
    try:
        report = run(args, procs, workdir)
    except BenchError as exc:
        print('bench_tokens: %s' % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('bench_tokens: interrupted; stopping the servers',
              file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)
    text = render(report)
    print(text)
    json_path = pathlib.Path(args.json_path) if args.json_path else (
        RESULTS_DIR / ('bench_tokens-%s.json' % report['timestamp']))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    report['table'] = text
    json_path.write_text(json.dumps(report, indent=2, default=str) + '\n')
    print('JSON: %s' % json_path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
