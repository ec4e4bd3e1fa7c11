"""Resource options: Keystone's per-resource settings under ``options``.

Users have the security options (``lock_password``,
``ignore_password_expiry``, ``multi_factor_auth_rules``, ...); projects,
domains and roles have ``immutable``. A change merges into the stored
options, ``null`` removes one, an unknown name is 400.

``immutable`` makes a resource read-only: it refuses updates (and tag
changes) and deletion with 403 until a request sets ``immutable`` to false
(or null) and nothing else, as in Keystone.
"""

from keystone_like import exceptions

IMMUTABLE = 'immutable'
USER = ('ignore_change_password_upon_first_use', 'ignore_password_expiry',
        'ignore_lockout_failure_attempts', 'lock_password',
        'ignore_user_inactivity', 'multi_factor_auth_rules',
        'multi_factor_auth_enabled')
PROJECT = (IMMUTABLE,)
_MESSAGE = ('Unable to %s immutable %s resource: `%s. Set resource option '
            '"immutable" to false first.')


def merge(current, changes, allowed, kind):
    """Return ``current`` updated by ``changes`` (None removes an option).

    ValidationError for an option ``kind`` resources do not have.
    """
    changes = changes or {}
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise exceptions.ValidationError(
            'Invalid %s option(s): %s.' % (kind, ', '.join(unknown)))
    merged = dict(current or {})
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def is_immutable(options):
    """Return whether ``options`` lock their resource."""
    return bool((options or {}).get(IMMUTABLE))


def check_update(options, changes, kind, resource_id, ignored=()):
    """Raise Forbidden unless a resource with ``options`` may take
    ``changes``: anything when mutable; when immutable only
    ``{"options": {"immutable": false or null}}`` (``ignored`` keys aside).
    """
    if not is_immutable(options):
        return
    given = set(changes) - set(ignored)
    unlock = (changes.get('options') or {}).get(IMMUTABLE, True)
    if given != {'options'} or unlock not in (False, None):
        raise exceptions.Forbidden(_MESSAGE % ('update', kind, resource_id))


def check_delete(options, kind, resource_id):
    """Raise Forbidden when a resource with ``options`` is immutable."""
    if is_immutable(options):
        raise exceptions.Forbidden(_MESSAGE % ('delete', kind, resource_id))
