"""The dev reloader's watcher, stepped with next(): no sleeping."""

import os

import pytest

from keystone_like import conf as ks_conf
from keystone_like.server.process import reloader as autoreload


def touch(path, text=None, bump=1):
    """Write ``text`` (if given) and move the mtime ``bump`` s ahead."""
    if text is not None:
        path.write_text(text)
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + bump * 10**9))


@pytest.fixture
def tree(tmp_path):
    """A small package tree with two Python files."""
    package = tmp_path / 'pkg'
    (package / 'sub').mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'sub' / 'mod.py').write_text('X = 1\n')
    return package


def watch(tree):
    """Return a changes() iterator over the tree's Python files."""
    watcher = autoreload.Watcher(
        lambda: {str(p) for p in tree.rglob('*.py')})
    return watcher.changes(interval=0, sleep=lambda _seconds: None)


def test_nothing_changed_yields_an_empty_set(tree):
    changes = watch(tree)
    assert next(changes) == set()
    assert next(changes) == set()


def test_a_modified_python_file_is_reported_once(tree):
    changes = watch(tree)
    touch(tree / 'sub' / 'mod.py', 'X = 2\n')
    assert next(changes) == {str(tree / 'sub' / 'mod.py')}
    assert next(changes) == set()


def test_same_size_edit_is_seen_through_the_mtime(tree):
    changes = watch(tree)
    touch(tree / 'sub' / 'mod.py')
    assert next(changes) == {str(tree / 'sub' / 'mod.py')}


def test_created_and_deleted_files_are_reported(tree):
    changes = watch(tree)
    (tree / 'new.py').write_text('')
    (tree / '__init__.py').unlink()
    assert next(changes) == {str(tree / 'new.py'), str(tree / '__init__.py')}


def test_the_baseline_is_taken_when_changes_is_called(tree):
    changes = watch(tree)
    touch(tree / '__init__.py', 'Y = 1\n')      # before the first next()
    assert next(changes) == {str(tree / '__init__.py')}


def test_the_poll_sleeps_the_interval(tree):
    slept = []
    changes = autoreload.Watcher(lambda: set()).changes(
        interval=1.0, sleep=slept.append)
    next(changes)
    next(changes)
    assert slept == [1.0, 1.0]


def test_the_package_python_files_are_watched():
    files = autoreload.ServiceFiles([], ks_conf.cfg.ConfigOpts())
    reloader_file = (autoreload.PACKAGE_DIR / 'server' / 'process'
                     / 'reloader.py')
    assert str(reloader_file) in files()


@pytest.fixture
def service_conf(tmp_path):
    """A config file naming a paste ini, and a config directory."""
    paste = tmp_path / 'first-paste.ini'
    paste.write_text('[app:main]\n')
    config = tmp_path / 'service.conf'
    config.write_text('[paste_deploy]\nconfig_file = %s\n' % paste)
    conf_dir = tmp_path / 'conf.d'
    conf_dir.mkdir()
    (conf_dir / '10-extra.conf').write_text('[DEFAULT]\n')
    conf = ks_conf.cfg.ConfigOpts()
    ks_conf.opts.register_all(conf)
    args = ['--config-file', str(config), '--config-dir', str(conf_dir)]
    return autoreload.ServiceFiles(args, conf), config, conf_dir, paste


def test_config_files_dir_and_paste_ini_are_watched(service_conf):
    files, config, conf_dir, paste = service_conf
    assert files.refresh()
    watched = files()
    assert {str(config), str(conf_dir / '10-extra.conf'),
            str(paste)} <= watched


def test_a_new_file_in_the_config_dir_is_a_change(service_conf):
    files, _config, conf_dir, _paste = service_conf
    files.refresh()
    changes = autoreload.Watcher(files).changes(interval=0,
                                                sleep=lambda _s: None)
    (conf_dir / '20-more.conf').write_text('[DEFAULT]\n')
    assert next(changes) == {str(conf_dir / '20-more.conf')}


def test_pointing_the_config_at_another_paste_ini(service_conf, tmp_path):
    files, config, _conf_dir, first = service_conf
    files.refresh()
    changes = autoreload.Watcher(files).changes(interval=0,
                                                sleep=lambda _s: None)
    second = tmp_path / 'second-paste.ini'
    second.write_text('[app:main]\n')
    touch(config, '[paste_deploy]\nconfig_file = %s\n' % second)
    # One poll sees the config change and the swapped ini together.
    assert next(changes) == {str(config), str(first), str(second)}
    touch(second, '[app:main]\n# edited\n')
    assert next(changes) == {str(second)}
    touch(first, '[app:main]\n# no longer used\n')
    assert next(changes) == set()


def test_a_broken_config_keeps_the_files_named_so_far(tmp_path):
    config = tmp_path / 'broken.conf'
    config.write_text('this is [not ini\n')
    conf = ks_conf.cfg.ConfigOpts()
    ks_conf.opts.register_all(conf)
    files = autoreload.ServiceFiles(['--config-file', str(config)], conf)
    assert not files.refresh()
    assert str(config) in files()
