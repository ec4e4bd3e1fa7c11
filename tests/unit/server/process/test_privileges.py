"""keystone_like.server.process.privileges: dropping root in a fork."""

import json
import os
import pathlib
import shutil
import tempfile

from oslo_config import cfg
import pytest

from keystone_like.conf import opts
from keystone_like.server import errors
from keystone_like.server.process import privileges
from keystone_like import state_access
from tests.support import identity

pytestmark = pytest.mark.filterwarnings('ignore:Using fork')
NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason='needs root')


def make_conf(**defaults):
    """A fresh ConfigOpts with ``[DEFAULT]`` overrides."""
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    for name, value in defaults.items():
        conf.set_override(name, value)
    return conf


def in_child(function):
    """Run ``function`` in a forked child; return its JSON-able result.

    An exception comes back as {'error': str, 'code': exit_code or None}.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            result = function()
        except Exception as exc:    # noqa: BLE001 - report it
            result = {'error': str(exc),
                      'code': getattr(exc, 'exit_code', None)}
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_nothing_to_drop_without_user_or_group():
    assert privileges.resolve(make_conf()) is None


@needs_root
@pytest.mark.parametrize('user', ['nobody', str(NOBODY)])
def test_user_by_name_or_uid(user):
    creds = privileges.resolve(make_conf(user=user))
    assert (creds.user, creds.uid, creds.gid) == ('nobody', NOBODY, NOBODY)
    assert NOBODY in creds.groups
    assert creds.describe() == 'user nobody (uid 65534, gid 65534)'


@needs_root
def test_group_overrides_the_primary_group():
    creds = privileges.resolve(make_conf(user='nobody', group='daemon'))
    assert creds.gid == 1 and creds.uid == NOBODY


def test_already_that_user_is_nothing_to_do():
    user = str(os.geteuid())
    assert privileges.resolve(make_conf(user=user)) is None


@pytest.mark.parametrize('option,value,says', [
    ('user', 'no-such-user-here', '[DEFAULT] user = no-such-user-here is '
                                  'not a user on this system'),
    ('group', 'no-such-group-here', '[DEFAULT] group = no-such-group-here '
                                    'is not a group on this system'),
])
def test_unknown_names_are_one_clear_line(option, value, says):
    with pytest.raises(errors.StartupError) as info:
        privileges.resolve(make_conf(**{option: value}))
    assert str(info.value).startswith(says)
    assert info.value.exit_code == errors.EXIT_CONFIG


@needs_root
def test_switching_needs_root():
    def resolve_as_nobody():
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        privileges.resolve(make_conf(user='root'))
    result = in_child(resolve_as_nobody)
    assert result['code'] == errors.EXIT_CONFIG
    assert 'needs service-all to start as root (it runs as uid 65534)' \
        in result['error']


@needs_root
def test_drop_switches_groups_gid_and_uid_for_good():
    creds = privileges.resolve(make_conf(user='nobody'))

    def drop():
        privileges.drop(creds)
        try:
            os.setuid(0)
            regained = True
        except PermissionError:
            regained = False
        return [os.getuid(), os.geteuid(), os.getgid(), os.getegid(),
                os.getgroups(), regained]
    assert in_child(drop) == [NOBODY, NOBODY, NOBODY, NOBODY,
                              list(creds.groups), False]


@pytest.fixture
def nobody_copy():
    """The prepared state dir copied somewhere nobody can reach, chowned."""
    top = pathlib.Path(tempfile.mkdtemp(prefix='ks-privileges-'))
    state = top / 'state'
    shutil.copytree(identity.shared_state_dir(), state)
    yield top, state
    shutil.rmtree(top)


@needs_root
def test_state_files_of_the_user_pass_the_check(nobody_copy):
    top, state = nobody_copy
    for path in [top, state] + list(state.rglob('*')):
        os.chown(path, NOBODY, NOBODY)
    conf = make_conf(user='nobody', state_dir=str(state))
    creds = privileges.resolve(conf)

    def check():
        privileges.drop(creds)
        state_access.check(conf, creds)
        return 'ok'
    assert in_child(check) == 'ok'


def _give_keys(state, repositories=('fernet-keys', 'credential-keys')):
    for name in repositories:
        keys = state / name
        for path in [keys, *keys.iterdir()]:
            os.chown(path, NOBODY, NOBODY)


def _root_credential_keys(state):
    """The token keys are nobody's, the credential keys root's."""
    os.chmod(state, 0o755)
    _give_keys(state, ['fernet-keys'])


def _root_only_dir(state):
    """Nobody may enter the state dir."""


def _root_database(state):
    """Keys are nobody's; the database file is root's (0644)."""
    os.chmod(state, 0o755)
    _give_keys(state)


def _root_database_dir(state):
    """Keys and database file are nobody's; the directory is root's."""
    _root_database(state)
    os.chown(state / 'keystone_like.db', NOBODY, NOBODY)


@needs_root
@pytest.mark.parametrize('setup,says', [
    (_root_only_dir, 'cannot read the Fernet key repository'),
    (_root_credential_keys, 'cannot read the Credential key repository'),
    (_root_database, 'cannot read and write the database'),
    (_root_database_dir, 'cannot write in the database directory'),
])
def test_root_only_state_files_are_named(nobody_copy, setup, says):
    top, state = nobody_copy
    os.chmod(top, 0o755)
    os.chmod(state, 0o700)
    setup(state)
    conf = make_conf(user='nobody', state_dir=str(state))
    creds = privileges.resolve(conf)

    def check():
        privileges.drop(creds)
        state_access.check(conf, creds)
    result = in_child(check)
    assert result['code'] == errors.EXIT_NOINPUT
    assert result['error'].startswith(
        'user nobody (uid 65534, gid 65534) cannot ')
    assert says in result['error']
