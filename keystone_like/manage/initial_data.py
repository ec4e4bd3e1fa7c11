"""What ``bootstrap`` creates, in one transaction, and its report.

:func:`create` finds each resource by its natural key (the idempotent
``store.bootstrap.ensure_*`` helpers) and creates only what is missing,
recording per resource whether it was created, updated (an endpoint URL,
a reset password) or already present. The lines are printed only after
the commit, so nothing rolled back is ever reported. Passwords are hashed
here and never printed or logged.
"""

import collections
import secrets

from keystone_like import exceptions
from keystone_like.identity import passwords
from keystone_like.manage import base
from keystone_like.server import errors
from keystone_like.store import assignments
from keystone_like.store import bootstrap as ensure
from keystone_like.store import domains
from keystone_like.store import endpoints
from keystone_like.store import projects
from keystone_like.store import regions
from keystone_like.store import roles
from keystone_like.store import services
from keystone_like.store import users

PASSWORD_ENV = 'OS_BOOTSTRAP_PASSWORD'
DOMAIN_ID = 'default'
DOMAIN_NAME = 'Default'
# Keystone 2024.2's default roles; each implies the next one.
ROLE_NAMES = ('service', 'reader', 'member', 'manager', 'admin')
IMPLIED_CHAIN = ('admin', 'manager', 'member', 'reader')
SERVICE_TYPE = 'identity'
SERVICE_NAME = 'keystone'
INTERFACES = ('public', 'internal', 'admin')

Result = collections.namedtuple(
    'Result', 'username project_name public_url generated_password')
Result.__doc__ = 'What the caller needs to tell the operator how to log in.'


def create(conf, database, the_plan, generate_password=False):
    """Create what is missing in one transaction; print it; return Result.

    With ``generate_password``, a user created (or reset) without a given
    password gets a random one, returned in the Result and never printed
    here.
    """
    try:
        passwords.check_config(conf)
    except ValueError as exc:
        raise base.CommandError(str(exc), errors.EXIT_CONFIG) from None
    base.check_schema(database)
    work = _Bootstrap(conf, the_plan, generate_password)
    with base.database_errors(database):
        try:
            with database.session() as session:
                work.run(session)
        except exceptions.Conflict:
            raise base.CommandError(
                'another change to the same resources happened at the same '
                'time (a concurrent bootstrap?); run bootstrap again') \
                from None
    # Printed after the commit: nothing is reported that was rolled back.
    for status, what in work.lines:
        base.report(status, what)
    counts = collections.Counter(status for status, _what in work.lines)
    print('Bootstrap complete: %d created, %d updated, %d already present.'
          % (counts['created'], counts['updated'], counts['present']))
    return Result(the_plan.username, the_plan.project_name,
                  the_plan.urls['public'], work.generated_password)


