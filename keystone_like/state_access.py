"""After service-all drops root: can the new user use the identity state?

Registered by the identity application (``backends.get``) as a
``keystone_like.server.hooks.after_privilege_drop`` callback, so the usual
mistake -- a state directory or key repository that only root can read --
is one clear line at start-up instead of every request failing. Both key
repositories (tokens, credentials) and a SQLite database are checked.
"""

import os

from keystone_like import db
from keystone_like.server import errors
from keystone_like.server import hooks
from keystone_like.token import keys


def check(conf, creds):
    """Raise StartupRefused if ``creds`` (now ours) cannot use state files."""
    repositories = [(keys.repository_path(conf, kind), kind)
                    for kind in (keys.TOKENS, keys.CREDENTIALS)]
    problems = []
    for repository, kind in repositories:
        problems.extend(_key_problems(repository, kind))
    sqlite = _sqlite_file(conf)
    if sqlite is not None:
        directory = os.path.dirname(sqlite)
        if (os.path.exists(sqlite)
                and not os.access(sqlite, os.R_OK | os.W_OK)):
            problems.append('read and write the database %s' % sqlite)
        # SQLite creates its journal next to the database file.
        elif not os.access(directory, os.W_OK | os.X_OK):
            problems.append('write in the database directory %s' % directory)
    if problems:
        raise hooks.StartupRefused(
            '%s cannot %s; give that user access (e.g. chown -R %s %s) or '
            'change [DEFAULT] user.' % (
                creds.describe(), problems[0], creds.user,
                _owner_hint(problems[0], [r for r, _k in repositories],
                            sqlite)),
            errors.EXIT_NOINPUT)


def _key_problems(repository, kind):
    """What the new user cannot do with one key repository (at most one)."""
    if not os.access(repository, os.R_OK | os.X_OK):
        return ['read the %s %s' % (kind.repository, repository)]
    for key_id in keys.key_ids(repository, kind):
        path = os.path.join(repository, str(key_id))
        if not os.access(path, os.R_OK):
            return ['read the key file %s' % path]
    return []


def _sqlite_file(conf):
    # Not db.connection_url(): that creates the state directory.
    url = conf.database.connection or 'sqlite:///' + os.path.join(
        os.path.abspath(os.path.expanduser(conf.state_dir)), db.DB_FILE_NAME)
    prefix = 'sqlite:///'
    if not url.startswith(prefix) or url == prefix + ':memory:':
        return None
    return os.path.abspath(url[len(prefix):].partition('?')[0])


def _owner_hint(problem, repositories, sqlite):
    for repository in repositories:
        if repository in problem:
            return repository
    return os.path.dirname(sqlite) if sqlite else '<path>'
