#!/usr/bin/env python3
"""Run tempest's identity API tests against a fresh keystone_like.

What it does, in order (``tox -e tempest -- [options] [tempest run args]``):

1. makes a temporary state dir, writes a ``keystone_like.conf`` there (both
   listeners on free 127.0.0.1 ports, SQLite, fast bcrypt, single-process
   mode unless ``--workers``), runs ``service-manage setup`` with a random
   admin password and the catalog's endpoints at those ports;
2. starts ``service-all`` and polls ``GET /v3`` on both listeners until
   they answer;
3. writes ``tempest.conf`` into a persistent workspace (``.tempest/<mode>``
   in the checkout, so ``--failing`` and ``stestr last`` work later) and
   runs ``tempest run --regex '^tempest\\.api\\.identity|
   ^keystone_tempest_plugin\\.tests\\.api'``;
4. prints ``N passed, N failed, N skipped`` and writes ``summary.json`` and
   ``failures.txt`` (each failing test id with the last lines of its
   traceback) into the workspace;
5. stops the service by pid and removes the temporary state dir; on a
   failure the service log is kept as ``<workspace>/service-all.log``.

Modes: by default nothing is scope-enforced. ``--enforce-scope`` sets the
service's ``[oslo_policy] enforce_scope`` and ``enforce_new_defaults`` and
tempest's ``[enforce_scope] keystone``, ``[identity] use_system_token``
and ``[auth] admin_system = all``. ``--features`` turns on the optional
identity features in tempest.conf (trusts, access rules, security
compliance, ``api_extensions = all``, ...).

``--target URL --admin-password P`` runs the same suite against an
already running Keystone-v3 service instead (e.g. a reference Keystone);
its policy mode is then the operator's business, the flags only shape
tempest.conf.

Arguments this script does not know are handed to ``tempest run``: a
``--regex``/``--load-list``/``--include-list``/``--smoke`` replaces the
default selection. ``--failing`` reruns the tests that failed in the
workspace's last run.

Exit status: 0 when every selected test passed or was skipped, 1 on a
test failure or when nothing ran, 2 on a bad command line, 3 when the
service could not be set up or started.
"""

import argparse
import http.client
import io
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
HOST = '127.0.0.1'
DEFAULT_REGEX = r'^tempest\.api\.identity'
PLUGIN_REGEX = r'^keystone_tempest_plugin\.tests\.api'
RBAC_REGEX = r'^keystone_tempest_plugin\.tests\.rbac'
SELECTION_ARGS = ('--regex', '-r', '--load-list', '--load_list',
                  '--include-list', '--include_list', '--whitelist-file',
                  '--whitelist_file', '--smoke', '-s')
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
MANAGE_TIMEOUT = 120
# Optional identity features of tempest 47 (project_tags and
# application_credentials are no longer tempest options: those tests
# always run; they are written anyway and ignored).
FEATURE_FLAGS = ('trust', 'access_rules', 'security_compliance',
                 'project_tags', 'application_credentials')
# [security_compliance] of the service under --features, and tempest's
# [identity] user_<name> for each (tempest 47's defaults but
# minimum_password_age, whose default 0 both use).
SECURITY_COMPLIANCE = {'lockout_failure_attempts': 2, 'lockout_duration': 5,
                       'unique_last_password_count': 2,
                       'minimum_password_age': 0}


class Failure(Exception):
    """A one-line error with the exit code it maps to."""

    def __init__(self, message, code=3):
        super().__init__(message)
        self.code = code


def log(message):
    """Progress line on stderr."""
    print('tempest-run: %s' % message, file=sys.stderr, flush=True)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def render_ini(sections):
    """The ini text of ``{section: {option: value}}`` (None: left out)."""
    lines = []
    for section, options in sections.items():
        lines.append('[%s]' % section)
        for name, value in options.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            lines.append('%s = %s' % (name, value))
        lines.append('')
    return '\n'.join(lines)


