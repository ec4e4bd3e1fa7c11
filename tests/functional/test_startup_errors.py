"""Start-up failures: one line on stderr, a documented code, no open port."""

import ctypes
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

import pytest

from keystone_like.server import errors
from tests.support import identity
from tests.support import service

# preexec_fn and user= make subprocess fork; eventlet, imported by other
# tests of the run, warns about any fork. These children exec at once.
pytestmark = pytest.mark.filterwarnings(
    'ignore:Using fork\\(\\) is a bad idea:DeprecationWarning')

NOBODY = 65534
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
CAP_NET_BIND_SERVICE = 10
TEST_NET = '192.0.2.1'  # RFC 5737: never configured locally; no traffic

MAIN_ONLY_PASTE = '''\
[app:main]
paste.app_factory = keystone_like.api.versions:public_app_factory
'''

SLEEPY_FACTORY = '''\
import time


def app_factory(global_conf, marker, **local_conf):
    open(marker, 'w').close()
    time.sleep(30)
'''

SLEEPY_PASTE = '''\
[app:main]
paste.app_factory = sleepy_factory:app_factory
marker = {marker}

[app:admin]
paste.app_factory = sleepy_factory:app_factory
marker = {marker}
'''

PREPARE_SCRIPT = '''
import socket
import sys
from keystone_like.server import config, errors, hooks
from keystone_like.server.process import loading as startup
conf = config.configure(['--config-file', sys.argv[1]])
# As the launcher does: the identity app reads the same file.
hooks.set_config_args(config.config_args(conf))
holder = socket.socket()
holder.bind(('127.0.0.1', conf.public_port))
holder.listen(1)
try:
    startup.prepare(conf)
except errors.StartupError as exc:
    assert exc.exit_code == errors.EXIT_OSERR, exc.exit_code
else:
    sys.exit('prepare() bound a port that is in use')
socket.socket().bind(('127.0.0.1', conf.admin_port))
print('admin released')
'''

RAISING_PASTE = '''\
[app:main]
paste.app_factory = keystone_like.api.versions:public_app_factory

[app:admin]
paste.app_factory = raising_factory:app_factory
'''

RAISING_FACTORY = '''\
def app_factory(global_conf, **local_conf):
    %s
'''


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def assert_clean_failure(svc, code, *fragments):
    """The child exited ``code`` with one line naming ``fragments``."""
    assert svc.returncode == code, svc.log
    lines = svc.stderr_lines()
    assert len(lines) == 1, svc.log
    assert lines[0].startswith('service-all: '), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert 'Traceback' not in svc.log
    assert svc.stdout == ''
    assert_ports_free(svc)


def assert_ports_free(svc):
    for port in svc.ports:
        assert service.port_is_free(svc.host, port), port


def write(path, text):
    path.write_text(text)
    return str(path)


def run(services, sections=None, **kwargs):
    svc = services(sections=sections, **kwargs)
    svc.run_to_exit()
    return svc


@pytest.mark.parametrize('sections,fragments', [
    ({'DEFAULT': {'admin_port': 70000}}, ('admin_port', '70000')),
    ({'eventlet_server': {'client_socket_timeout': -5}},
     ('[eventlet_server] client_socket_timeout', '-5')),
    ({'ssl': {'enable': 'maybe'}}, ('[ssl] enable', 'maybe', 'true or false')),
    ({'ssl_admin': {'minimum_version': 'TLSv1.0'}},
     ('[ssl_admin] minimum_version', 'TLSv1.0', 'TLSv1.3')),
    ({'ssl': {'enable': True}}, ('certfile', 'enable = false')),
], ids=['port-out-of-range', 'negative-timeout', 'bad-bool',
        'bad-choice', 'tls-without-cert'])
def test_bad_option_value(services, sections, fragments):
    svc = run(services, sections)
    assert_clean_failure(svc, errors.EXIT_CONFIG, *fragments)


