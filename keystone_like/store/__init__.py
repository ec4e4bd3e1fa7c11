"""Identity storage: plain functions over a SQLAlchemy Session, one module
per resource.

Every function takes the Session first (``with database.session() as s``)
and returns plain dicts in Keystone v3 API shape without ``links``. Errors
are ``keystone_like.exceptions``: NotFound (404), Conflict (409),
ValidationError (400), Forbidden (403), with Keystone's messages. Nothing
here commits: the session's context manager does, or rolls back on error.
"""
