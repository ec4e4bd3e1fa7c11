"""Who is asking: the token behind a request, and the policy check.

Identity comes from ``X-Auth-Token`` alone, validated like any token;
identity headers a client sends (``X-User-Id``, ``X-Roles``, ...) are never
read. A token limited by access rules reaches only the requests they allow.
"""

from keystone_like.api import delegation
from keystone_like import exceptions
from keystone_like.api import versions

AUTH_HEADER = 'X-Auth-Token'
SUBJECT_HEADER = 'X-Subject-Token'


def authenticate(backends, session, request):
    """Return the validated Token of ``X-Auth-Token``, or Unauthorized.

    A token made from an EC2 signature is for other services: here it is
    403 whatever the request (as in Keystone 30).
    """
    token_id = request.headers.get(AUTH_HEADER)
    if not token_id:
        raise exceptions.Unauthorized()
    try:
        token = backends.tokens.validate(session, token_id)
    except exceptions.NotFound:
        raise exceptions.Unauthorized() from None
    delegation.check_request(request, token)
    return token


def authorize(backends, token, action, target=None, params=None):
    """Raise Forbidden unless ``token`` may do ``action`` on ``target``.

    ``params`` are the request's path parameters (``user_id``, ...), which
    rules such as ``user_id:%(user_id)s`` read, as Keystone's do.
    """
    cache_key = None
    if token.id is not None and token.revision is not None:
        cache_key = (token.id, token.revision)
    backends.policy.enforce(action, token.credentials,
                            policy_target(target, params), cache_key)


def policy_target(target, params=None):
    """Return the path parameters and the flattened ``target.`` keys.

    Keystone's rules read ``%(target.token.user_id)s``: oslo.policy looks
    that up as one key, so nested targets are flattened as Keystone does.
    """
    flat = dict(params or {})
    _flatten(target or {}, 'target.', flat)
    return flat


def _flatten(value, prefix, into):
    for key, item in value.items():
        if isinstance(item, dict):
            _flatten(item, '%s%s.' % (prefix, key), into)
        else:
            into[prefix + key] = item


def www_authenticate(request, mount):
    """Return the ``WWW-Authenticate`` header Keystone sends with a 401."""
    root = versions.base_url(request, 'public', mount=mount)
    return ('WWW-Authenticate', 'Keystone uri="%s"' % root)
