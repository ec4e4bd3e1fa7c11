"""Users: self-service on both listeners, management on the admin one.

Passwords are hashed outside any database transaction (hashing is slow
and runs off the hub), never returned and never logged. A password change,
a disable or a delete records a revocation event by user id, so the user's
existing tokens stop validating on every worker and node at once.

As in Keystone, a password change is authorised by the original password
alone: no token is needed and a token sent along is not looked at. It
goes through ``[security_compliance]``: the lockout counts its failures,
an expired original still works, and the new password must match
``password_regex``, respect ``minimum_password_age`` and differ from the
last ``unique_last_password_count`` passwords. Administrators (create,
PATCH) are held to ``password_regex`` only.
"""

import logging

from keystone_like import api
from keystone_like.api import auth
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api import targets
from keystone_like.api.schemas import identity as schema
from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.identity import compliance
from keystone_like.identity import passwords
from keystone_like.store import effective
from keystone_like.store import revocations
from keystone_like.store import users

LOG = logging.getLogger(__name__)
COLLECTION = 'users'


def _current_hash(session, user_id):
    try:
        return users.get_password_hash(session, user_id)
    except exceptions.NotFound:
        return None


def _check_unlocked(session, user_id):
    """400 when the user's ``lock_password`` option forbids changing it
    (checked once the original password is known right, as Keystone)."""
    if users.get_options(session, user_id).get('lock_password') is True:
        raise exceptions.ValidationError(
            'You cannot change your password at this time due to password '
            'policy disallowing password changes. Please contact your '
            'administrator to reset your password.')


