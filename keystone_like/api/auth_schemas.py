"""The ``POST /v3/auth/tokens`` body: its JSON schema and what it asks for.

The schema follows Keystone's (``keystone/auth/schema.py``): loose about
extra properties, strict about types. The rules a schema cannot state
without echoing the body in its error message (``id`` or ``name``,
exactly one scope) are checked by :func:`parse` with messages of their
own. Nothing here ever puts a password in a message.
"""

import dataclasses

from keystone_like.api import resources
from keystone_like import exceptions
from keystone_like.identity import passwords

# Ids and names are looked up in the database: NUL and lone surrogates
# cannot reach a PostgreSQL query, so refuse them here (400, not 500).
_LOOKUP_TEXT = {'type': 'string', 'pattern': '^[^\\x00\\ud800-\\udfff]*$'}
_DOMAIN_REF = {
    'type': 'object',
    'properties': {'id': _LOOKUP_TEXT, 'name': _LOOKUP_TEXT},
}
_PROJECT_REF = {
    'type': 'object',
    'properties': {'id': _LOOKUP_TEXT, 'name': _LOOKUP_TEXT,
                   'domain': _DOMAIN_REF},
}
_PASSWORD = {
    'type': 'object',
    'properties': {'user': {
        'type': 'object',
        'properties': {'id': _LOOKUP_TEXT, 'name': _LOOKUP_TEXT,
                       'password': {'type': 'string'},
                       'domain': _DOMAIN_REF},
    }},
    'required': ['user'],
}
_TOKEN = {
    'type': 'object',
    'properties': {'id': {'type': 'string'}},
    'required': ['id'],
}
_APP_CRED = {
    'type': 'object',
    'properties': {
        'id': _LOOKUP_TEXT, 'name': _LOOKUP_TEXT,
        'secret': {'type': 'string'},
        'user': {'type': 'object',
                 'properties': {'id': _LOOKUP_TEXT, 'name': _LOOKUP_TEXT,
                                'domain': _DOMAIN_REF}},
    },
}
APP_CRED = 'application_credential'
# Keystone accepts "unscoped" as a string, and {"unscoped": {}} from old
# keystoneauth releases.
SCOPES = ('project', 'domain', 'unscoped', 'system', 'OS-TRUST:trust')
# The authentication methods this service offers (others are 401).
SUPPORTED_METHODS = ('password', 'token', APP_CRED)
_SCOPE = {
    'type': ['object', 'string'],
    'properties': {'project': _PROJECT_REF, 'domain': _DOMAIN_REF,
                   'unscoped': {'type': 'object'},
                   'system': {'type': 'object'},
                   'OS-TRUST:trust': {'type': 'object',
                                      'properties': {'id': _LOOKUP_TEXT}}},
}

TOKEN_ISSUE = {
    'type': 'object',
    'properties': {'auth': {
        'type': 'object',
        'properties': {
            'identity': {
                'type': 'object',
                'properties': {
                    # Stricter than Keystone, which drops a repeated
                    # method silently: a repeat is a client's mistake.
                    'methods': {'type': 'array', 'uniqueItems': True,
                                'items': {'type': 'string'}},
                    'password': _PASSWORD,
                    'token': _TOKEN,
                    APP_CRED: _APP_CRED,
                },
                'required': ['methods'],
            },
            'scope': _SCOPE,
        },
        'required': ['identity'],
    }},
    'required': ['auth'],
}


@dataclasses.dataclass
class AuthRequest:
    """What a valid ``POST /v3/auth/tokens`` body asks for.

    ``scope`` is ``None`` when the body names none (the user's default
    project applies), else ``(kind, ref)`` with ``kind`` one of
    :data:`SCOPES`.
    """

    methods: list
    user: dict = None          # the password method's user reference
    password: str = None
    token_id: str = None
    scope: tuple = None
    # The application_credential method's body (id, or name and user;
    # and the secret).
    app_cred: dict = None
    # The client's address (REMOTE_ADDR): hashing is fair per address too.
    client: str = None

    def describe_user(self):
        """Return how the request names its user, for log lines."""
        if self.app_cred is not None and self.user is None:
            cred = self.app_cred
            if cred.get('id'):
                return 'application credential %r' % cred['id']
            return 'application credential %r of user %r' % (
                cred.get('name'), cred.get('user'))
        if self.user is None:
            return 'the user of the given token'
        if self.user.get('name'):
            return 'name %r in domain %r' % (
                self.user['name'], self.user.get('domain'))
        return 'id %r' % self.user.get('id')


