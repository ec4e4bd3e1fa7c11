"""``/v3/users/{user_id}/access_rules``: the access rules a user's
application credentials are limited to (self-service, both listeners).

Rules are made when a credential is created with ``access_rules``; here
they are listed (``?service= &method= &path=``), read and deleted — not
while a credential still uses one (403, as Keystone). Policy reads
``target.user``: the user of the path, when it exists.
"""

from keystone_like import api
from keystone_like.api import delegation
from keystone_like.api import resources
from keystone_like.api import targets
from keystone_like.store import access_rules

MEMBER = 'access_rule'
COLLECTION = 'access_rules'


class AccessRuleResource:
    """Handlers of a user's access rules."""

    public_routes = (
        ('GET', '/users/{user_id}/access_rules', 'list_access_rules'),
        ('GET', '/users/{user_id}/access_rules/{access_rule_id}',
         'get_access_rule'),
        ('DELETE', '/users/{user_id}/access_rules/{access_rule_id}',
         'delete_access_rule'),
    )
    management_routes = ()

    def _authorize_rules(self, session, request, action, user_id):
        token = self.authenticate(session, request)
        self.authorize(token, 'identity:' + action,
                       targets.build(session, user=user_id), user_id=user_id)
        delegation.check_app_cred_management(token)

    def list_access_rules(self, request, user_id):
        """GET (and HEAD): the user's rules matching the filters."""
        with self.session() as session:
            self._authorize_rules(session, request, 'list_access_rules',
                                  user_id)
            refs = access_rules.list_rules(
                session, user_id,
                **{field: resources.query(request, field)
                   for field in access_rules.FIELDS})
        self_url = resources.v3_url(request, self.interface,
                                    'users/%s/%s' % (user_id, COLLECTION))
        if request.query_string:
            self_url += '?' + request.query_string
        return api.json_response({
            COLLECTION: [resources.entity(request, self.interface,
                                          COLLECTION, ref) for ref in refs],
            'links': {'self': self_url, 'previous': None, 'next': None}})

    def get_access_rule(self, request, user_id, access_rule_id):
        """GET (and HEAD): one of the user's rules."""
        with self.session() as session:
            self._authorize_rules(session, request, 'get_access_rule',
                                  user_id)
            ref = access_rules.get_rule(session, access_rule_id,
                                        user_id=user_id)
        return api.json_response({MEMBER: resources.entity(
            request, self.interface, COLLECTION, ref)})

    def delete_access_rule(self, request, user_id, access_rule_id):
        """DELETE: 204; 403 while a credential uses the rule."""
        with self.session() as session:
            self._authorize_rules(session, request, 'delete_access_rule',
                                  user_id)
            access_rules.delete_rule(session, access_rule_id, user_id)
        return resources.no_content()
