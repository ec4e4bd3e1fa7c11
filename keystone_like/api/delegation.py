"""What a delegated token may not do, and the access rules it carries.

A token obtained with an application credential (or any method but
``password`` and ``token``) is *delegated*, as Keystone classifies it:
it cannot be exchanged for another token, and a *restricted* one (the
default) cannot create or delete application credentials. A trust-scoped
token cannot manage application credentials at all. Messages are
Keystone's, double full stop included.

Access rules limit a credential's tokens to the requests they list.
Keystone enforces them for its own API as keystonemiddleware does for
any service (:func:`check_request`, service type ``identity``), and
hides them from validators that do not announce they understand them
(:func:`check_rules_support`).
"""

import logging
import math
import re

from keystone_like import exceptions
from keystone_like.token import app_creds as app_cred_tokens
from keystone_like.token import delegation as token_delegation
from keystone_like.token import provider

LOG = logging.getLogger(__name__)
SERVICE_TYPE = 'identity'
RULES_HEADER = 'OpenStack-Identity-Access-Rules'
RULES_MIN_VERSION = 1.0
_FORBIDDEN_ACTION = ('You are not authorized to perform the requested '
                     'action: %s.')
# Keystone's access rule path patterns: {name} and * one segment, ** any.
_PATTERN_TOKEN = re.compile(r'(?P<tag>\{[^}]*\})|(?P<wild>\*(?=$|[^*]))|'
                            r'(?P<any>\*\*)|(?P<literal>[^{}*])')


def forbidden_action(action):
    """Return Keystone's ForbiddenAction 403 for ``action``."""
    return exceptions.Forbidden(_FORBIDDEN_ACTION % action)


def refuse_rescoping(parent):
    """403 when ``parent`` (the token method's token) came from a
    delegated credential (application credential, EC2)."""
    if token_delegation.delegated_method(parent.payload):
        raise forbidden_action('Using a delegated token to create another '
                               'token is not allowed.')


def check_app_cred_management(token, changes=False):
    """403 unless ``token`` may manage application credentials.

    Trust-scoped tokens never may; with ``changes`` (create, delete) a
    token of a restricted application credential may not either.
    """
    credential = token.application_credential
    if credential is None and token.payload.trust_id is not None:
        raise exceptions.Forbidden(
            'Cannot manage application credentials with a token issued '
            'via delegation.')
    if changes and credential is not None and not credential['unrestricted']:
        raise forbidden_action(
            "Using method 'application_credential' is not allowed for "
            "managing additional application credentials.")


def path_matches(path, pattern):
    """Return whether request ``path`` matches an access rule's pattern.

    keystonemiddleware's syntax; unlike it, literal characters are only
    themselves (a ``.`` in a rule does not match any character).
    """
    regex = []
    for found in _PATTERN_TOKEN.finditer(pattern):
        if found['tag'] or found['wild']:
            regex.append(r'[^/]+')
        elif found['any']:
            regex.append('.*')
        else:
            regex.append(re.escape(found['literal']))
    return re.fullmatch(''.join(regex), path) is not None


def allows(rules, service, method, path):
    """Return whether one of ``rules`` allows ``method path`` on
    ``service``."""
    return any(rule['service'] == service and rule['method'] == method
               and path_matches(path, rule['path']) for rule in rules)


def check_request(request, token):
    """403 for an EC2 token (it authorizes nothing here, as in Keystone
    30); 401 unless ``token``'s access rules (if any) allow ``request`` on
    this service; validating a token is always allowed."""
    if token_delegation.EC2_METHOD in token.payload.methods:
        raise exceptions.Forbidden()
    rules = app_cred_tokens.access_rules(token)
    if rules is None:
        return
    path = request.path
    if request.method == 'GET' and path.endswith('/v3/auth/tokens'):
        return
    if not allows(rules, SERVICE_TYPE, request.method, path):
        LOG.info('Refused %s %s for application credential %s: no access '
                 'rule allows it', request.method, path,
                 token.application_credential['id'])
        raise exceptions.Unauthorized()


def check_rules_support(request, subject):
    """404 for a subject token with access rules unless the validator
    announces it enforces them (``OpenStack-Identity-Access-Rules: 1.0``
    or later), as Keystone answers."""
    if app_cred_tokens.access_rules(subject) is None:
        return
    try:
        version = float(request.headers.get(RULES_HEADER, ''))
    except ValueError:
        version = None
    if version is None or not math.isfinite(version) or \
            version < RULES_MIN_VERSION:
        raise provider.TokenNotFound('Failed to validate token')
