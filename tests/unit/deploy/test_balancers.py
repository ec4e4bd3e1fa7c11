"""The shipped HAProxy and nginx configurations pass their own syntax
checks (``haproxy -c``, ``nginx -t``); skipped where the binary is absent.
"""

import pathlib
import shutil
import subprocess

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