def answers(port, path='/v3', timeout=2.0):
    """True when GET ``path`` on ``port`` answers 200."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request('GET', path)
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def console_script(name, module):
    """argv of a console script of this environment (or ``-m module``)."""
    path = BIN / name
    if path.is_file():
        return [str(path)]
    if module is None:
        found = shutil.which(name)
        if found is None:
            raise Failure('%s is not installed in this environment; run '
                          'through "tox -e tempest"' % name, 2)
        return [found]
    return [sys.executable, '-m', module]


class Service:
    """One keystone_like (service-all) in a temporary state dir."""

    def __init__(self, enforce_scope, workers, features=False):
        self.directory = pathlib.Path(tempfile.mkdtemp(
            prefix='keystone_like-tempest-'))
        self.admin_port = free_port()
        self.public_port = free_port()
        self.password = 'Tempest-' + secrets.token_hex(8)
        self.config_path = self.directory / 'keystone_like.conf'
        self.log_path = self.directory / 'service-all.log'
        self.process = None
        sections = {
            'DEFAULT': {
                'admin_bind_host': HOST, 'public_bind_host': HOST,
                'admin_port': self.admin_port,
                'public_port': self.public_port,
                'admin_workers': workers, 'public_workers': workers,
                'state_dir': self.directory / 'state',
                'pid_file': self.directory / 'service-all.pid',
            },
            'identity': {'password_hash_rounds': 4},
        }
        if features:
            # What tempest's security-compliance tests expect (devstack's
            # values; tempest_conf() tells tempest the same numbers).
            sections['security_compliance'] = dict(SECURITY_COMPLIANCE)
        if enforce_scope:
            sections['oslo_policy'] = {'enforce_scope': True,
                                       'enforce_new_defaults': True}
        self.config_path.write_text(render_ini(sections))

    def url(self, port):
        """``http://127.0.0.1:<port>/v3``."""
        return 'http://%s:%d/v3' % (HOST, port)

    def setup(self):
        """``service-manage setup`` with our password and endpoints."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env['OS_BOOTSTRAP_PASSWORD'] = self.password
        argv = console_script('service-manage', 'keystone_like.cmd.manage')
        argv += ['--config-file', str(self.config_path), 'setup',
                 '--bootstrap-public-url', self.url(self.public_port),
                 '--bootstrap-admin-url', self.url(self.admin_port)]
        try:
            done = subprocess.run(argv, capture_output=True, text=True,
                                  env=env, cwd=str(self.directory),
                                  stdin=subprocess.DEVNULL,
                                  timeout=MANAGE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure('service-manage setup did not finish within %ss'
                          % MANAGE_TIMEOUT) from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ['(no output)'])[-1]
            raise Failure('service-manage setup exited %d: %s'
                          % (done.returncode, last))

    def start(self):
        """Start service-all; return once both listeners answer."""
        argv = console_script('service-all', 'keystone_like.cmd.all')
        argv += ['--config-file', str(self.config_path)]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        with open(self.log_path, 'wb') as out:
            # Own session: a Ctrl-C meant for tempest does not reach it;
            # stop() ends it.
            self.process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                stdin=subprocess.DEVNULL, cwd=str(self.directory),
                start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            code = self.process.poll()
            if code is not None:
                raise Failure('service-all exited %d before it was ready: %s'
                              % (code, self.last_log_line()))
            if answers(self.public_port) and answers(self.admin_port):
                return
            if time.monotonic() > deadline:
                raise Failure('service-all did not answer GET /v3 on both '
                              'listeners within %ss' % START_TIMEOUT)
            time.sleep(0.1)

    def last_log_line(self):
        """The last non-empty line of the service log."""
        try:
            lines = self.log_path.read_text(errors='replace').splitlines()
        except OSError:
            return '(no log)'
        lines = [line for line in lines if line.strip()]
        return lines[-1] if lines else '(empty log)'

    def stop(self):
        """SIGTERM by pid, SIGKILL after a bound; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log('service-all (pid %d) still running after %ss; killing'
                    % (self.process.pid, STOP_TIMEOUT))
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        return self.process.returncode

    def cleanup(self, keep_log_in=None):
        """Remove the temporary dir, keeping the log where asked."""
        kept = None
        if keep_log_in is not None and self.log_path.exists():
            kept = pathlib.Path(keep_log_in) / 'service-all.log'
            shutil.copyfile(self.log_path, kept)
        shutil.rmtree(self.directory, ignore_errors=True)
        return kept


