"""A token as validation resolves it: the payload and what it refers to.

:class:`Token` is what :class:`keystone_like.token.provider.TokenProvider`
returns: the payload, the user and scope as read at validation time, the
roles held there, and (for delegated tokens) the trust or application
credential. It renders Keystone's token document and the credentials
policy checks see.
"""

import dataclasses

from keystone_like.token import app_creds
from keystone_like.token import formats
from keystone_like.trust import scope as trust_scope


# The fields of a token document that differ between the tokens of one
# user and scope (the rest is the same at one revision).
OWN_FIELDS = ('methods', 'audit_ids', 'expires_at', 'issued_at')


@dataclasses.dataclass
class Token:
    """A valid token with what it refers to, as read at validation time."""

    id: str
    payload: formats.TokenPayload
    user: dict
    user_domain: dict
    project: dict = None
    domain: dict = None
    scope_domain: dict = None   # the project's domain, or the scoped domain
    roles: list = dataclasses.field(default_factory=list)
    # True/False for project tokens when [resource] admin_project_name is
    # set; None otherwise (policy then sees True, as Keystone's does).
    is_admin_project: bool = None
    # The application credential of the token, if obtained with one.
    application_credential: dict = None
    # The trust of a trust-scoped token (a trust_scope.TrustScope).
    trust: object = None
    # The database revision this was resolved at, when it came from (or
    # went into) the validation cache; what the token means is then
    # determined by (id, revision).
    revision: tuple = None

    @property
    def user_id(self):
        """The id of the token's user."""
        return self.payload.user_id

    @property
    def project_id(self):
        """The id of the scoped project, or None."""
        return self.payload.project_id

    @property
    def domain_id(self):
        """The id of the scoped domain, or None."""
        return self.payload.domain_id

    @property
    def system(self):
        """``'all'`` for a system-scoped token, else None."""
        return self.payload.system

    @property
    def acting_user(self):
        """The user the token acts as: the trustor when a trust allows
        impersonation, else the token's own user."""
        if self.trust is not None and self.trust.impersonation:
            return self.trust.trustor
        return self.user

    @property
    def role_names(self):
        """The names of the roles the user holds on the scope."""
        return [role['name'] for role in self.roles]

    def credentials(self):
        """Return the credentials policy checks see, as Keystone's context
        gives them (``token`` is the token document, without catalog)."""
        project_domain = (self.scope_domain['id']
                          if self.project is not None else None)
        is_admin_project = self.is_admin_project
        if is_admin_project is None:
            is_admin_project = self.domain is None
        trust = self.trust
        return {'user_id': self.acting_user['id'],
                'user_domain_id': self.acting_user['domain_id'],
                'system_scope': self.system, 'domain_id': self.domain_id,
                'project_id': self.project_id,
                'project_domain_id': project_domain,
                'roles': self.role_names,
                'is_admin_project': is_admin_project,
                'service_user_id': None, 'service_user_domain_id': None,
                'service_project_id': None,
                'service_project_domain_id': None, 'service_roles': [],
                'trust_id': self.payload.trust_id,
                'trustor_id': trust and trust.trustor['id'],
                'trustee_id': trust and trust.trustee['id'],
                'token': self.document()}

    def document(self):
        """Return the token's ``{...}`` body without the catalog."""
        payload = self.payload
        body = {
            'methods': list(payload.methods),
            'user': {'id': self.user['id'], 'name': self.user['name'],
                     'domain': ref(self.user_domain),
                     'password_expires_at': self.user.get(
                         'password_expires_at')},
            'audit_ids': list(payload.audit_ids),
            'expires_at': formats.format_time(payload.expires_at),
            'issued_at': formats.format_time(payload.issued_at),
        }
        if self.system is not None:
            body['system'] = {'all': True}
        elif self.domain is not None:
            body['domain'] = ref(self.domain)
        elif self.trust is not None:
            body.update(trust_scope.document(self.trust))
        elif self.project is not None:
            body['project'] = dict(ref(self.project),
                                   domain=ref(self.scope_domain))
            body['is_domain'] = False
            if self.is_admin_project is not None:
                body['is_admin_project'] = self.is_admin_project
        if self.trust is not None:
            # Keystone shows a trust token's roles in full.
            body['roles'] = [trust_scope.role_document(role)
                             for role in self.roles]
        elif payload.scope is not None:
            body['roles'] = [ref(role) for role in self.roles]
        if self.application_credential is not None:
            body['application_credential'] = app_creds.document(
                self.application_credential)
        return body


def ref(entity):
    """``{"id", "name"}`` of a user, project, domain or role."""
    return {'id': entity['id'], 'name': entity['name']}
