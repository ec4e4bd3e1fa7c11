"""A prepared identity state directory: migrated SQLite, Fernet keys for
tokens and for credentials.

``service-all`` refuses to start without them (as it should), so tests that
run the real pipeline point ``state_dir`` at one of these.
"""

import os
import pathlib

from oslo_config import cfg

from keystone_like.conf import opts
from keystone_like import db
from keystone_like.db import migration
from keystone_like.token import keys

ENV = 'KEYSTONE_LIKE_TEST_STATE_DIR'
ROOT = pathlib.Path(__file__).resolve().parents[2]


def prepare_state_dir(path):
    """Migrate ``path``/keystone_like.db; set up ``path``/fernet-keys and
    ``path``/credential-keys."""
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('state_dir', str(path))
    database = db.Database(conf)
    try:
        migration.upgrade(database)
    finally:
        database.dispose()
    keys.setup(keys.repository_path(conf), conf.fernet_tokens.max_active_keys)
    keys.setup(keys.repository_path(conf, keys.CREDENTIALS),
               conf.credential.max_active_keys, kind=keys.CREDENTIALS)
    return str(path)


def shared_state_dir():
    """The session's prepared state dir (set by the conftest fixture)."""
    return os.environ[ENV]