def tempest_conf(args, uri_v3, password, workspace):
    """The tempest.conf sections for this run."""
    enforce = args.enforce_scope
    features = args.features
    identity_features = {name: features for name in FEATURE_FLAGS}
    identity_features.update({
        'api_v2': False, 'api_v3': True,
        # Part 1 of the API has OS-INHERIT; --features turns on the rest.
        'api_extensions': 'all' if features else 'OS-INHERIT',
        'domain_specific_drivers': False,
        'immutable_user_source': False,
        # keystone-tempest-plugin: no federation scenario tests here.
        'federation': False, 'external_idp': False,
    })
    return {
        'DEFAULT': {'log_dir': workspace, 'log_file': 'tempest.log',
                    'use_stderr': False},
        'oslo_concurrency': {'lock_path': workspace / 'lock'},
        'auth': {
            'use_dynamic_credentials': True,
            'create_isolated_networks': False,
            'admin_username': args.admin_username,
            'admin_password': password,
            'admin_project_name': args.admin_project,
            'admin_domain_name': 'Default',
            'admin_user_domain_name': 'Default',
            'admin_project_domain_name': 'Default',
            'default_credentials_domain_name': 'Default',
            'admin_system': 'all' if enforce else None,
        },
        'identity': {
            'uri_v3': uri_v3,
            'auth_version': 'v3',
            'region': 'RegionOne',
            'v3_endpoint_type': args.endpoint_type,
            'admin_role': 'admin',
            'default_domain_id': 'default',
            'use_system_token': enforce,
            **({'user_' + name: value
                for name, value in SECURITY_COMPLIANCE.items()}
               if features else {}),
        },
        'identity-feature-enabled': identity_features,
        'enforce_scope': {'keystone': enforce},
        'service_available': {name: False for name in (
            'nova', 'neutron', 'glance', 'cinder', 'swift', 'heat',
            'horizon', 'placement')},
        'validation': {'run_validation': False},
    }


def workspace_for(args):
    """The workspace dir: ``--workspace`` or ``.tempest/<mode>``."""
    if args.workspace:
        return pathlib.Path(args.workspace).resolve()
    name = 'enforce-scope' if args.enforce_scope else 'default'
    if args.features:
        name += '-features'
    if args.endpoint_type == 'admin':
        name += '-admin'
    if args.target:
        port = urllib.parse.urlsplit(args.target).port
        name += '-target-%s' % (port or 'default')
    return ROOT / '.tempest' / name


def failing_list(workspace):
    """Write the last run's failing test ids to a file; return its path.

    The tests of a class whose setUpClass failed never ran: they come from
    the last summary's ``not_run_ids``.
    """
    try:
        summary = json.loads((workspace / 'summary.json').read_text())
    except (OSError, ValueError):
        raise Failure('--failing: no previous run in %s' % workspace,
                      2) from None
    ids = [test_id for test_id in summary.get('failed_ids', [])
           if class_of(test_id) is None]
    ids += summary.get('not_run_ids', [])
    if not ids:
        raise Failure('--failing: the last run in %s has no failing test'
                      % workspace, 2)
    path = workspace / 'failing.list'
    path.write_text('\n'.join(ids) + '\n')
    return path


def last_results(workspace):
    """``{test id: (status, details text)}`` of the workspace's last run."""
    import subunit
    import testtools

    done = subprocess.run(
        console_script('stestr', None) + ['last', '--subunit'],
        capture_output=True, cwd=str(workspace))
    results = {}

    def on_test(test):
        text = ''
        for name, content in test['details'].items():
            if name in ('traceback', 'reason'):
                try:
                    text += content.as_text()
                except Exception:   # noqa: B902 - best effort only
                    pass
        results[test['id']] = (test['status'], text)

    stream = subunit.ByteStreamToStreamResult(
        io.BytesIO(done.stdout), non_subunit_name='stdout')
    collector = testtools.StreamToDict(on_test)
    collector.startTestRun()
    stream.run(collector)
    collector.stopTestRun()
    return results


