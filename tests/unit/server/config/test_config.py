"""Config validation, per-listener settings and file discovery."""

import pathlib
import sys

from oslo_config import cfg
import pytest

from keystone_like import conf as app_conf
from keystone_like.server import config as ks_conf
from keystone_like.server.config import listener
from keystone_like.conf import opts
from keystone_like.server.config import validation


def load(tmp_path, text, name='keystone_like.conf', args=()):
    """Return a fresh ConfigOpts parsed from ``text`` written to a file."""
    path = tmp_path / name
    path.write_text(text)
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf(args=['--config-file', str(path), *args], project='keystone_like',
         default_config_files=[])
    return conf


def tls_text(certs, extra=''):
    return ('[ssl]\nenable = true\ncertfile = %s\nkeyfile = %s\n%s'
            % (certs.server_cert, certs.server_key, extra))


@pytest.mark.parametrize('text,fragments', [
    ('[DEFAULT]\nadmin_port = 70000\n',
     ('[DEFAULT] admin_port', '70000', 'set it to a port number')),
    ('[DEFAULT]\npublic_port = http\n',
     ('[DEFAULT] public_port', 'http', 'set it to a port number')),
    ('[DEFAULT]\nadmin_bind_host = not a host!\n',
     ('[DEFAULT] admin_bind_host', 'not a host!', 'IPv4 or IPv6 address')),
    ('[DEFAULT]\npublic_endpoint = ftp://example.com/\n',
     ('[DEFAULT] public_endpoint', 'ftp://example.com/', 'https:// URL')),
    ('[eventlet_server]\nclient_socket_timeout = -1\n',
     ('[eventlet_server] client_socket_timeout', '-1', 'at least 0')),
    ('[eventlet_server]\npool_size = many\n',
     ('[eventlet_server] pool_size', 'many', 'whole number')),
    ('[eventlet_server_public]\nmax_header_line = 10\n',
     ('[eventlet_server_public] max_header_line', '10', 'at least 256')),
    ('[ssl]\nenable = maybe\n', ('[ssl] enable', 'maybe', 'true or false')),
    ('[ssl_admin]\ncert_required = sure\n',
     ('[ssl_admin] cert_required', 'sure', 'true or false')),
    ('[ssl]\nminimum_version = SSLv3\n',
     ('[ssl] minimum_version', 'SSLv3', 'one of TLSv1.2, TLSv1.3')),
    ('[DEFAULT]\ntrusted_proxies = 10.0.0.1, proxy.example\n',
     ('[DEFAULT] trusted_proxies', 'proxy.example', '10.0.0.0/24')),
], ids=['port-range', 'port-word', 'host', 'uri-scheme', 'negative',
        'int-word', 'override-min', 'bool', 'override-bool', 'choice',
        'proxy'])
def test_bad_value_names_group_option_value_and_fix(
        tmp_path, text, fragments):
    conf = load(tmp_path, text)
    with pytest.raises(validation.ConfigError) as caught:
        # The launcher's options and the application's (public_endpoint).
        app_conf.validate(conf)
    message = str(caught.value)
    assert '\n' not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize('use_dir', [False, True], ids=['file', 'dir'])
def test_bad_command_line_option_value_in_a_file(tmp_path, capsys, use_dir):
    directory = tmp_path / 'conf.d'
    directory.mkdir()
    (directory / '10-good.conf').write_text('[DEFAULT]\ndebug = true\n')
    bad = directory / '20-bad.conf'
    bad.write_text('[DEFAULT]\ndebug = maybe\n')
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    args = (['--config-dir', str(directory)] if use_dir
            else ['--config-file', str(bad)])
    with pytest.raises(validation.ConfigError) as caught:
        ks_conf.configure(args, conf=conf)
    assert str(caught.value) == (
        "[DEFAULT] debug = maybe is not valid (Unexpected boolean value "
        "'maybe'); set it to true or false in %s." % bad)
    assert capsys.readouterr().err == ''


def test_bad_command_line_is_still_argparse_exit_2(capsys):
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    with pytest.raises(SystemExit) as caught:
        ks_conf.configure(['--no-such-option'], conf=conf)
    assert caught.value.code == 2
    assert 'unrecognized arguments' in capsys.readouterr().err


def test_bad_value_names_the_config_file(tmp_path):
    conf = load(tmp_path, '[DEFAULT]\nadmin_port = -1\n')
    with pytest.raises(validation.ConfigError) as caught:
        validation.validate(conf)
    assert str(tmp_path / 'keystone_like.conf') in str(caught.value)