def test_same_port_for_both_listeners(services):
    svc = services()
    svc.sections['DEFAULT']['public_port'] = svc.admin_port
    svc.public_port = svc.admin_port
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_CONFIG, 'admin_port and public_port',
                         str(svc.admin_port))


def test_bad_value_of_a_command_line_option_in_the_file(services):
    # debug is also --debug: oslo.config checks it while parsing.
    svc = run(services, {'DEFAULT': {'debug': 'maybe'}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, '[DEFAULT] debug = maybe',
                         'true or false', str(svc.config_path))


def test_bad_value_names_the_config_file(services):
    svc = run(services, {'DEFAULT': {'admin_port': 70000}})
    assert str(svc.config_path) in svc.stderr_lines()[0]


@pytest.mark.parametrize('sections', [
    {'DEFAULT': {'admin_port': 70000}},
    {'paste_deploy': {'config_file': 'missing-paste.ini'}},
], ids=['config-value', 'startup-error'])
def test_debug_adds_a_traceback(services, sections):
    svc = run(services, sections, extra_args=['--debug'])
    assert svc.returncode in (errors.EXIT_CONFIG, errors.EXIT_NOINPUT)
    assert 'Traceback (most recent call last)' in svc.log
    assert svc.stderr_lines()[-1].startswith('service-all: ')
    assert_ports_free(svc)


def test_port_in_use(services):
    svc = services()
    with socket.socket() as holder:
        holder.bind(('127.0.0.1', svc.public_port))
        holder.listen(1)
        svc.run_to_exit()
        # Checked while the public port is still held: admin, bound first,
        # was released.
        assert service.port_is_free(svc.host, svc.admin_port)
    assert_clean_failure(svc, errors.EXIT_OSERR, 'public listener',
                         '127.0.0.1:%d' % svc.public_port, 'already in use')


def test_failed_second_bind_closes_the_first_socket(tmp_path):
    # A child's sockets close when it exits anyway, so run startup.prepare
    # in a process that lives on and see that it released the admin socket.
    path = write(tmp_path / 'in-use.conf', service.render_config({
        'DEFAULT': {'admin_bind_host': '127.0.0.1',
                    'admin_port': service.free_port(),
                    'public_bind_host': '127.0.0.1',
                    'public_port': service.free_port(),
                    'state_dir': identity.shared_state_dir()}}))
    result = subprocess.run([sys.executable, '-c', PREPARE_SCRIPT, path],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['admin', 'released']


def test_address_not_available(services):
    svc = run(services, {'DEFAULT': {'public_bind_host': TEST_NET}})
    assert_clean_failure(svc, errors.EXIT_OSERR, 'public listener', TEST_NET,
                         'not available')


def _unprivileged_port_start():
    try:
        return int(pathlib.Path(
            '/proc/sys/net/ipv4/ip_unprivileged_port_start').read_text())
    except (OSError, ValueError):
        return 1024


def _others_can_run(path):
    """True when a user other than the owner can execute ``path``."""
    path = pathlib.Path(path).resolve()
    if not os.stat(path).st_mode & 0o001:
        return False
    return all(os.stat(parent).st_mode & 0o001 for parent in path.parents)


def without_capabilities(*capabilities):
    """Return a preexec_fn dropping ``capabilities`` from the bounding set.

    After exec a root process gets only what the bounding set allows, so
    the child runs as root without those powers.
    """
    def drop():
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in capabilities:
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), 'PR_CAPBSET_DROP failed')
    return drop


def unprivileged(directory):
    """Popen arguments that make the child unable to bind ports < 1024.

    As root: run as nobody, or, when nobody cannot run this interpreter
    (it lives under a 0700 home), as root without CAP_NET_BIND_SERVICE,
    which is exactly what the kernel checks for a port below 1024.
    """
    if os.geteuid() != 0:
        return {}
    if _others_can_run(sys.executable):
        os.chmod(directory, 0o755)
        return {'user': NOBODY, 'group': NOBODY, 'extra_groups': []}
    return {'preexec_fn': without_capabilities(CAP_NET_BIND_SERVICE)}


