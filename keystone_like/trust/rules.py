"""The rules a new trust follows, Keystone's (``keystone/api/trusts.py`` and
``keystone/trust/core.py``), checked after policy in Keystone's order:

1. a trust on a project delegates at least one role (403);
2. the trustee exists (404); roles named by name are global roles (404);
3. the trustor holds every delegated role on the project, directly,
   through a group, by inheritance or by implication (404 naming the role);
4. ``expires_at`` is an ISO 8601 time (400) not in the past (400);
5. redelegation: ``allow_redelegation`` with ``redelegation_count`` (at
   most ``[trust] max_redelegation_count``, 403; default that maximum)
   forbids ``remaining_uses`` (400). A trust created with a trust-scoped
   token is redelegated from that trust: it must be redelegatable, and the
   new trust may not outlive it, add roles, add impersonation, limit its
   uses, name another project (all 403) — checked against every trust up
   the chain — and gets one less ``redelegation_count`` (asking for
   another count is 403). Keystone does not compare the projects.

Keystone answers these 403s with its generic message; the reason is
logged at INFO.
"""

import datetime
import logging

from keystone_like import exceptions
from keystone_like.store import effective
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import trusts
from keystone_like.store import users
from keystone_like.token import formats
from keystone_like.trust import scope as trust_scope

LOG = logging.getLogger(__name__)
_CLIENT_ERROR = ('The server could not comply with the request since it is '
                 'either malformed or otherwise incorrect. The client is '
                 'assumed to be in error.')


def _forbidden(reason):
    LOG.info('Trust refused: %s', reason)
    return exceptions.Forbidden()


def forbidden_action(action):
    """Return Keystone's ForbiddenAction: the reason is in the message."""
    return exceptions.Forbidden(
        'You are not authorized to perform the requested action: %s.'
        % action)


def parse_expiry(text, now):
    """Return ``expires_at`` as an aware UTC datetime in whole seconds."""
    try:
        value = formats.parse_time(text)
    except ValueError:
        raise exceptions.ValidationError(
            'Timestamp not in expected format. ' + _CLIENT_ERROR) from None
    if value < now:
        raise exceptions.ValidationError(
            "The 'expires_at' must not be before now. " + _CLIENT_ERROR)
    return value.replace(microsecond=0)


def create(session, conf, body, parent_trust_id=None):
    """Check and store the trust ``body`` asks for; return it.

    ``body`` is the request's ``trust`` object, policy already checked
    (the caller is the trustor). ``parent_trust_id`` is the trust of the
    caller's trust-scoped token, if any: the new trust is redelegated
    from it.
    """
    ref = dict(body)
    # Only redelegation links trusts; a client cannot claim a parent.
    ref.pop('redelegated_trust_id', None)
    if ref.get('project_id') and not ref.get('roles'):
        raise forbidden_action('At least one role should be specified')
    users.get_user(session, ref['trustee_user_id'])
    role_ids = _role_ids(session, ref.pop('roles', None) or [])
    _require_trustor_roles(session, ref, role_ids)
    now = datetime.datetime.now(datetime.timezone.utc)
    if ref.get('expires_at') is not None:
        ref['expires_at'] = parse_expiry(ref['expires_at'], now)
    parent = None
    if parent_trust_id is not None:
        parent = trusts.get_trust(session, parent_trust_id)
    _redelegation(session, conf, ref, role_ids, parent)
    return trusts.create_trust(session, ref, role_ids)


def _role_ids(session, refs):
    """Return the ids of ``[{"id"} | {"name"}]`` (names: global roles)."""
    ids = []
    for ref in refs:
        if ref.get('id'):
            ids.append(ref['id'])
            continue
        try:
            ids.append(roles.get_role_by_name(session, ref['name'])['id'])
        except exceptions.NotFound:
            raise exceptions.NotFound(
                'Role %s is not defined' % ref['name']) from None
    return list(dict.fromkeys(ids))


def _require_trustor_roles(session, ref, role_ids):
    """404 for the first delegated role the trustor does not hold.

    Domain-specific roles held count (their tokens then carry what they
    imply). A trust without a project can delegate no role.
    """
    held = set()
    if ref.get('project_id'):
        project = projects.get_project(session, ref['project_id'])
        held = effective.role_ids_on_project(
            session, ref['trustor_user_id'], project['id'],
            project['domain_id'], domain_specific=True)
    for role_id in role_ids:
        if role_id not in held:
            raise exceptions.NotFound('Could not find role: %s.' % role_id)


def _redelegation(session, conf, ref, role_ids, parent):
    """Set ``redelegation_count`` (and ``redelegated_trust_id``) by
    Keystone's rules; 403 or 400 when they are broken."""
    maximum = conf.trust.max_redelegation_count
    requested = ref.get('redelegation_count')
    redelegatable = bool(ref.pop('allow_redelegation', False)) and (
        requested != 0)
    if not redelegatable:
        count = 0
    else:
        if requested is not None and requested > maximum:
            raise _forbidden('redelegation depth %d is above the allowed %d'
                             % (requested, maximum))
        if ref.get('remaining_uses') is not None:
            raise exceptions.ValidationError(
                'remaining_uses must not be set if redelegation is allowed')
        count = requested
    if parent is not None:
        ref['redelegated_trust_id'] = parent['id']
        remaining = parent['redelegation_count'] - 1
        if redelegatable and requested and requested != remaining:
            raise _forbidden('modifying redelegation_count upon '
                             'redelegation')
        if count is None:
            count = remaining
        for ancestor in [parent] + trust_scope.load_chain(session, parent):
            _check_against(ancestor, ref, role_ids, maximum)
    ref['redelegation_count'] = maximum if count is None else count


def _check_against(ancestor, ref, role_ids, maximum):
    """The new trust may not exceed ``ancestor``, a trust it derives from.

    Without ``expires_at`` the new trust inherits the ancestor's; an
    ancestor without one lets it pick any (Keystone fails there).
    """
    depth = ancestor['redelegation_count'] or 0
    if not 0 < depth <= maximum:
        raise _forbidden('remaining redelegation depth of trust %s is %d, '
                         'out of [1..%d]' % (ancestor['id'], depth, maximum))
    if ref.get('remaining_uses') is not None:
        raise _forbidden('remaining_uses must not be set to redelegate')
    if ref.get('expires_at') is None:
        ref['expires_at'] = ancestor['expires_at']
    elif (ancestor['expires_at'] is not None
          and ancestor['expires_at'] < ref['expires_at']):
        raise _forbidden('the expiry is later than that of trust %s'
                         % ancestor['id'])
    if ref.get('project_id') != ancestor['project_id']:
        # Keystone does not compare projects: a trust on one project could
        # be redelegated onto another where the trustor holds the roles.
        raise _forbidden('the project is not that of trust %s'
                         % ancestor['id'])
    if not set(role_ids) <= set(ancestor['role_ids']):
        raise _forbidden('some roles are not in trust %s' % ancestor['id'])
    if ref['impersonation'] and not ancestor['impersonation']:
        raise _forbidden('trust %s does not allow impersonation'
                         % ancestor['id'])