def test_defaults_are_valid(tmp_path):
    validation.validate(load(tmp_path, ''))


@pytest.mark.parametrize('admin_host,public_host,clash', [
    ('127.0.0.1', '127.0.0.1', True),
    ('0.0.0.0', '127.0.0.1', True),
    ('::', '127.0.0.1', True),
    ('::1', '::1', True),
    ('127.0.0.1', '127.0.0.2', False),
    ('0.0.0.0', '::1', False),
])
def test_same_port_on_overlapping_addresses(tmp_path, admin_host,
                                            public_host, clash):
    conf = load(tmp_path, '[DEFAULT]\nadmin_port = 5000\npublic_port = 5000\n'
                          'admin_bind_host = %s\npublic_bind_host = %s\n'
                          % (admin_host, public_host))
    if not clash:
        validation.validate(conf)
        return
    with pytest.raises(validation.ConfigError) as caught:
        validation.validate(conf)
    assert 'admin_port and public_port are both 5000' in str(caught.value)
    assert 'own port' in str(caught.value)


def test_port_zero_twice_is_fine(tmp_path):
    validation.validate(load(tmp_path, '[DEFAULT]\nadmin_port = 0\n'
                                       'public_port = 0\n'))


def test_tls_without_certfile(tmp_path):
    conf = load(tmp_path, '[ssl]\nenable = true\nkeyfile = /k.pem\n')
    with pytest.raises(validation.ConfigError) as caught:
        validation.validate(conf)
    message = str(caught.value)
    assert 'admin listener' in message
    assert '[ssl] certfile' in message and '[ssl_admin] certfile' in message
    assert 'enable = false' in message


def test_tls_enabled_for_one_listener_needs_its_files(tmp_path):
    conf = load(tmp_path, '[ssl_public]\nenable = true\n')
    with pytest.raises(validation.ConfigError) as caught:
        validation.validate(conf)
    assert 'public listener' in str(caught.value)
    assert '[ssl_public] certfile' in str(caught.value)


def test_cert_required_without_ca_certs(tmp_path, certs):
    conf = load(tmp_path, tls_text(certs, '[ssl_admin]\n'
                                          'cert_required = true\n'))
    with pytest.raises(validation.ConfigError) as caught:
        validation.validate(conf)
    message = str(caught.value)
    assert 'cert_required = true for the admin listener' in message
    assert '[ssl_admin] ca_certs' in message


def test_cert_required_with_ca_certs_is_valid(tmp_path, certs):
    conf = load(tmp_path, tls_text(
        certs, '[ssl_admin]\ncert_required = true\nca_certs = %s\n'
        % certs.ca_cert))
    validation.validate(conf)


def test_cert_required_only_on_admin(tmp_path, certs):
    conf = load(tmp_path, tls_text(
        certs, '[ssl_admin]\ncert_required = true\nca_certs = %s\n'
        % certs.ca_cert))
    admin = listener.listener_settings(conf, 'admin')
    public = listener.listener_settings(conf, 'public')
    assert admin.tls.cert_required and admin.tls.ca_certs == certs.ca_cert
    assert not public.tls.cert_required and public.tls.ca_certs is None
    assert admin.tls.certfile == public.tls.certfile == certs.server_cert


def test_pool_size_only_on_public(tmp_path):
    conf = load(tmp_path, '[eventlet_server]\npool_size = 50\n'
                          '[eventlet_server_public]\npool_size = 7\n')
    assert listener.listener_settings(conf, 'public').pool_size == 7
    assert listener.listener_settings(conf, 'admin').pool_size == 50


def test_listener_settings_defaults(tmp_path):
    conf = load(tmp_path, '[DEFAULT]\nadmin_bind_host = ::1\n'
                          'admin_port = 1234\n')
    admin = listener.listener_settings(conf, 'admin')
    public = listener.listener_settings(conf, 'public')
    assert (admin.name, admin.host, admin.port) == ('admin', '::1', 1234)
    assert (public.host, public.port) == ('0.0.0.0', 5000)
    assert admin.tls is None and public.tls is None
    assert admin.pool_size == public.pool_size == 1000


def test_override_false_beats_true_default(tmp_path):
    # An explicit false must override, not fall back (None means unset).
    conf = load(tmp_path, '[eventlet_server_admin]\nwsgi_keep_alive = false\n')
    assert not listener.listener_settings(conf, 'admin').wsgi_keep_alive
    assert listener.listener_settings(conf, 'public').wsgi_keep_alive


