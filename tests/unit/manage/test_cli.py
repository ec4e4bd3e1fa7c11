"""The service-manage dispatcher: help, version, usage errors, re-entry."""

import pytest
from oslo_config import cfg

from keystone_like.cmd import manage as manage_cmd
from keystone_like.conf import opts
from keystone_like import manage as commands
from keystone_like.server import errors
from tests.support import manage_support as support

pytestmark = pytest.mark.timeout(60)

# Fixtures shared by the service-manage tests.
manage = support.manage


def fresh_conf():
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    return conf


def test_top_level_help_lists_every_command(capsys):
    assert manage_cmd.main(['--help'], conf=fresh_conf()) == errors.EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith('usage: service-manage')
    for command in commands.COMMANDS:
        assert command.name in out


def test_version(capsys):
    assert manage_cmd.main(['--version'], conf=fresh_conf()) == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).strip()


@pytest.mark.parametrize('command', [c.name for c in commands.COMMANDS])
def test_each_command_help_lists_its_exit_codes(command, capsys):
    assert manage_cmd.main([command, '--help'], conf=fresh_conf()) == 0
    out = capsys.readouterr().out
    assert out.startswith('usage: service-manage %s' % command)
    assert 'exit codes:' in out
    for code in commands.find(command).exit_codes:
        assert '\n  %-4d' % code in out


def test_unknown_command_is_a_usage_error(capsys):
    assert manage_cmd.main(['frobnicate'], conf=fresh_conf()) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys):
    assert manage_cmd.main([], conf=fresh_conf()) == 2
    assert 'usage: service-manage' in capsys.readouterr().err


def test_missing_config_file(tmp_path, capsys):
    missing = tmp_path / 'nope.conf'
    code = manage_cmd.main(['--config-file', str(missing), 'db_sync'],
                           conf=fresh_conf())
    assert code == errors.EXIT_NOINPUT
    err = capsys.readouterr().err
    assert str(missing) in err and '--config-file' in err


def test_main_can_run_twice_on_the_same_conf(manage, capsys):
    conf = fresh_conf()
    argv = ['--config-file', str(manage.config_path), 'db_sync', '--check']
    manage.config_path.write_text('[DEFAULT]\nstate_dir = %s\n'
                                  % manage.state_dir)
    first = manage_cmd.main(argv, conf=conf)
    second = manage_cmd.main(argv, conf=conf)
    assert first == second == errors.EXIT_CONFIG


def test_bad_option_value_is_a_config_error(manage):
    manage.set('database', pool_size='lots')
    run = manage('db_sync')
    assert run.code == errors.EXIT_CONFIG
    assert 'pool_size' in run.err


def test_bad_debug_value_in_the_file_is_one_line_and_78(tmp_path, capsys):
    path = tmp_path / 'keystone_like.conf'
    path.write_text('[DEFAULT]\ndebug = maybe\n')
    assert manage_cmd.main(['--config-file', str(path), 'check'],
                           conf=fresh_conf()) == errors.EXIT_CONFIG
    err = capsys.readouterr().err
    assert err == ('service-manage: [DEFAULT] debug = maybe is not valid '
                   "(Unexpected boolean value 'maybe'); set it to true or "
                   'false in %s.\n' % path)