class UserResource:
    """Handlers of ``/v3/users`` and of a user's password and projects."""

    public_routes = (
        ('GET', '/users/{user_id}', 'get_user'),
        ('POST', '/users/{user_id}/password', 'change_password'),
        ('GET', '/users/{user_id}/projects', 'list_user_projects'),
    )
    management_routes = (
        ('POST', '/users', 'create_user'),
        ('GET', '/users', 'list_users'),
        ('PATCH', '/users/{user_id}', 'update_user'),
        ('DELETE', '/users/{user_id}', 'delete_user'),
    )

    def _user_response(self, request, ref, status=200):
        return api.json_response({'user': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def _authorize_user(self, session, request, action, user_id):
        """Authorize ``identity:<action>`` on user ``user_id``."""
        self.authorize(self.authenticate(session, request),
                       'identity:' + action,
                       targets.build(session, user=user_id), user_id=user_id)

    def _take_password(self, ref):
        """Return ``(ref without password, given?, hash or None)``."""
        ref = dict(ref)
        given = 'password' in ref
        password = ref.pop('password', None)
        if password is None:
            return ref, given, None
        # check_length first: an over-long password is refused unhashed.
        passwords.check_length(password, self.backends.conf)
        compliance.check_regex(compliance.from_conf(self.backends.conf),
                               password)
        return ref, given, passwords.hash_password(password,
                                                   self.backends.conf)

    def get_user(self, request, user_id):
        """GET /v3/users/{user_id}: the caller itself, or any for admins."""
        with self.session() as session:
            self._authorize_user(session, request, 'get_user', user_id)
            ref = users.get_user(session, user_id)
        return self._user_response(request, ref)

    def change_password(self, request, user_id):
        """POST /v3/users/{user_id}/password: 204 for the right original.

        Any caller knowing the original password may change it (Keystone
        runs no policy here). An unknown user, a wrong password and a
        disabled user or domain all answer the same 401.
        """
        conf = self.backends.conf
        body = resources.json_body(request, schema.PASSWORD_CHANGE)['user']
        original, new = body['original_password'], body['password']
        passwords.check_length(original, conf)
        passwords.check_length(new, conf)
        client = request.remote_addr
        try:
            _user, verified = auth.check_password(
                self.backends, {'id': user_id}, original, client=client,
                allow_expired=True)
        except auth.AuthFailed as exc:
            LOG.info('Password change refused for user %s: %s', user_id,
                     exc.reason)
            raise
        rules = compliance.from_conf(conf)
        compliance.check_regex(rules, new)
        with self.session() as session:
            _check_unlocked(session, user_id)
            compliance.check_minimum_age(
                rules, users.login_facts(session, user_id), models.utcnow())
            recent = users.recent_password_hashes(
                session, user_id, rules.unique_last_password_count)
        with auth.fair_hashing(conf, {'id': user_id}, client):
            if any(passwords.verify_password(new, earlier)
                   for earlier in recent[:rules.unique_last_password_count]):
                LOG.info('Password change refused for user %s: the new '
                         'password is in its history', user_id)
                raise compliance.history_error(
                    rules.unique_last_password_count)
            new_hash = passwords.hash_password(new, conf)
        with self.session() as session:
            # Changed or deleted while we were hashing: the original
            # password no longer holds.
            if _current_hash(session, user_id) != verified:
                LOG.info('Password change refused for user %s: the password '
                         'changed meanwhile', user_id)
                raise exceptions.Unauthorized()
            users.set_password_hash(session, user_id, new_hash,
                                    self_service=True)
            revocations.add_event(session, user_id=user_id)
        return resources.no_content()

    def list_user_projects(self, request, user_id):
        """GET /v3/users/{user_id}/projects: where the user has a role."""
        with self.session() as session:
            self._authorize_user(session, request, 'list_user_projects',
                                 user_id)
            users.get_user(session, user_id)
            refs = effective.projects_for_user(session, user_id)
        filters = {'name': resources.query(request, 'name'),
                   'domain_id': resources.query(request, 'domain_id'),
                   'enabled': resources.query_bool(request, 'enabled')}
        refs = [ref for ref in refs
                if all(value is None or ref[key] == value
                       for key, value in filters.items())]
        # As in Keystone, only ?limit= pages this list, not list_limit.
        pager = pagination.Pager(request, self.backends.conf)
        return api.json_response(pager.collection(
            self.interface, 'projects', pager.select(refs),
            path='users/%s/projects' % user_id))

    def create_user(self, request):
        """POST /v3/users: 201; a password is hashed, never returned."""
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.USER_CREATE)['user']
            # As in Keystone, policy sees the body as sent (a domain
            # manager must name its domain), the password left out.
            self.authorize(token, 'identity:create_user', {'user': {
                key: value for key, value in body.items()
                if key != 'password'}})
            body = resources.domain_for_new(token, body)
        ref, _given, password_hash = self._take_password(body)
        ref.pop('id', None)  # Keystone assigns ids; it ignores one given.
        with self.session() as session:
            user = users.create_user(session, ref,
                                     password_hash=password_hash)
        return self._user_response(request, user, status=201)

    def list_users(self, request):
        """GET /v3/users with ``?name= &domain_id= &enabled=``, paged."""
        pager = pagination.Pager(request, self.backends.conf, 'identity')
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_users',
                           targets.scoped_domain(token))
            domain_id = targets.domain_filter(
                token, resources.query(request, 'domain_id'))
            refs = [] if domain_id is targets.NOTHING else users.list_users(
                session, name=resources.query(request, 'name'),
                domain_id=domain_id,
                enabled=resources.query_bool(request, 'enabled'),
                page=pager.page())
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def update_user(self, request, user_id):
        """PATCH /v3/users/{user_id}; a new password or disabling revokes."""
        with self.session() as session:
            self._authorize_user(session, request, 'update_user', user_id)
            users.get_user(session, user_id)  # 404 before hashing
        body = resources.json_body(request, schema.USER_UPDATE)['user']
        changes, password_given, password_hash = self._take_password(body)
        with self.session() as session:
            ref = users.update_user(session, user_id, changes)
            if password_given:
                users.set_password_hash(session, user_id, password_hash)
            if password_given or changes.get('enabled') is False:
                revocations.add_event(session, user_id=user_id)
        return self._user_response(request, ref)

    def delete_user(self, request, user_id):
        """DELETE /v3/users/{user_id}: 204; its tokens are revoked."""
        with self.session() as session:
            self._authorize_user(session, request, 'delete_user', user_id)
            users.delete_user(session, user_id)
            revocations.add_event(session, user_id=user_id)
        return resources.no_content()