def test_zero_client_socket_timeout_means_no_timeout(tmp_path):
    conf = load(tmp_path, '[eventlet_server]\nclient_socket_timeout = 0\n')
    validation.validate(conf)
    assert listener.listener_settings(
        conf, 'admin').client_socket_timeout is None


# -- config file discovery ------------------------------------------------

@pytest.fixture
def search(tmp_path, monkeypatch):
    """Point every searched directory into tmp_path; return them by name."""
    dirs = {name: tmp_path / name for name in ('checkout', 'home', 'prefix')}
    for path in dirs.values():
        path.mkdir()
    monkeypatch.setenv('HOME', str(dirs['home']))
    monkeypatch.setattr(sys, 'prefix', str(dirs['prefix']))
    monkeypatch.setattr(ks_conf, 'checkout_etc_dir',
                        lambda: dirs['checkout'])
    dirs['home'] = dirs['home'] / '.keystone_like'
    dirs['prefix'] = dirs['prefix'] / 'etc' / 'keystone_like'
    dirs['home'].mkdir()
    dirs['prefix'].mkdir(parents=True)
    return dirs


def test_search_dirs_order(search):
    assert ks_conf.search_dirs() == [
        search['checkout'], search['home'], search['prefix'],
        pathlib.Path('/etc/keystone_like')]


def test_config_file_discovery_order(search):
    for name in ('prefix', 'home', 'checkout'):
        (search[name] / 'keystone_like.conf').write_text('')
    assert ks_conf.find_config_files() == [
        str(search['checkout'] / 'keystone_like.conf')]
    (search['checkout'] / 'keystone_like.conf').unlink()
    assert ks_conf.find_config_files() == [
        str(search['home'] / 'keystone_like.conf')]
    (search['home'] / 'keystone_like.conf').unlink()
    assert ks_conf.find_config_files() == [
        str(search['prefix'] / 'keystone_like.conf')]


def test_config_file_in_home_is_used_without_arguments(search):
    (search['home'] / 'keystone_like.conf').write_text(
        '[DEFAULT]\nadmin_port = 4242\n')
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    ks_conf.configure([], conf=conf)
    assert conf.admin_port == 4242


def test_no_config_file_anywhere(search):
    if pathlib.Path('/etc/keystone_like/keystone_like.conf').exists():
        pytest.skip('/etc/keystone_like/keystone_like.conf exists here')
    assert ks_conf.find_config_files() == []


def test_paste_file_next_to_the_config_file_wins(search, tmp_path):
    config_dir = tmp_path / 'config'
    config_dir.mkdir()
    for directory in (config_dir, search['checkout'], search['home']):
        (directory / 'keystone_like-paste.ini').write_text('')
    conf = load(config_dir, '')
    assert ks_conf.find_paste_config(conf) == str(
        config_dir / 'keystone_like-paste.ini')


def test_paste_file_falls_back_to_the_search_dirs(search, tmp_path):
    (search['home'] / 'keystone_like-paste.ini').write_text('')
    (search['prefix'] / 'keystone_like-paste.ini').write_text('')
    conf = load(tmp_path, '')
    assert ks_conf.find_paste_config(conf) == str(
        search['home'] / 'keystone_like-paste.ini')


def test_paste_file_in_the_config_dir(search, tmp_path):
    config_dir = tmp_path / 'conf.d'
    config_dir.mkdir()
    (config_dir / 'custom-paste.ini').write_text('')
    (search['checkout'] / 'custom-paste.ini').write_text('')
    conf = load(tmp_path, '[paste_deploy]\nconfig_file = custom-paste.ini\n',
                args=['--config-dir', str(config_dir)])
    assert ks_conf.find_paste_config(conf) == str(
        config_dir / 'custom-paste.ini')


def test_absolute_paste_file(search, tmp_path):
    paste = tmp_path / 'elsewhere.ini'
    conf = load(tmp_path, '[paste_deploy]\nconfig_file = %s\n' % paste)
    assert ks_conf.find_paste_config(conf) is None
    paste.write_text('')
    assert ks_conf.find_paste_config(conf) == str(paste)


def test_missing_paste_file(search, tmp_path):
    conf = load(tmp_path, '')
    assert ks_conf.find_paste_config(conf) is None
    assert ks_conf.paste_search_dirs(conf)[0] == str(tmp_path)
