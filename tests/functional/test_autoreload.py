"""service-all --reload: a real reloader restarting a real service."""

import os
import signal
import subprocess
import sys
import time

import pytest

from keystone_like.server.control import verbs as control
from keystone_like.server.control import status
from tests.support import service

APP = '''\
"""A paste app answering 200 everywhere."""


def app_factory(global_conf, **local_conf):
    def app(environ, start_response):
        start_response('200 OK', [('Content-Length', '2')])
        return [b'ok']
    return app


def broken_factory(global_conf, **local_conf):
    raise RuntimeError('broken on purpose')
'''

PASTE = '''\
[app:main]
paste.app_factory = dev_app:{factory}

[app:admin]
paste.app_factory = dev_app:{factory}
'''
STARTED_CHILD = 'started the service process'


class DevServer:
    """``service-all --reload`` as a child of the test, and its service."""

    def __init__(self, tmp_path):
        modules = tmp_path / 'modules'
        modules.mkdir()
        (modules / 'dev_app.py').write_text(APP)
        self.paste = tmp_path / 'dev-paste.ini'
        self.write_paste('app_factory')
        self.svc = service.ServiceProcess(
            tmp_path, name='dev', sections={'paste_deploy': {
                'config_file': str(self.paste)}})
        self.svc.write_config()
        self.pid_file = str(self.svc.sections['DEFAULT']['pid_file'])
        self.stderr = tmp_path / 'reloader.stderr'
        self.children = set()
        with open(self.stderr, 'wb') as err:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'keystone_like.cmd.all', '--reload',
                 '--config-file', str(self.svc.config_path)],
                stdout=subprocess.DEVNULL, stderr=err,
                stdin=subprocess.DEVNULL, cwd=str(tmp_path),
                env=dict(os.environ,
                         PYTHONPATH=service.pythonpath(modules)))

    def write_paste(self, factory):
        """Point both paste apps at ``factory`` (bumping the mtime)."""
        self.paste.write_text(PASTE.format(factory=factory))
        bump(self.paste)

    @property
    def log(self):
        """What the reloader and its children wrote to stderr."""
        return self.stderr.read_text(errors='replace')

    def wait_serving(self, other_than=None, timeout=30):
        """Wait for a ready service whose pid is not ``other_than``."""
        def ready():
            pid = control.pid_in(self.pid_file)
            doc = control.document_of(self.pid_file, pid) or {}
            if pid != other_than and doc.get('state') == 'ready':
                return pid
            if self.process.poll() is not None:
                raise AssertionError('reloader exited:\n%s' % self.log)
            return None
        try:
            pid = service.wait_for(ready, timeout, 'a ready service')
        except AssertionError as exc:
            raise AssertionError('%s\n%s' % (exc, self.log)) from None
        self.children.add(pid)
        assert self.svc.get('public')[0] == 200
        return pid

    def wait_log(self, text, count=1, timeout=30):
        """Wait until ``text`` appears ``count`` times in the log."""
        try:
            service.wait_for(lambda: self.log.count(text) >= count, timeout,
                             repr(text))
        except AssertionError as exc:
            raise AssertionError('%s\n%s' % (exc, self.log)) from None

    def end(self):
        """Stop the reloader, then anything of ours it left behind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pid in self.children:
            if control.alive(pid):
                os.kill(pid, signal.SIGKILL)


def bump(path, seconds=2):
    """Move ``path``'s mtime ahead, so even a same-second edit is seen."""
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns,
                       info.st_mtime_ns + seconds * 10**9))


@pytest.fixture
def dev(tmp_path):
    """A running ``service-all --reload``, always stopped at the end."""
    server = DevServer(tmp_path)
    yield server
    server.end()


def test_touching_the_config_restarts_the_service(dev):
    first = dev.wait_serving()
    with open(dev.svc.config_path, 'a') as f:
        f.write('# edited\n')
    bump(dev.svc.config_path)
    second = dev.wait_serving(other_than=first)
    assert not control.alive(first)
    assert 'dev.conf changed, restarting the service' in dev.log
    dev.process.send_signal(signal.SIGTERM)
    assert dev.process.wait(20) == 0
    assert not control.alive(second)
    assert not os.path.exists(dev.pid_file)


def test_a_crashing_service_waits_for_the_next_change(dev):
    first = dev.wait_serving()
    dev.write_paste('broken_factory')
    dev.wait_log('The service exited with code 70 (an application factory '
                 'in the paste pipeline failed); waiting for a file change')
    assert 'broken on purpose' in dev.log
    assert not control.alive(first)
    starts = dev.log.count(STARTED_CHILD)
    time.sleep(3)   # three polls: proving no retry needs the time to pass
    assert dev.log.count(STARTED_CHILD) == starts
    assert dev.process.poll() is None
    dev.write_paste('app_factory')
    dev.wait_serving(other_than=first)
    assert dev.log.count(STARTED_CHILD) == starts + 1


def test_the_reloader_ends_when_the_service_is_stopped(dev):
    pid = dev.wait_serving()
    result = subprocess.run(
        [sys.executable, '-m', 'keystone_like.cmd.all', 'stop',
         '--config-file', str(dev.svc.config_path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result
    assert dev.process.wait(20) == 0
    assert not control.alive(pid)
    assert 'stopping the reloader' in dev.log


def test_the_service_runs_in_one_process_whatever_the_config_says(tmp_path):
    modules = tmp_path / 'modules'
    modules.mkdir()
    (modules / 'dev_app.py').write_text(APP)
    paste = tmp_path / 'workers-paste.ini'
    paste.write_text(PASTE.format(factory='app_factory'))
    svc = service.ServiceProcess(
        tmp_path, name='workers',
        command=[sys.executable, '-m', 'keystone_like.cmd.all', '--reload'],
        env={'PYTHONPATH': service.pythonpath(modules)},
        sections={'DEFAULT': {'admin_workers': 4, 'public_workers': 4},
                  'paste_deploy': {'config_file': str(paste)}})
    pid_file = str(svc.sections['DEFAULT']['pid_file'])
    try:
        svc.start()     # returns once the child logs it is ready
        doc = status.read_status(status.status_path(pid_file))
        assert (doc['mode'], doc['state']) == ('single', 'ready')
        assert doc['pid'] == control.pid_in(pid_file) != svc.pid
    finally:
        assert svc.stop(timeout=20) == 0
