"""service-all serves third-party paste applications, not only its own.

Two applications written by the test, as a new user would bring them:

- ``global_opts_app`` registers options with the very names the launcher
  reads (``admin_port``, ``public_endpoint``, ``debug``, and a
  ``[paste_deploy]`` group) on oslo.config's global ``CONF``, with other
  types and defaults: the launcher's options are its own, so nothing
  clashes;
- ``oslo_app`` is built on oslo.config like Keystone's: its factory
  registers its options on the global ``CONF`` and parses its own config
  file (named in the paste ini) and, as Keystone does, ``sys.argv``
  (which must not hold service-all's arguments), and answers with a value
  from it, so a reload shows that it was parsed again.

Both listeners serve them, in single-process and worker mode; in worker
mode a SIGHUP reload brings the new value.
"""

import json
import signal
import textwrap

import pytest

from tests.functional import test_workers as workers
from tests.support import service

GLOBAL_OPTS_APP = '''\
"""Registers options named like service-all's on the global CONF."""

import json

from oslo_config import cfg

cfg.CONF.register_opts([
    cfg.StrOpt('admin_port', default='not-a-port',
               help='Same name as the launcher\\'s, another type.'),
    cfg.StrOpt('public_endpoint', default='third-party-endpoint'),
])
cfg.CONF.register_cli_opts([cfg.StrOpt('debug', default='chatty')])
cfg.CONF.register_opts([cfg.StrOpt('config_file', default='mine.ini')],
                       group='paste_deploy')


def app_factory(global_conf, **local_conf):
    body = json.dumps({
        'app': 'global_opts_app', 'admin_port': cfg.CONF.admin_port,
        'public_endpoint': cfg.CONF.public_endpoint,
        'debug': cfg.CONF.debug,
        'paste_config_file': cfg.CONF.paste_deploy.config_file,
    }).encode()

    def app(environ, start_response):
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    return app
'''

OSLO_APP = '''\
"""An application built on oslo.config, parsing its own config file."""

import json

from oslo_config import cfg

CONF = cfg.CONF
OPTS = [cfg.StrOpt('public_endpoint', help='Ours, not the launcher\\'s.'),
        cfg.IntOpt('admin_port', default=1)]


def app_factory(global_conf, config_file, **local_conf):
    CONF.register_opts(OPTS)
    # As Keystone does: no args, so oslo.config parses sys.argv, which
    # must not hold service-all's own --config-file.
    CONF(project='oslo_app', default_config_files=[config_file])

    def app(environ, start_response):
        body = json.dumps({'app': 'oslo_app',
                           'public_endpoint': CONF.public_endpoint,
                           'admin_port': CONF.admin_port}).encode()
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    return app
'''

GC_APP = '''\
"""Builds a large cache at its first request; reports the frozen heap."""

import gc
import json

CACHE = []


def app_factory(global_conf, **local_conf):
    def app(environ, start_response):
        if not CACHE:
            # What lazy imports and caches make at a first request.
            CACHE.extend({'entry': [i]} for i in range(50000))
        body = json.dumps({'frozen': gc.get_freeze_count()}).encode()
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    return app
'''

PASTE = '''\
[app:main]
paste.app_factory = {module}:app_factory
{extra}

[app:admin]
paste.app_factory = {module}:app_factory
{extra}
'''


@pytest.fixture
def services(tmp_path):
    """Make service processes that are stopped at the end of the test."""
    with service.Services(tmp_path) as factory:
        yield factory


def third_party(services, tmp_path, module, workers_count, extra=''):
    """A service-all serving ``module`` (written to tmp_path) on both."""
    modules = tmp_path / 'modules'
    modules.mkdir()
    source = {'global_opts_app': GLOBAL_OPTS_APP, 'oslo_app': OSLO_APP,
              'gc_app': GC_APP}
    (modules / (module + '.py')).write_text(source[module])
    paste = tmp_path / 'third-party-paste.ini'
    paste.write_text(PASTE.format(module=module, extra=extra))
    sections = workers.workers_sections(workers_count, workers_count)
    if not workers_count:
        sections['DEFAULT'].update(admin_workers=0, public_workers=0)
    sections['paste_deploy'] = {'config_file': str(paste)}
    # The launcher's own options, set to values the apps must not see.
    sections['DEFAULT']['public_endpoint'] = 'https://launcher.example/'
    return services(env={'PYTHONPATH': service.pythonpath(modules)},
                    sections=sections, extra_args=['--debug'])


def answers(svc):
    """The JSON document each listener answers, by listener name."""
    result = {}
    for listener in ('admin', 'public'):
        status, _, body = svc.get(listener, '/')
        assert status == 200, (listener, status, body)
        result[listener] = json.loads(body)
    return result


def wait_ready(svc, workers_count):
    if workers_count:
        return service.wait_for(lambda: workers.all_ready(svc), 15, 'ready')
    return None


@pytest.mark.parametrize('workers_count', [0, 1], ids=['single', 'workers'])
def test_app_with_the_launchers_option_names_on_the_global_conf(
        services, tmp_path, workers_count):
    svc = third_party(services, tmp_path, 'global_opts_app',
                      workers_count).start()
    wait_ready(svc, workers_count)
    for document in answers(svc).values():
        assert document == {
            'app': 'global_opts_app', 'admin_port': 'not-a-port',
            'public_endpoint': 'third-party-endpoint', 'debug': 'chatty',
            'paste_config_file': 'mine.ini'}
    assert 'DuplicateOptError' not in svc.log
    assert svc.stop() == 0


@pytest.mark.parametrize('workers_count', [0, 1], ids=['single', 'workers'])
def test_app_built_on_oslo_config_parses_its_own_file_and_reloads(
        services, tmp_path, workers_count):
    app_conf = tmp_path / 'oslo_app.conf'
    app_conf.write_text(textwrap.dedent('''\
        [DEFAULT]
        public_endpoint = https://first.example/
        admin_port = 4242
        '''))
    svc = third_party(services, tmp_path, 'oslo_app', workers_count,
                      extra='config_file = %s' % app_conf).start()
    document = wait_ready(svc, workers_count)
    for answer in answers(svc).values():
        assert answer == {'app': 'oslo_app', 'admin_port': 4242,
                          'public_endpoint': 'https://first.example/'}
    if workers_count:
        app_conf.write_text(app_conf.read_text().replace('first', 'second'))
        old = workers.worker_pids(document)
        svc.send_signal(signal.SIGHUP)
        service.wait_for(
            lambda: workers.all_ready(svc, document['generation'] + 1,
                                      exclude=old), 20, 'the reload')
        service.wait_for(
            lambda: all(a['public_endpoint'] == 'https://second.example/'
                        for a in answers(svc).values()), 10,
            'the new value on both listeners')
    assert svc.stop() == 0


@pytest.mark.parametrize('workers_count', [0, 1], ids=['single', 'workers'])
def test_what_startup_and_the_first_requests_made_is_frozen(
        services, tmp_path, workers_count):
    """Once the pipelines answer, the heap so far leaves the collector's
    walks (gc.freeze): a full collection over a loaded service's objects
    stalled every request in flight for ~80 ms every few seconds."""
    svc = third_party(services, tmp_path, 'gc_app', workers_count).start()
    wait_ready(svc, workers_count)
    for document in answers(svc).values():
        # The readiness probe was the first request: its 100k objects
        # (50k dicts, 50k lists) are frozen with the rest.
        assert document['frozen'] > 100000, document
    assert svc.stop() == 0
