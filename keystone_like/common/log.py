"""Logging for the commands: the launcher's set-up, shared by service-manage.

One definition lives in ``keystone_like.server.process.logs`` (the
launcher needs it without importing application code); this module keeps
the names the application and service-manage use.
"""

from keystone_like.server.process.logs import FORMAT  # noqa: F401
from keystone_like.server.process.logs import mask_secrets  # noqa: F401
from keystone_like.server.process.logs import setup  # noqa: F401