@pytest.fixture
def shared_dir():
    """A directory nobody can read (tmp_path's parents are 0700)."""
    path = pathlib.Path(tempfile.mkdtemp(prefix='keystone_like-test-'))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(_unprivileged_port_start() <= 80,
                    reason='unprivileged users may bind port 80 here')
def test_permission_denied(shared_dir):
    with service.Services(shared_dir) as services:
        svc = services(sections={'DEFAULT': {'admin_port': 80}},
                       env={'HOME': str(shared_dir)},
                       popen_kwargs=unprivileged(shared_dir))
        svc.run_to_exit()
    assert svc.returncode == errors.EXIT_OSERR, svc.log
    line, = svc.stderr_lines()
    assert 'admin listener' in line and '127.0.0.1:80' in line
    assert 'Permission denied' in line and 'above 1023' in line
    assert 'Traceback' not in svc.log
    assert service.port_is_free('127.0.0.1', svc.public_port)


def test_missing_certificate_file(services, certs, tmp_path):
    missing = str(tmp_path / 'missing.pem')
    svc = run(services, {'ssl': {'enable': True, 'certfile': missing,
                                 'keyfile': certs.server_key}})
    assert_clean_failure(svc, errors.EXIT_NOINPUT, 'certfile', missing,
                         'does not exist')


@pytest.mark.parametrize('content', [
    'this is not a key\n',
    '-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5\n-----END PRIVATE KEY-----\n',
], ids=['garbage', 'corrupt-pem'])
def test_bad_key_file(services, certs, tmp_path, content):
    key = write(tmp_path / 'bad.key', content)
    svc = run(services, {'ssl': {'enable': True, 'certfile': certs.server_cert,
                                 'keyfile': key}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, 'keyfile', key)


def as_other_user():
    """Popen arguments under which a file with mode 0 is unreadable."""
    if os.geteuid() != 0:
        return {}
    # Root reads any file; without these it obeys the mode like others.
    return {'preexec_fn': without_capabilities(CAP_DAC_OVERRIDE,
                                               CAP_DAC_READ_SEARCH)}


def test_unreadable_key_file(services, certs, tmp_path):
    key = tmp_path / 'unreadable.key'
    shutil.copy(certs.server_key, key)
    key.chmod(0)
    svc = services(sections={'ssl': {
        'enable': True, 'certfile': certs.server_cert, 'keyfile': str(key)}},
        popen_kwargs=as_other_user())
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_NOINPUT, 'keyfile', str(key),
                         'permission denied')


