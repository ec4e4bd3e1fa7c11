"""``service-manage bootstrap``: the first domain, project, admin and catalog.

Idempotent: it finds each resource by its natural key and creates only
what is missing, in one transaction (:mod:`initial_data`), then prints
what was created, updated (an endpoint URL) or already present. It makes
the ``Default`` domain (id ``default``), a project and a user in it, the
roles ``admin``, ``member`` and ``reader``, grants the admin role to the
user on the project and on the domain, a region, the ``identity`` service
and its public, internal and admin endpoints.

The password comes from ``--bootstrap-password`` or ``OS_BOOTSTRAP_PASSWORD``
and is needed only to create the user: an existing user keeps its password
unless ``--reset-password``. It is hashed as ``[identity]`` says and never
printed or logged.

Exit codes: 0 done; 2 no password for a new user, or a bad flag value; 69
the database cannot be reached; 78 an invalid ``[database] connection`` or
``[identity]`` hashing option, or a schema that is not at head (run
``db_sync``).
"""

import collections
import os
import urllib.parse

from keystone_like.manage import base
from keystone_like.manage import initial_data
from keystone_like.server import errors

PASSWORD_ENV = initial_data.PASSWORD_ENV
DOMAIN_NAME = initial_data.DOMAIN_NAME

Plan = collections.namedtuple(
    'Plan', 'username project_name role_name region_id password '
            'reset_password urls')
Plan.__doc__ = 'What bootstrap makes: names, password (or None) and URLs.'
EXIT_CODES = dict(base.DATABASE_EXIT_CODES)
EXIT_CODES.update({
    errors.EXIT_USAGE: 'bad command line: no password for a new user, '
                       'an empty password or a malformed URL',
    errors.EXIT_CONFIG: '[database] connection or an [identity] hashing '
                        'option is invalid, or the schema is not at the '
                        'newest revision (run db_sync)',
})


def add_arguments(parser):
    """Add the --bootstrap-* arguments (bootstrap and setup share them)."""
    flag = parser.add_argument
    flag('--bootstrap-username', default='admin', metavar='NAME',
         help='Name of the admin user in the Default domain (default: '
              '%(default)s).')
    flag('--bootstrap-password', metavar='PASSWORD',
         help='Password of the admin user when it is created. Prefer the '
              '%s environment variable: command lines are visible to '
              'other local users.' % PASSWORD_ENV)
    flag('--reset-password', action='store_true',
         help='Set the password of an existing admin user too (otherwise '
              'it is left unchanged).')
    flag('--bootstrap-project-name', default='admin', metavar='NAME',
         help='Project in the Default domain the user is admin of '
              '(default: %(default)s).')
    flag('--bootstrap-role-name', default='admin', metavar='NAME',
         help='Role granted to the user on the project and the Default '
              'domain (default: %(default)s).')
    flag('--bootstrap-region-id', default='RegionOne', metavar='ID',
         help='Region of the identity endpoints (default: %(default)s).')
    flag('--bootstrap-public-url', metavar='URL',
         help='Public identity endpoint. Default: [DEFAULT] public_endpoint '
              'plus /v3, else http://localhost:<public_port>/v3.')
    flag('--bootstrap-internal-url', metavar='URL',
         help='Internal identity endpoint (default: the public one).')
    flag('--bootstrap-admin-url', metavar='URL',
         help='Admin identity endpoint. Default: [DEFAULT] admin_endpoint '
              'plus /v3, else http://localhost:<admin_port>/v3.')


def plan(conf, args):
    """Return the Plan from the arguments, the environment and ``conf``."""
    password = args.bootstrap_password
    if password is None:
        password = os.environ.get(PASSWORD_ENV) or None
    elif not password:
        raise base.CommandError('--bootstrap-password is empty; give a '
                                'password or leave the flag out',
                                errors.EXIT_USAGE)
    public = _url(args.bootstrap_public_url, '--bootstrap-public-url') or \
        _default_url(conf.public_endpoint, conf.public_port)
    urls = {
        'public': public,
        'internal': _url(args.bootstrap_internal_url,
                         '--bootstrap-internal-url') or public,
        'admin': _url(args.bootstrap_admin_url, '--bootstrap-admin-url') or
        _default_url(conf.admin_endpoint, conf.admin_port),
    }
    return Plan(args.bootstrap_username, args.bootstrap_project_name,
                args.bootstrap_role_name, args.bootstrap_region_id,
                password, args.reset_password, urls)


def _url(value, flag):
    if value is None:
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise base.CommandError(
            '%s %r is not an http:// or https:// URL; give one such as '
            'https://identity.example.com:5000/v3' % (flag, value),
            errors.EXIT_USAGE)
    return value


def _default_url(base_url, port):
    if not base_url:
        return 'http://localhost:%d/v3' % port
    base_url = base_url.rstrip('/')
    return base_url if base_url.endswith('/v3') else base_url + '/v3'


class Bootstrap(base.Command):
    """Create the Default domain, the admin and the identity catalog."""

    name = 'bootstrap'
    help = ('Create what is missing of: the Default domain, the admin '
            'project and user, the admin, member and reader roles and the '
            'admin grants, a region, the identity service and its '
            'endpoints. Safe to run any number of times. The password comes '
            'from --bootstrap-password or %s.' % PASSWORD_ENV)
    exit_codes = EXIT_CODES

    @classmethod
    def add_arguments(cls, parser):
        """The --bootstrap-* arguments."""
        add_arguments(parser)

    def run(self):
        """Plan, then create what is missing."""
        the_plan = plan(self.conf, self.args)
        with base.open_database(self.conf) as database:
            initial_data.create(self.conf, database, the_plan)
        return errors.EXIT_OK
