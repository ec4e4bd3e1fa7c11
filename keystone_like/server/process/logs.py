"""Logging set-up of the launcher (stdlib logging, one handler).

``keystone_like.common.log`` re-exports it for service-manage.
"""

import logging
import re
import sys

FORMAT = '%(asctime)s %(process)d %(levelname)s %(name)s %(message)s'

# user:password@ in URLs (database connections, proxies).
_URL_PASSWORD = re.compile(r'(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)'
                           r'[^@\s]*(?=@)')


def mask_secrets(text):
    """Hide passwords embedded in URLs inside ``text``."""
    return _URL_PASSWORD.sub(r'\g<head>***', text)


def setup(conf):
    """Send the log to ``log_file`` or stderr, at DEBUG when ``debug``."""
    if conf.log_file:
        handler = logging.FileHandler(conf.log_file)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    # alembic narrates every schema check at INFO; only its warnings matter
    # to an operator of service-all.
    logging.getLogger('alembic').setLevel(
        logging.DEBUG if conf.debug else logging.WARNING)
    if conf.debug:
        # Secret options are masked by oslo.config itself.
        conf.log_opt_values(logging.getLogger('keystone_like.server.config'),
                            logging.DEBUG)