def parse(request, conf):
    """Return the AuthRequest of ``request``; 400 if malformed.

    An over-long password is refused here, before anything is looked up.
    A method this service does not offer is 401, as Keystone answers.
    """
    auth = resources.json_body(request, TOKEN_ISSUE)['auth']
    identity = auth['identity']
    methods = identity['methods']
    for method in methods:
        if method not in identity:
            raise exceptions.expecting(method, 'auth.identity')
    if not methods or set(methods) - set(SUPPORTED_METHODS):
        raise exceptions.Unauthorized()
    parsed = AuthRequest(methods=sorted(set(methods)),
                         scope=_scope(auth.get('scope')),
                         client=request.remote_addr)
    if 'password' in methods:
        parsed.user = identity['password']['user']
        _check_ref(parsed.user, 'auth.identity.password.user',
                   needs_domain=True)
        parsed.password = parsed.user.get('password')
        if parsed.password is not None:
            passwords.check_length(parsed.password, conf)
    if 'token' in methods:
        parsed.token_id = identity['token']['id']
    if APP_CRED in methods:
        parsed.app_cred = _app_cred(identity[APP_CRED], auth)
        if parsed.app_cred.get('secret') is not None:
            # Verified like a password: the same cheap limit first.
            passwords.check_length(parsed.app_cred['secret'], conf)
    return parsed


def _app_cred(ref, auth):
    """Check the application_credential method's body as Keystone does.

    Its scope is the credential's project: asking for one is 401 (checked
    first, as Keystone does).
    """
    if 'scope' in auth:
        raise exceptions.Unauthorized(
            'Error authenticating with application credential: Application '
            'credentials cannot request a scope.')
    if not ref.get('id'):
        if not ref.get('name'):
            raise exceptions.expecting('name or ID',
                                       'application credential')
        user = ref.get('user')
        if not user:
            raise exceptions.expecting('user', 'application credential')
        if not user.get('id'):
            if not user.get('name'):
                raise exceptions.expecting('id or name', 'user')
            if 'domain' not in user:
                raise exceptions.expecting('domain', 'user')
            _check_ref(user['domain'], 'auth.identity.%s.user.domain'
                       % APP_CRED)
    return ref


def _scope(scope):
    if scope is None:
        return None
    if isinstance(scope, str):
        if scope != 'unscoped':
            raise exceptions.ValidationError(
                "Invalid input for field 'auth.scope': expected an object "
                "or the string \"unscoped\".")
        return ('unscoped', {})
    kinds = [kind for kind in SCOPES if kind in scope]
    if len(kinds) != 1:
        raise exceptions.ValidationError(
            "Invalid input for field 'auth.scope': give exactly one of %s."
            % ', '.join(SCOPES))
    kind = kinds[0]
    if kind == 'project':
        _check_ref(scope['project'], 'auth.scope.project', needs_domain=True)
    elif kind == 'domain':
        _check_ref(scope['domain'], 'auth.scope.domain')
    elif kind == 'OS-TRUST:trust' and not scope[kind].get('id'):
        raise exceptions.expecting('trust_id', 'trust')
    return (kind, scope[kind])


def _check_ref(ref, field, needs_domain=False):
    """Check an ``{id | name [+ domain]}`` reference as Keystone does."""
    if not ref.get('id') and not ref.get('name'):
        raise exceptions.ValidationError(
            "Invalid input for field '%s': id or name must be present."
            % field)
    if needs_domain and ref.get('name'):
        if 'domain' not in ref:
            raise exceptions.expecting('domain', field)
        _check_ref(ref['domain'], field + '.domain')
