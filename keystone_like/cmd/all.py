"""``service-all``: the console script; the command line is in the server.

See :mod:`keystone_like.server.cli` (commands, flags, exit codes).
"""

import sys

from keystone_like.server.cli import main

if __name__ == '__main__':
    sys.exit(main())
