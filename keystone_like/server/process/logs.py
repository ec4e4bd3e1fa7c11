"""Logging set-up of the launcher (stdlib logging, one handler).

``[DEFAULT] log_format = json`` writes one JSON object per line (for Loki,
Elasticsearch and the like): ``time`` (UTC, ISO 8601), ``level``,
``logger``, ``pid``, ``message``, ``request_id`` when the record was
logged while serving a request (application logs included: the request's
environ is known through :data:`connection.CURRENT_ENVIRON`), the access
log's fields (``client``, ``method``, ``path``, ``status``, ``bytes``,
``duration_ms``) and ``exception``. Messages and tracebacks go through
:func:`mask_secrets` in both formats' JSON; the access log never has a
query string or a header value to leak.

``keystone_like.common.log`` re-exports it for service-manage.
"""

import datetime
import json
import logging
import re
import sys

from keystone_like.server.http import connection

FORMAT = '%(asctime)s %(process)d %(levelname)s %(name)s %(message)s'
# Where the request id middleware leaves the id (oslo's key).
REQUEST_ID_KEY = 'openstack.request_id'
# What the access log passes as record attributes (``extra``).
ACCESS_FIELDS = ('client', 'method', 'path', 'status', 'bytes',
                 'duration_ms')

# user:password@ in URLs (database connections, proxies).
_URL_PASSWORD = re.compile(r'(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)'
                           r'[^@\s]*(?=@)')


def mask_secrets(text):
    """Hide passwords embedded in URLs inside ``text``."""
    return _URL_PASSWORD.sub(r'\g<head>***', text)


class JSONFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record):
        """Return ``record`` as a JSON object (no newline inside)."""
        document = {
            'time': datetime.datetime.fromtimestamp(
                record.created, datetime.timezone.utc).isoformat(
                    timespec='milliseconds').replace('+00:00', 'Z'),
            'level': record.levelname,
            'logger': record.name,
            'pid': record.process,
            'message': mask_secrets(record.getMessage()),
        }
        request_id = getattr(record, 'request_id', None)
        if request_id is None:
            environ = connection.CURRENT_ENVIRON.get(None)
            if environ is not None:
                request_id = environ.get(REQUEST_ID_KEY)
        if request_id:
            document['request_id'] = request_id
        for field in ACCESS_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                document[field] = value
        if record.exc_info:
            document['exception'] = mask_secrets(
                self.formatException(record.exc_info))
        return json.dumps(document, ensure_ascii=False,
                          separators=(',', ':'))


def formatter(log_format):
    """The formatter of ``[DEFAULT] log_format`` (``text`` or ``json``)."""
    if log_format == 'json':
        return JSONFormatter()
    return logging.Formatter(FORMAT)


def setup(conf):
    """Send the log to ``log_file`` or stderr, at DEBUG when ``debug``."""
    if conf.log_file:
        handler = logging.FileHandler(conf.log_file)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(getattr(conf, 'log_format', 'text')))
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
