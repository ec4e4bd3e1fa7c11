"""``service-manage setup``: everything a fresh machine needs, in one go.

Runs ``db_sync``, ``fernet_setup``, ``credential_setup`` and
``bootstrap`` with their defaults.
When the admin user does not exist yet and no password was given (flag or
``OS_BOOTSTRAP_PASSWORD``), a random one is generated and printed once,
as ``OS_*`` environment variables and the matching ``openstack`` command.
Running it again changes nothing and prints no password.

Exit codes: those of the three steps -- 0 done; 2 a bad flag value or
owner; 66 a key repository cannot be created or written; 69 the
database cannot be reached; 78 an invalid ``[database] connection`` or
``[identity]`` option, or a schema newer than this code.
"""

import shlex

from keystone_like.manage import base
from keystone_like.manage import bootstrap
from keystone_like.manage import db_sync
from keystone_like.manage import fernet_setup
from keystone_like.manage import initial_data
from keystone_like.server import errors
from keystone_like.token import keys


def login_lines(result):
    """Return the lines telling how to log in as the bootstrap user."""
    env = [('OS_AUTH_URL', result.public_url),
           ('OS_IDENTITY_API_VERSION', '3'),
           ('OS_USERNAME', result.username),
           ('OS_PASSWORD', result.generated_password),
           ('OS_PROJECT_NAME', result.project_name),
           ('OS_USER_DOMAIN_NAME', initial_data.DOMAIN_NAME),
           ('OS_PROJECT_DOMAIN_NAME', initial_data.DOMAIN_NAME)]
    if result.generated_password is None:
        lines = ['Log in as %s with its password, e.g.:' % result.username,
                 '']
        env[3] = ('OS_PASSWORD', '<the password of %s>' % result.username)
    else:
        lines = ['Generated a password for the new user %s. It is shown '
                 'only now and cannot be recovered; keep it safe.'
                 % result.username, 'Log in with:', '']
    lines.extend('    export %s=%s' % (name, shlex.quote(value))
                 for name, value in env)
    lines.extend(['    openstack token issue', '',
                  'or, without the environment variables:', '',
                  '    openstack --os-auth-url %s --os-identity-api-version 3 '
                  '--os-username %s --os-password "$OS_PASSWORD" '
                  '--os-project-name %s --os-user-domain-name %s '
                  '--os-project-domain-name %s token issue' % (
                      shlex.quote(result.public_url),
                      shlex.quote(result.username),
                      shlex.quote(result.project_name),
                      initial_data.DOMAIN_NAME, initial_data.DOMAIN_NAME)])
    return lines


class Setup(base.Command):
    """db_sync, fernet_setup, credential_setup and bootstrap."""

    name = 'setup'
    help = ('Prepare a fresh machine: db_sync, fernet_setup, '
            'credential_setup and bootstrap. '
            'Without a password (--bootstrap-password or %s) for a new '
            'admin user, one is generated and printed once with how to '
            'log in. Safe to run again.' % bootstrap.PASSWORD_ENV)
    exit_codes = dict(bootstrap.EXIT_CODES)
    exit_codes.update(fernet_setup.KEY_EXIT_CODES)
    exit_codes.update({
        errors.EXIT_USAGE: 'bad command line: an empty password, a '
                           'malformed URL, or an unknown or (without root) '
                           'foreign --keystone-user or --keystone-group',
        errors.EXIT_CONFIG: '[database] connection or an [identity] option '
                            'is invalid, or the schema is newer than this '
                            'code',
    })

    @classmethod
    def add_arguments(cls, parser):
        """The bootstrap and key-owner arguments."""
        bootstrap.add_arguments(parser)
        fernet_setup.add_owner_arguments(parser)

    def run(self):
        """Check the arguments, then run the three steps in order."""
        the_plan = bootstrap.plan(self.conf, self.args)
        uid, gid = fernet_setup.resolve_owner(self.args)
        with base.open_database(self.conf) as database:
            revision = db_sync.sync(database)
            print('Database %s is at revision %s.'
                  % (database.display_url, revision))
            fernet_setup.setup_keys(self.conf, uid, gid)
            fernet_setup.setup_keys(self.conf, uid, gid,
                                    kind=keys.CREDENTIALS)
            result = initial_data.create(self.conf, database, the_plan,
                                         generate_password=True)
        print()
        print('\n'.join(login_lines(result)))
        return errors.EXIT_OK