class _Bootstrap:
    """The steps, run on one session, recording a line per resource."""

    def __init__(self, conf, the_plan, generate_password):
        self.conf = conf
        self.plan = the_plan
        self.generate = generate_password
        self.generated_password = None
        self.lines = []

    def _note(self, found, what):
        self.lines.append(('present' if found else 'created', what))

    def run(self, session):
        """Find or create every resource, in dependency order."""
        plan_ = self.plan
        found = _exists(domains.get_domain, session, DOMAIN_ID) or _exists(
            domains.get_domain_by_name, session, DOMAIN_NAME)
        domain = ensure.ensure_domain(session, DOMAIN_NAME,
                                      domain_id=DOMAIN_ID,
                                      description='The default domain')
        self._note(found, 'domain %s (id %s)' % (domain['name'],
                                                 domain['id']))
        found = _exists(projects.get_project_by_name, session,
                        plan_.project_name, domain['id'])
        project = ensure.ensure_project(session, plan_.project_name,
                                        domain['id'])
        self._note(found, 'project %s (id %s)' % (project['name'],
                                                  project['id']))
        user = self._user(session, domain)
        role_ids = self._roles(session)
        role_id = role_ids[plan_.role_name]
        for target_kind, target in (('project', project),
                                    ('domain', domain), ('system', None)):
            grant = assignments.Grant('user', user['id'], target_kind,
                                      target['id'] if target else '', role_id)
            found = _exists(assignments.check_grant, session, grant)
            assignments.create_grant(session, grant)
            self._note(found, 'role %s for user %s on %s' % (
                plan_.role_name, user['name'], 'the system'
                if target is None else '%s %s' % (target_kind,
                                                  target['name'])))
        self._catalog(session)

    def _roles(self, session):
        """The default roles (immutable when created here) and the
        admin -> manager -> member -> reader inference chain."""
        role_ids = {}
        for name in dict.fromkeys(ROLE_NAMES + (self.plan.role_name,)):
            found = _exists(roles.get_role_by_name, session, name)
            role_ids[name] = ensure.ensure_role(
                session, name, options={'immutable': True})['id']
            self._note(found, 'role %s (id %s)' % (name, role_ids[name]))
        for prior, implied in zip(IMPLIED_CHAIN, IMPLIED_CHAIN[1:]):
            found = _exists(roles.get_rule, session, role_ids[prior],
                            role_ids[implied])
            roles.create_rule(session, role_ids[prior], role_ids[implied],
                              prohibited=())
            self._note(found, 'role %s implies %s' % (prior, implied))
        return role_ids

    def _user(self, session, domain):
        name = self.plan.username
        try:
            user = users.get_user_by_name(session, name, domain['id'])
        except exceptions.NotFound:
            user = ensure.ensure_user(session, name, domain['id'],
                                      password_hash=self._hash('create'))
            self.lines.append(('created', 'user %s (id %s) with %s password'
                               % (name, user['id'], self._whose())))
            return user
        self._note(True, 'user %s (id %s)' % (name, user['id']))
        if self.plan.reset_password:
            users.set_password_hash(session, user['id'], self._hash('reset'))
            self.lines.append(('updated', 'password of user %s (%s)'
                               % (name, self._whose())))
        elif self.plan.password is not None:
            self.lines.append(('unchanged', 'password of user %s (add '
                               '--reset-password to set the given one)'
                               % name))
        return user

    def _whose(self):
        return 'a generated' if self.generated_password else 'the given'

    def _hash(self, action):
        password = self.plan.password
        if password is None:
            if not self.generate:
                raise base.CommandError(
                    'no password to %s user %s with; pass '
                    '--bootstrap-password or set %s'
                    % (action, self.plan.username, PASSWORD_ENV),
                    errors.EXIT_USAGE)
            password = self.generated_password = secrets.token_urlsafe(18)
        try:
            return passwords.hash_password(password, self.conf)
        except exceptions.ValidationError:
            raise base.CommandError(
                'the bootstrap password is longer than [identity] '
                'max_password_length = %d bytes; choose a shorter one'
                % self.conf.identity.max_password_length,
                errors.EXIT_USAGE) from None

    def _catalog(self, session):
        region_id = self.plan.region_id
        found = _exists(regions.get_region, session, region_id)
        ensure.ensure_region(session, region_id)
        self._note(found, 'region %s' % region_id)
        found = bool(services.list_services(session, type=SERVICE_TYPE,
                                            name=SERVICE_NAME))
        service = ensure.ensure_service(session, SERVICE_TYPE, SERVICE_NAME,
                                        description='Identity Service')
        self._note(found, 'service %s (type %s, id %s)' % (
            SERVICE_NAME, SERVICE_TYPE, service['id']))
        for interface in INTERFACES:
            url = self.plan.urls[interface]
            before = endpoints.list_endpoints(
                session, service_id=service['id'], interface=interface,
                region_id=region_id)
            endpoint = ensure.ensure_endpoint(session, service['id'],
                                              interface, url,
                                              region_id=region_id)
            what = '%s endpoint %s (id %s)' % (interface, url, endpoint['id'])
            if before and before[0]['url'] != url:
                self.lines.append(('updated', '%s, was %s'
                                   % (what, before[0]['url'])))
            else:
                self._note(bool(before), what)


def _exists(getter, *args):
    try:
        getter(*args)
    except exceptions.NotFound:
        return False
    return True
