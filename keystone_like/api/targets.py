"""Policy targets: the entities a request is about, as Keystone builds them.

A rule such as ``domain_id:%(target.user.domain_id)s`` reads the target
user's domain. With :func:`build`, entities that do not exist are left
out, so the caller gets 403 when the rule needs them and a 404 later only
if authorized (what exists is not revealed to whoever may not ask). A few
Keystone APIs load their entity before the policy check instead (updating
or deleting a domain, deleting a group, reading, updating or deleting a
global role): for those :func:`existing` answers 404 first, as Keystone.
"""

from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import groups
from keystone_like.store import projects
from keystone_like.store import roles
from keystone_like.store import users

_LOADERS = {'user': users.get_user, 'group': groups.get_group,
            'project': projects.get_project, 'domain': domains.get_domain,
            'role': roles.get_role}


def build(session, **ids):
    """Return ``{kind: entity}`` for each ``kind=id`` given that exists."""
    target = {}
    for kind, entity_id in ids.items():
        if entity_id is None:
            continue
        try:
            target[kind] = _LOADERS[kind](session, entity_id)
        except exceptions.NotFound:
            pass
    return target


# domain_filter's answer when a domain-scoped token asks for another domain.
NOTHING = object()


def existing(session, kind, entity_id):
    """Return ``{kind: entity}``; NotFound if there is no such entity."""
    return {kind: _LOADERS[kind](session, entity_id)}


def scoped_domain(token):
    """The target of lists a domain-scoped token may read: its domain."""
    if token.domain_id is None:
        return None
    return {'domain_id': token.domain_id}


def domain_filter(token, asked):
    """Return the domain a list is limited to: the one ``asked`` for, the
    token's own for a domain-scoped token, or :data:`NOTHING` when a
    domain-scoped token asks for another domain (as Keystone filters)."""
    if token.domain_id is None:
        return asked
    if asked not in (None, token.domain_id):
        return NOTHING
    return token.domain_id