def error_tail(text, lines=3):
    """The last ``lines`` meaningful lines of a traceback."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()]
    return kept[-lines:]


def listed_tests(argv, workspace, env):
    """The test ids (with their ``[attributes]``) ``argv`` selects."""
    if '--load-list' in argv:
        path = pathlib.Path(argv[argv.index('--load-list') + 1])
        return [line.strip() for line in path.read_text().splitlines()
                if line.strip()]
    done = subprocess.run(argv + ['--list-tests'], capture_output=True,
                          text=True, cwd=str(workspace), env=env,
                          stdin=subprocess.DEVNULL)
    return [line.strip() for line in done.stdout.splitlines()
            if line.startswith(('tempest.', 'keystone_tempest_plugin.'))]


def class_of_test(test_id):
    """``module.Class`` of ``module.Class.test_name[attributes]``."""
    return test_id.split('[', 1)[0].rsplit('.', 1)[0]


def class_of(fixture_id):
    """``module.Class`` of a ``setUpClass (module.Class)`` result id."""
    if fixture_id.startswith(('setUpClass (', 'tearDownClass (')):
        return fixture_id.split('(', 1)[1].rstrip(')').strip()
    return None


def report(workspace, tempest_code, listed):
    """Write summary.json and failures.txt; return the counts.

    ``passed``, ``failed`` and ``skipped`` count results as tempest does (a
    class whose setUpClass failed or skipped is one result); ``not_run`` and
    ``skipped_with_class`` count the ``listed`` tests of such classes.
    """
    results = last_results(workspace)
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    failures = []
    passed = []
    skipped = {}
    for test_id, (status, details) in sorted(results.items()):
        if status in ('success', 'xfail'):
            counts['passed'] += 1
            passed.append(test_id)
        elif status == 'skip':
            counts['skipped'] += 1
            skipped[test_id] = (error_tail(details, 1) or [''])[0]
        elif status in ('fail', 'uxsuccess'):
            counts['failed'] += 1
            failures.append((test_id, error_tail(details)))
    broken = {class_of(test_id) for test_id, _ in failures} - {None}
    not_run = [test_id for test_id in listed if test_id not in results
               and class_of_test(test_id) in broken]
    skipped_classes = {class_of(test_id) for test_id in skipped} - {None}
    skipped_with_class = [test_id for test_id in listed
                          if test_id not in results
                          and class_of_test(test_id) in skipped_classes]
    lines = []
    for test_id, tail in failures:
        lines.append(test_id)
        lines.extend('    ' + line for line in tail)
    (workspace / 'failures.txt').write_text('\n'.join(lines) + '\n')
    summary = dict(counts, not_run=len(not_run), selected=len(listed),
                   skipped_with_class=len(skipped_with_class),
                   tempest_exit=tempest_code,
                   failed_ids=[test_id for test_id, _ in failures],
                   not_run_ids=not_run, passed_ids=passed,
                   skip_reasons=skipped)
    (workspace / 'summary.json').write_text(json.dumps(summary, indent=2)
                                            + '\n')
    return dict(counts, not_run=len(not_run),
                skipped_with_class=len(skipped_with_class),
                selected=len(listed))


def parse_args(argv):
    """Our options; everything else goes to ``tempest run``."""
    parser = argparse.ArgumentParser(
        prog='tools/tempest/run.py',
        description='Run tempest identity API tests against a fresh '
                    'keystone_like. Unknown arguments go to "tempest run".')
    parser.add_argument('--enforce-scope', action='store_true',
                        help='scope-enforcing policy in the service and '
                             'scope-aware tempest (system-scoped admin)')
    parser.add_argument('--features', action='store_true',
                        help='enable the optional identity features in '
                             'tempest.conf (trust, access_rules, '
                             'security_compliance, api_extensions = all)')
    parser.add_argument('--no-plugin', action='store_true',
                        help='leave out keystone-tempest-plugin\'s API tests')
    parser.add_argument('--rbac', action='store_true',
                        help='add keystone-tempest-plugin\'s RBAC tests '
                             '(hundreds; they run only with --enforce-scope)')
    parser.add_argument('--concurrency', '-w', type=int, default=2,
                        help='tempest worker processes (default 2)')
    parser.add_argument('--workers', type=int, default=0,
                        help='service-all admin_workers/public_workers '
                             '(default 0: single-process mode)')
    parser.add_argument('--endpoint-type', choices=('public', 'admin'),
                        default='public',
                        help='which listener/catalog endpoint tempest uses '
                             '(default public)')
    parser.add_argument('--target', metavar='URL',
                        help='test this running service\'s /v3 URL instead '
                             'of starting one')
    parser.add_argument('--admin-password', help='with --target')
    parser.add_argument('--admin-username', default='admin')
    parser.add_argument('--admin-project', default='admin')
    parser.add_argument('--workspace', metavar='DIR',
                        help='where tempest.conf, the stestr repository and '
                             'the reports go (default .tempest/<mode>)')
    parser.add_argument('--failing', action='store_true',
                        help='rerun only the tests that failed last time in '
                             'this workspace')
    args, rest = parser.parse_known_args(argv)
    if args.target and not args.admin_password:
        parser.error('--target needs --admin-password')
    if args.concurrency < 1:
        parser.error('--concurrency must be at least 1')
    return args, rest


def tempest_argv(args, rest, config_path, load_list=None):
    """The ``tempest run`` command line."""
    argv = console_script('tempest', None) + [
        'run', '--config-file', str(config_path),
        '--concurrency', str(args.concurrency)]
    if load_list is not None:
        argv += ['--load-list', str(load_list)]
    elif not any(arg.split('=', 1)[0] in SELECTION_ARGS for arg in rest):
        patterns = [DEFAULT_REGEX]
        if not args.no_plugin:
            patterns.append(PLUGIN_REGEX)
        if args.rbac:
            patterns.append(RBAC_REGEX)
        argv += ['--regex', '|'.join('(%s)' % p for p in patterns)]
    return argv + list(rest)


def run(args, rest):
    """Set up, test, report; return the exit code."""
    workspace = workspace_for(args)
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / 'lock').mkdir(exist_ok=True)
    load_list = failing_list(workspace) if args.failing else None
    service = None
    ok = False
    try:
        if args.target:
            uri_v3 = args.target.rstrip('/')
            password = args.admin_password
            log('testing %s (not started here)' % uri_v3)
        else:
            service = Service(args.enforce_scope, args.workers,
                              features=args.features)
            log('state in %s; setting up' % service.directory)
            service.setup()
            service.start()
            port = (service.public_port if args.endpoint_type == 'public'
                    else service.admin_port)
            uri_v3 = service.url(port)
            password = service.password
            log('service-all (pid %d) ready: public %s, admin %s'
                % (service.process.pid, service.url(service.public_port),
                   service.url(service.admin_port)))
        config_path = workspace / 'tempest.conf'
        config_path.write_text(render_ini(
            tempest_conf(args, uri_v3, password, workspace)))
        argv = tempest_argv(args, rest, config_path, load_list)
        log('workspace %s' % workspace)
        log('running: %s' % ' '.join(argv))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        tempest_code = subprocess.call(argv, cwd=str(workspace), env=env,
                                       stdin=subprocess.DEVNULL)
        if any(a in ('--list-tests', '-l') for a in rest):
            ok = tempest_code == 0
            return tempest_code
        counts = report(workspace, tempest_code,
                        listed_tests(argv, workspace, env))
        total = counts['passed'] + counts['failed'] + counts['skipped']
        log('%d tests selected; %d did not run because the setUpClass of '
            'their class failed (one "failed" per class), %d because their '
            'class was skipped (one "skipped" per class)'
            % (counts['selected'], counts['not_run'],
               counts['skipped_with_class']))
        log('failures: %s; summary: %s'
            % (workspace / 'failures.txt', workspace / 'summary.json'))
        print('%d passed, %d failed, %d skipped'
              % (counts['passed'], counts['failed'], counts['skipped']),
              flush=True)
        if total == 0:
            log('no test ran')
            return 1
        ok = counts['failed'] == 0 and tempest_code == 0
        return 0 if ok else 1
    finally:
        if service is not None:
            code = service.stop()
            kept = service.cleanup(keep_log_in=None if ok else workspace)
            if code not in (0, None):
                log('service-all exited %s when stopped' % code)
            if kept is not None:
                log('service log kept: %s' % kept)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    """Entry point; one-line errors, non-zero exit on failure."""
    args, rest = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(args, rest)
    except Failure as exc:
        print('tempest-run: %s' % exc, file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print('tempest-run: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main())
