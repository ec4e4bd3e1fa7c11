"""The launcher is generic: ``keystone_like.server`` imports no application.

Read from the source (every ``import``, including those inside
functions), so a lazy import cannot hide. The rules:

- ``server/`` imports nothing of keystone_like outside ``server/`` except
  ``keystone_like.version`` (the launcher's own version);
- ``server/http/`` imports nothing from ``process``, ``control`` or
  ``config``: one connection's HTTP/1.1 stands alone;
- ``server/control/`` is stdlib only (it runs in short-lived command
  processes that must not start eventlet);
- ``server/hooks.py``, which applications import, is stdlib only.
"""

import ast
import pathlib
import sys

import pytest

SERVER = pathlib.Path(__file__).resolve().parents[3] / 'keystone_like' / \
    'server'
ALLOWED_OUTSIDE = {'keystone_like.version'}
STDLIB = set(sys.stdlib_module_names)


def modules(directory=SERVER):
    """Yield ``(dotted name, path)`` of the modules under ``directory``."""
    for path in sorted(directory.rglob('*.py')):
        relative = path.relative_to(SERVER.parent.parent).with_suffix('')
        parts = list(relative.parts)
        if parts[-1] == '__init__':
            parts.pop()
        yield '.'.join(parts), path


def imports(name, path):
    """Return the absolute names of everything ``path`` imports."""
    found = set()
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parent = package.split('.')
                parent = parent[:len(parent) - node.level + 1]
                base = '.'.join(parent + ([base] if base else []))
            found.add(base)
            found.update('%s.%s' % (base, alias.name) for alias in node.names)
    return found


def keystone_like_imports(name, path):
    return {i for i in imports(name, path)
            if i == 'keystone_like' or i.startswith('keystone_like.')}


ALL = list(modules())


@pytest.mark.parametrize('name, path', ALL, ids=[n for n, _ in ALL])
def test_server_imports_no_application_code(name, path):
    outside = {i for i in keystone_like_imports(name, path)
               if not i.startswith('keystone_like.server')
               and i != 'keystone_like'}
    assert outside <= ALLOWED_OUTSIDE, outside


@pytest.mark.parametrize('name, path', list(modules(SERVER / 'http')))
def test_http_imports_nothing_from_the_process_model(name, path):
    others = {i for i in keystone_like_imports(name, path)
              if i.startswith('keystone_like.server.')
              and not i.startswith('keystone_like.server.http')
              and not i.startswith('keystone_like.server.errors')}
    assert others == set(), others


STDLIB_ONLY = list(modules(SERVER / 'control')) + [
    ('keystone_like.server.hooks', SERVER / 'hooks.py')]


@pytest.mark.parametrize('name, path', STDLIB_ONLY,
                         ids=[n for n, _ in STDLIB_ONLY])
def test_control_and_hooks_are_stdlib_only(name, path):
    third_party = {i for i in imports(name, path)
                   if i.split('.')[0] not in STDLIB
                   and not i.startswith('keystone_like.server.control')
                   and not i.startswith('keystone_like.server.errors')
                   and i not in ('keystone_like.server',
                                 'keystone_like')}
    assert third_party == set(), third_party


def test_the_rules_see_a_violation(tmp_path):
    # The checker itself: a lazy import of application code is found.
    bad = tmp_path / 'bad.py'
    bad.write_text('def f():\n    from keystone_like import backends\n')
    assert keystone_like_imports('keystone_like.server.bad', bad) == {
        'keystone_like', 'keystone_like.backends'}
