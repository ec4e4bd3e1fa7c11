"""The shipped HAProxy and nginx configurations pass their own syntax
checks (``haproxy -c``, ``nginx -t``); skipped where the binary is absent.
"""

import importlib.util
import pathlib
import shutil
import subprocess
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
HAPROXY_CFG = ROOT / 'deploy' / 'haproxy' / 'haproxy.cfg'
NGINX_CONF = ROOT / 'deploy' / 'nginx' / 'keystone_like.conf'
TIMEOUT = 30


def binary(name):
    path = shutil.which(name) or shutil.which(name, path='/usr/sbin:/sbin')
    if path is None:
        pytest.skip('%s is not installed (deploy/multinode/'
                    'install-haproxy.sh installs HAProxy)' % name)
    return path


def test_haproxy_config_is_valid():
    completed = subprocess.run(
        [binary('haproxy'), '-c', '-f', str(HAPROXY_CFG)],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert 'Configuration file is valid' in completed.stdout


def test_haproxy_config_retries_and_probes():
    text = HAPROXY_CFG.read_text()
    assert 'retry-on conn-failure empty-response' in text
    assert 'option redispatch' in text
    assert text.count('http-check send meth GET uri /healthcheck') == 2
    assert text.count('http-request disable-l7-retry if non_idempotent') == 2


def test_nginx_config_is_valid(tmp_path):
    nginx = binary('nginx')
    temp_paths = ''.join(
        '    %s_temp_path %s;\n' % (kind, tmp_path / kind)
        for kind in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'))
    main = tmp_path / 'nginx.conf'
    values = (tmp_path / 'nginx.pid', tmp_path / 'error.log', temp_paths,
              NGINX_CONF)
    main.write_text(
        'pid %s;\nerror_log %s;\nevents {}\nhttp {\n%s    access_log off;\n'
        '    include %s;\n}\n' % values)
    completed = subprocess.run(
        [nginx, '-t', '-p', str(tmp_path), '-e', str(tmp_path / 'error.log'),
         '-c', str(main)], capture_output=True, text=True, timeout=TIMEOUT)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert 'syntax is ok' in output


def test_nginx_retries_only_idempotent_requests():
    text = NGINX_CONF.read_text()
    directives = [line.split() for line in text.splitlines()
                  if line.strip().startswith('proxy_next_upstream ')]
    assert directives == [['proxy_next_upstream', 'error', 'timeout;']]


def _harness_cluster():
    spec = importlib.util.spec_from_file_location(
        'multinode_cluster', ROOT / 'deploy' / 'multinode' / 'cluster.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_harness_runs_the_shipped_config_rewritten(tmp_path):
    """deploy/multinode/harness.py runs haproxy.cfg itself: its rewrite
    keeps every directive but the root-only ones, and stays valid."""
    cluster = _harness_cluster()
    nodes = [types.SimpleNamespace(name='node%d' % i, public_port=5000 + i,
                                   admin_port=35000 + i) for i in (1, 2, 3)]
    haproxy = cluster.HAProxy(tmp_path, nodes)
    text = haproxy.render()
    for node in nodes:
        assert 'server %s 127.0.0.1:%d check' % (
            node.name, node.public_port) in text
        assert 'server %s 127.0.0.1:%d check' % (
            node.name, node.admin_port) in text
    shipped = {line.strip() for line in HAPROXY_CFG.read_text().splitlines()
               if line.strip().startswith(('retry', 'option', 'http-',
                                           'default-server', 'acl'))}
    assert shipped <= {line.strip() for line in text.splitlines()}
    config = tmp_path / 'rendered.cfg'
    config.write_text(text)
    completed = subprocess.run(
        [binary('haproxy'), '-c', '-f', str(config)],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
