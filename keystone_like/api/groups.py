"""Groups: ``/v3/groups``, their members, and a user's groups.

Removing a user from a group, and deleting a group that holds roles,
record a revocation event for the users concerned (as Keystone does):
tokens they hold stop validating even where the roles came from elsewhere.
"""

from keystone_like import api
from keystone_like.api import resources
from keystone_like.api.schemas import identity as schema
from keystone_like.api import targets
from keystone_like.store import assignments
from keystone_like.store import groups
from keystone_like.store import revocations
from keystone_like.store import users

COLLECTION = 'groups'
_MEMBER = '/groups/{group_id}/users/{user_id}'


def _in_token_domain(token, refs):
    """A domain-scoped caller sees its domain's entities only."""
    if token.domain_id is None:
        return refs
    return [ref for ref in refs if ref['domain_id'] == token.domain_id]


class GroupResource:
    """Handlers of ``/v3/groups`` and group membership."""

    public_routes = ()
    management_routes = (
        ('POST', '/groups', 'create_group'),
        ('GET', '/groups', 'list_groups'),
        ('GET', '/groups/{group_id}', 'get_group'),
        ('PATCH', '/groups/{group_id}', 'update_group'),
        ('DELETE', '/groups/{group_id}', 'delete_group'),
        ('GET', '/groups/{group_id}/users', 'list_users_in_group'),
        ('PUT', _MEMBER, 'add_user_to_group'),
        ('GET', _MEMBER, 'check_user_in_group'),
        ('DELETE', _MEMBER, 'remove_user_from_group'),
        ('GET', '/users/{user_id}/groups', 'list_groups_for_user'),
    )

    def _group_response(self, request, ref, status=200):
        return api.json_response({'group': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def create_group(self, request):
        """POST /v3/groups: 201; the domain defaults as for users."""
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.GROUP_CREATE)
            # As in Keystone, policy sees the body as sent: a domain
            # manager must name its domain.
            self.authorize(token, 'identity:create_group', body)
            ref = dict(body['group'])
            ref.pop('id', None)  # Keystone assigns ids.
            ref = groups.create_group(session,
                                      resources.domain_for_new(token, ref))
        return self._group_response(request, ref, status=201)

    def list_groups(self, request):
        """GET /v3/groups: ``?name= &domain_id=``; a domain token's own."""
        with self.session() as session:
            token = self.authenticate(session, request)
            target = None
            if token.domain_id is not None:
                target = {'group': {'domain_id': token.domain_id}}
            self.authorize(token, 'identity:list_groups', target)
            refs = groups.list_groups(
                session, name=resources.query(request, 'name'),
                domain_id=resources.query(request, 'domain_id'))
            refs = _in_token_domain(token, refs)
        return api.json_response(resources.collection(
            request, self.interface, COLLECTION, refs))

    def get_group(self, request, group_id):
        """GET /v3/groups/{group_id}."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:get_group',
                           targets.build(session, group=group_id))
            ref = groups.get_group(session, group_id)
        return self._group_response(request, ref)

    def update_group(self, request, group_id):
        """PATCH /v3/groups/{group_id}."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:update_group',
                           targets.build(session, group=group_id))
            changes = resources.json_body(
                request, schema.GROUP_UPDATE)['group']
            ref = groups.update_group(session, group_id, changes)
        return self._group_response(request, ref)

    def delete_group(self, request, group_id):
        """DELETE /v3/groups/{group_id}: 204; members' tokens revoked if
        the group held roles."""
        with self.session() as session:
            token = self.authenticate(session, request)
            # Keystone loads the group first: an unknown one is 404.
            self.authorize(token, 'identity:delete_group',
                           targets.existing(session, 'group', group_id))
            held_roles = assignments.has_assignments(session, group_id)
            for user_id in groups.delete_group(session, group_id):
                if held_roles:
                    revocations.add_event(session, user_id=user_id)
        return resources.no_content()

    def list_users_in_group(self, request, group_id):
        """GET /v3/groups/{group_id}/users (``?name= &enabled=`` ...)."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_users_in_group',
                           targets.build(session, group=group_id))
            groups.get_group(session, group_id)
            refs = _in_token_domain(token, users.list_users(
                session, group_id=group_id,
                name=resources.query(request, 'name'),
                domain_id=resources.query(request, 'domain_id'),
                enabled=resources.query_bool(request, 'enabled')))
        return api.json_response(resources.collection(
            request, self.interface, 'users', refs,
            path='groups/%s/users' % group_id))

    def _membership(self, request, action, change, group_id, user_id):
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:' + action, targets.build(
                               session, group=group_id, user=user_id),
                           group_id=group_id, user_id=user_id)
            change(session, group_id, user_id)
            if change is groups.remove_member:
                revocations.add_event(session, user_id=user_id)
        return resources.no_content()

    def add_user_to_group(self, request, group_id, user_id):
        """PUT /v3/groups/{group_id}/users/{user_id}: 204."""
        return self._membership(request, 'add_user_to_group',
                                groups.add_member, group_id, user_id)

    def check_user_in_group(self, request, group_id, user_id):
        """HEAD or GET /v3/groups/{group_id}/users/{user_id}: 204 or 404."""
        return self._membership(request, 'check_user_in_group',
                                groups.check_member, group_id, user_id)

    def remove_user_from_group(self, request, group_id, user_id):
        """DELETE /v3/groups/{group_id}/users/{user_id}: 204; the user's
        tokens are revoked."""
        return self._membership(request, 'remove_user_from_group',
                                groups.remove_member, group_id, user_id)

    def list_groups_for_user(self, request, user_id):
        """GET /v3/users/{user_id}/groups: ``?name=``."""
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_groups_for_user',
                           targets.build(session, user=user_id),
                           user_id=user_id)
            users.get_user(session, user_id)
            refs = _in_token_domain(token, groups.list_groups(
                session, user_id=user_id,
                name=resources.query(request, 'name')))
        # Keystone shows when each membership expires (None: never).
        refs = [dict(ref, membership_expires_at=None) for ref in refs]
        return api.json_response(resources.collection(
            request, self.interface, COLLECTION, refs,
            path='users/%s/groups' % user_id))
