"""What ships: the generated sample config, the console scripts, bin/."""

import importlib.metadata
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

from oslo_config import generator
import pytest

from tests.support import service

ROOT = service.ROOT
SAMPLE = ROOT / 'etc' / 'keystone_like.conf.sample'
GENERATOR_CONF = ROOT / 'etc' / 'oslo-config-generator' / 'keystone_like.conf'
BUILD_TIMEOUT = 180
RUN_TIMEOUT = 30
# Not part of a build; copying them would only cost time.
COPY_IGNORE = shutil.ignore_patterns(
    '.venv', '.git', '.tox', '.eggs', 'build', 'dist', '*.egg-info',
    '__pycache__', '.pytest_cache', '*.pyc')

NO_EVENTLET_SCRIPT = '''
import importlib
import pkgutil
import sys

import keystone_like.api
import keystone_like.conf
import keystone_like.middleware
import keystone_like.server.config
import keystone_like.server.control
from keystone_like.server import cli as service_all

for package in (keystone_like.api, keystone_like.middleware,
                keystone_like.conf, keystone_like.server.config,
                keystone_like.server.control):
    for info in pkgutil.walk_packages(package.__path__,
                                      package.__name__ + '.'):
        importlib.import_module(info.name)
code = service_all.load_config(['--config-file', sys.argv[1]],
                               keystone_like.server.config.new())
assert code is None, code
print(' '.join(sorted(name for name in sys.modules
                      if name.split('.')[0] == 'eventlet')))
'''


def site_packages(prefix):
    """The purelib directory of the environment at ``prefix``."""
    return pathlib.Path(sysconfig.get_path(
        'purelib', vars={'base': str(prefix), 'platbase': str(prefix)}))


def clean_env(home):
    """The environment for installed commands: no PYTHONPATH, own HOME."""
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env['HOME'] = str(home)
    return env


def run(argv, env=None, cwd=None, timeout=RUN_TIMEOUT):
    return subprocess.run([str(a) for a in argv], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=timeout)


def make_bare_venv(path):
    """A venv without pip whose only extra path is this venv's packages.

    A ``.pth`` line adds the outer site-packages to ``sys.path`` without
    processing the ``.pth`` files in it, so the dependencies import but the
    editable install of keystone_like does not.
    """
    result = run([sys.executable, '-m', 'venv', '--without-pip', path])
    assert result.returncode == 0, result.stderr
    inner = site_packages(path)
    (inner / 'outer-venv.pth').write_text(
        str(site_packages(sys.prefix)) + '\n')
    return pathlib.Path(path) / 'bin' / 'python'


def build_wheel(source, out):
    """Build a wheel of ``source``; fall back to build isolation."""
    pip = [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q',
           '-w', out]
    env = dict(os.environ)
    # The copy has no .git, so tell pbr the version instead.
    env['PBR_VERSION'] = importlib.metadata.version('keystone_like')
    result = run(pip + ['--no-build-isolation', source], env=env,
                 timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        result = run(pip + [source], env=env, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stderr
    wheels = list(pathlib.Path(out).glob('keystone_like-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """A fresh venv with a wheel of the checkout installed in it."""
    top = tmp_path_factory.mktemp('packaging')
    # A copy keeps build/ and egg-info out of the shared checkout.
    source = top / 'source'
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    wheel = build_wheel(source, top / 'wheels')
    venv = top / 'venv'
    python = make_bare_venv(venv)
    result = run([sys.executable, '-m', 'pip', '--python', python,
                  'install', '--no-deps', '--no-index', '-q', wheel],
                 timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stderr
    return venv


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def test_sample_config_is_current(tmp_path):
    generated = tmp_path / 'keystone_like.conf.sample'
    generator.main(['--config-file', str(GENERATOR_CONF),
                    '--output-file', str(generated)])
    assert generated.read_text() == SAMPLE.read_text(), (
        'etc/keystone_like.conf.sample is out of date; run "tox -e '
        'genconfig" and commit the result')


def test_installed_package_is_the_wheel(installed, tmp_path):
    result = run([installed / 'bin' / 'python', '-c',
                  'import keystone_like.conf as c; print(c.__file__); '
                  'print(c.checkout_etc_dir())'],
                 env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    module_file, etc = result.stdout.split()
    assert module_file.startswith(str(installed)), module_file
    assert etc == 'None'
    assert (installed / 'etc' / 'keystone_like'
            / 'keystone_like-paste.ini').is_file()


def test_console_script_help_and_version(installed, tmp_path):
    script = installed / 'bin' / 'service-all'
    result = run([script, '--help'], env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('usage: service-all')
    assert '--config-file' in result.stdout
    result = run([script, '--version'], env=clean_env(tmp_path),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The wheel's own version (the editable install's may be older).
    dist_info, = installed.glob('lib/python*/site-packages/'
                                'keystone_like-*.dist-info')
    version = dist_info.name[len('keystone_like-'):-len('.dist-info')]
    assert version in result.stdout + result.stderr


def test_manage_console_script_help(installed, tmp_path):
    if not (ROOT / 'keystone_like' / 'cmd' / 'manage.py').is_file():
        pytest.skip('keystone_like/cmd/manage.py does not exist yet')
    result = run([installed / 'bin' / 'service-manage', '--help'],
                 env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'service-manage' in result.stdout


def test_installed_console_script_serves(installed, services, tmp_path):
    # No paste ini next to the config, no HOME copy: the one found is the
    # data file installed at <prefix>/etc/keystone_like/.
    svc = services(command=[str(installed / 'bin' / 'service-all')],
                   env={'PYTHONPATH': None, 'HOME': str(tmp_path)}).start()
    for listener in ('admin', 'public'):
        assert svc.get(listener, '/')[0] == 300
        assert svc.get(listener, '/v3')[0] == 200
    assert svc.stop() == 0


def test_bin_wrapper_runs_from_the_checkout(services, tmp_path):
    python = make_bare_venv(tmp_path / 'bare')
    result = run([python, '-c', 'import keystone_like'], cwd=tmp_path,
                 env=clean_env(tmp_path))
    assert result.returncode != 0, 'keystone_like must not be importable'
    svc = services(command=[str(python), str(service.BIN_SERVICE_ALL)],
                   env={'PYTHONPATH': None, 'HOME': str(tmp_path)}).start()
    for listener in ('admin', 'public'):
        assert svc.get(listener, '/')[0] == 300
        assert svc.get(listener, '/v3')[0] == 200
    assert svc.stop() == 0


def test_config_path_api_and_middleware_do_not_import_eventlet(tmp_path):
    config = tmp_path / 'plain.conf'
    config.write_text(service.render_config({'DEFAULT': {
        'admin_bind_host': '127.0.0.1', 'public_bind_host': '127.0.0.1'}}))
    result = run([sys.executable, '-c', NO_EVENTLET_SCRIPT, config],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '', (
        'imported without the launcher: %s' % result.stdout)