def test_key_not_matching_certificate(services, certs):
    svc = run(services, {'ssl': {'enable': True, 'certfile': certs.server_cert,
                                 'keyfile': certs.wrong_key}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, 'keyfile', certs.wrong_key,
                         'does not match')


def test_unknown_paste_name(services, tmp_path):
    paste = write(tmp_path / 'main-only-paste.ini', MAIN_ONLY_PASTE)
    svc = run(services, {'paste_deploy': {'config_file': paste}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, paste, "'admin'")


def test_missing_paste_file(services):
    svc = run(services, {'paste_deploy': {'config_file': 'missing-paste.ini'}})
    assert_clean_failure(svc, errors.EXIT_NOINPUT, '[paste_deploy]',
                         'missing-paste.ini')


@pytest.mark.parametrize('body,fragment', [
    ("raise RuntimeError('factory exploded on purpose')",
     'RuntimeError: factory exploded on purpose'),
    # A LookupError, but the factory's own, not a missing paste name.
    ("return local_conf['backend']", "KeyError: 'backend'"),
    ("return int('many')", 'ValueError'),
], ids=['RuntimeError', 'KeyError', 'ValueError'])
def test_paste_factory_raises(services, tmp_path, body, fragment):
    modules = tmp_path / 'modules'
    modules.mkdir()
    write(modules / 'raising_factory.py', RAISING_FACTORY % body)
    paste = write(tmp_path / 'raising-paste.ini', RAISING_PASTE)
    svc = run(services, {'paste_deploy': {'config_file': paste}},
              env={'PYTHONPATH': service.pythonpath(modules)})
    assert_clean_failure(svc, errors.EXIT_SOFTWARE, "'admin'", paste,
                         fragment, 'fix the factory')


def test_paste_file_without_sections(services, tmp_path):
    paste = write(tmp_path / 'garbage-paste.ini', 'not an ini file\n')
    svc = run(services, {'paste_deploy': {'config_file': paste}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, paste, 'cannot be parsed')


def test_missing_config_file(services):
    svc = services(write_config=False)
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_NOINPUT, str(svc.config_path),
                         'not found')


def test_unparseable_config_file(services):
    svc = services(config_text='[DEFAULT\nadmin_port = 1\n')
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_CONFIG, str(svc.config_path),
                         'cannot be parsed')


def test_unreadable_config_file(services):
    svc = services(write_config=False, popen_kwargs=as_other_user())
    svc.write_config().chmod(0)
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_NOINPUT, str(svc.config_path),
                         'permission denied')


def test_config_file_is_a_directory(services, tmp_path):
    svc = services(write_config=False)
    svc.config_path = tmp_path
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_NOINPUT, str(tmp_path),
                         'Is a directory')


def test_config_file_is_not_utf8(services):
    svc = services(write_config=False)
    svc.config_path.write_bytes(b'[DEFAULT]\nonready = caf\xe9\n')
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_CONFIG, str(svc.config_path),
                         'utf-8')


def test_missing_config_dir(services, tmp_path):
    missing = str(tmp_path / 'conf.d')
    svc = services(extra_args=['--config-dir', missing])
    svc.run_to_exit()
    assert_clean_failure(svc, errors.EXIT_NOINPUT, missing, 'not found')


def test_unwritable_log_file(services, tmp_path):
    log_file = str(tmp_path / 'missing-dir' / 'service.log')
    svc = run(services, {'DEFAULT': {'log_file': log_file}})
    assert_clean_failure(svc, errors.EXIT_CONFIG, '[DEFAULT] log_file',
                         log_file, 'No such file or directory')


def test_ctrl_c_during_start_up(services, tmp_path):
    modules = tmp_path / 'modules'
    modules.mkdir()
    marker = tmp_path / 'factory-started'
    write(modules / 'sleepy_factory.py', SLEEPY_FACTORY)
    paste = write(tmp_path / 'sleepy-paste.ini',
                  SLEEPY_PASTE.format(marker=marker))
    svc = services(sections={'paste_deploy': {'config_file': paste}},
                   env={'PYTHONPATH': service.pythonpath(modules)})
    svc.start(wait=False)
    service.wait_for(marker.exists, 10, 'the paste factory to run')
    svc.send_signal(signal.SIGINT)
    assert svc.wait_exit(timeout=5) == errors.EXIT_INTERRUPTED, svc.log
    assert_clean_failure(svc, errors.EXIT_INTERRUPTED, 'interrupted')


def test_bad_command_line(services):
    svc = services(extra_args=['--no-such-flag'])
    svc.run_to_exit()
    assert svc.returncode == errors.EXIT_USAGE, svc.log
    assert 'Traceback' not in svc.log
    assert_ports_free(svc)


def test_missing_credential_key_repository(services, tmp_path):
    missing = tmp_path / 'credential-keys'
    svc = run(services, {'credential': {'key_repository': str(missing)}})
    assert_clean_failure(
        svc, errors.EXIT_CONFIG, 'Credential key repository %s does not '
        'exist; run: service-manage credential_setup' % missing)
