"""Helpers for the service-manage tests (no tests of its own).

:class:`Manage` runs ``keystone_like.cmd.manage.main`` in-process on a
fresh ``ConfigOpts`` with a config file in the test's directory: state_dir
there, fast bcrypt, loopback listeners on free ports and, when given, the
``[database] connection`` of the ``database_url`` fixture.
"""

import collections
import contextlib

import pytest
from oslo_config import cfg

from keystone_like.cmd import manage as manage_cmd
from keystone_like.conf import opts
from keystone_like import db
from keystone_like.manage import bootstrap
from tests.support import service

Run = collections.namedtuple('Run', 'code out err')


class Manage:
    """Runs service-manage commands against one config file."""

    def __init__(self, directory, capsys, database_url=None):
        self.directory = directory
        self.capsys = capsys
        self.state_dir = directory / 'state'
        self.config_path = directory / 'keystone_like.conf'
        self.database_url = database_url or 'sqlite:///%s' % (
            self.state_dir / 'keystone_like.db')
        self.public_port = service.free_port()
        self.admin_port = service.free_port()
        self.sections = {
            'DEFAULT': {'state_dir': self.state_dir,
                        'public_bind_host': '127.0.0.1',
                        'admin_bind_host': '127.0.0.1',
                        'public_port': self.public_port,
                        'admin_port': self.admin_port},
            'identity': {'password_hash_rounds': 4},
        }
        if database_url is not None:
            self.sections['database'] = {'connection': database_url}

    def set(self, section, **options):
        """Change options of the config file for the next runs."""
        self.sections.setdefault(section, {}).update(options)

    def __call__(self, *argv):
        """Run ``service-manage --config-file <ours> *argv``; return a Run."""
        self.config_path.write_text(service.render_config(self.sections))
        conf = cfg.ConfigOpts()
        opts.register_all(conf)
        self.capsys.readouterr()
        code = manage_cmd.main(['--config-file', str(self.config_path)]
                               + list(argv), conf=conf)
        out, err = self.capsys.readouterr()
        return Run(code, out, err)

    @property
    def key_repository(self):
        """The key repository path of the default configuration."""
        return self.state_dir / 'fernet-keys'

    @contextlib.contextmanager
    def session(self):
        """Yield a session on the configured database."""
        database = db.Database.from_url(self.database_url)
        try:
            with database.session() as session:
                yield session
        finally:
            database.dispose()


@pytest.fixture
def manage(tmp_path, capsys, monkeypatch):
    """A Manage on SQLite in tmp_path, without OS_BOOTSTRAP_PASSWORD."""
    monkeypatch.delenv(bootstrap.PASSWORD_ENV, raising=False)
    return Manage(tmp_path, capsys)


@pytest.fixture
def manage_db(tmp_path, capsys, monkeypatch, database_url):
    """A Manage on a new empty database of each backend."""
    monkeypatch.delenv(bootstrap.PASSWORD_ENV, raising=False)
    return Manage(tmp_path, capsys, database_url)


def one_line_error(run, command):
    """Assert ``run`` printed one error line for ``command``; return it."""
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith('service-manage %s: ' % command), run.err
    return lines[0]
