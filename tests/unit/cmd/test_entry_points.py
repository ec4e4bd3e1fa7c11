"""setup.cfg entry points and the paste ini name the same factories."""

import configparser
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PASTE_INI = ROOT / 'etc' / 'keystone_like-paste.ini'
SETUP_CFG = ROOT / 'setup.cfg'
# ini section kind -> (factory key in the section, entry point group)
KINDS = {
    'app': 'paste.app_factory',
    'filter': 'paste.filter_factory',
}
PASTE_GROUPS = ('paste.app_factory', 'paste.filter_factory',
                'paste.composite_factory')


def read_ini(path):
    """Parse an ini file as it is written (no interpolation)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def entry_points():
    """Return ``{group: {name: 'module:callable'}}`` from setup.cfg."""
    groups = {}
    section = read_ini(SETUP_CFG)['entry_points']
    for group, lines in section.items():
        names = groups.setdefault(group, {})
        for line in lines.strip().splitlines():
            name, _, value = line.partition('=')
            names[name.strip()] = value.strip()
    return groups


def paste_sections():
    """Return ``[(kind, name, section)]`` for every section of the ini."""
    parser = read_ini(PASTE_INI)
    return [(*name.split(':', 1), parser[name]) for name in parser.sections()]


@pytest.mark.parametrize('kind,name,section', [
    item for item in paste_sections() if item[0] in KINDS])
def test_each_app_and_filter_section_is_an_entry_point(kind, name, section):
    group = KINDS[kind]
    assert name in entry_points()[group], (
        'setup.cfg has no %s entry point named %s' % (group, name))
    assert section[group] == entry_points()[group][name]


def test_composites_use_the_urlmap_entry_point():
    urlmap = entry_points()['paste.composite_factory']['urlmap']
    composites = {name: section for kind, name, section in paste_sections()
                  if kind == 'composite'}
    assert set(composites) == {'main', 'admin'}
    for section in composites.values():
        assert section['paste.composite_factory'] == urlmap
        assert {'/', '/v3'} <= set(section)


def test_pipelines_name_only_defined_sections():
    defined = {name for kind, name, _ in paste_sections()}
    for kind, name, section in paste_sections():
        if kind == 'pipeline':
            assert set(section['pipeline'].split()) <= defined, name


@pytest.mark.parametrize('group,name,value', [
    (group, name, value)
    for group, names in entry_points().items() if group in PASTE_GROUPS
    for name, value in names.items()])
def test_each_paste_entry_point_imports_and_is_callable(group, name, value):
    module_name, _, attribute = value.partition(':')
    factory = getattr(importlib.import_module(module_name), attribute)
    assert callable(factory), '%s = %s is not callable' % (name, value)
