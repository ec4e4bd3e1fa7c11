"""Policy documents (``/v3/policies``) and OS-ENDPOINT-POLICY associations.

A policy: ``{'id', 'blob', 'type', **extra}``; Keystone only stores it for
services to fetch. A policy is associated with an endpoint, a service, or
a service in a region (one policy per such target; associating another
replaces it). The policy of an endpoint is, in this order, the one of the
endpoint, of its service in its region or the nearest parent region, of
its service. Associations go with their policy, endpoint, service or
region.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import endpoints
from keystone_like.store import paging

KIND = 'policy'
COLUMNS = ('id', 'blob', 'type')
_NO_ASSOCIATION = 'Could not find policy association.'


def to_dict(row):
    """Return a Policy row in API shape."""
    return common.render(row, COLUMNS)


def create_policy(session, ref):
    """Create a policy (``blob`` and ``type`` required); return it."""
    common.require(ref, 'blob', 'type')
    core, extra = common.split(ref, COLUMNS, immutable={'id'})
    return to_dict(common.add(session, common.build(models.Policy, core,
                                                    extra),
                              exceptions.Conflict()))


def get_policy(session, policy_id):
    """Return the policy or NotFound."""
    return to_dict(common.get_row(session, models.Policy, policy_id, KIND))


def list_policies(session, type=None, page=None):
    """Return the policies (of one ``type``)."""
    query = sa.select(models.Policy).order_by(models.Policy.id)
    if type is not None:
        query = query.where(models.Policy.type == type)
    query = paging.apply(session, query, models.Policy, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_policy(session, policy_id, ref):
    """Change a policy; return it (its id never changes)."""
    row = common.get_row(session, models.Policy, policy_id, KIND)
    common.check_unchanged(ref, {'id': row.id},
                           {'id': 'Cannot change policy ID'})
    core, extra = common.split(ref, COLUMNS, immutable={'id'})
    common.apply(row, core, extra)
    session.flush()
    return to_dict(row)


def delete_policy(session, policy_id):
    """Delete a policy and its associations."""
    session.delete(common.get_row(session, models.Policy, policy_id, KIND))
    session.flush()


# Associations.

def _target(endpoint_id=None, service_id=None, region_id=None):
    table = models.PolicyAssociation
    return [column.is_(None) if value is None else column == value
            for column, value in ((table.endpoint_id, endpoint_id),
                                  (table.service_id, service_id),
                                  (table.region_id, region_id))]


def associate(session, policy_id, **target):
    """Make ``policy_id`` the policy of the target (endpoint_id, or
    service_id with or without region_id)."""
    row = session.scalars(sa.select(models.PolicyAssociation).where(
        *_target(**target))).first()
    if row is None:
        row = models.PolicyAssociation(**target)
        session.add(row)
    row.policy_id = policy_id
    session.flush()


def check_association(session, policy_id, **target):
    """NotFound unless ``policy_id`` is the policy of the target."""
    if session.scalar(sa.select(models.PolicyAssociation.id).where(
            models.PolicyAssociation.policy_id == policy_id,
            *_target(**target))) is None:
        raise exceptions.NotFound(_NO_ASSOCIATION)


def dissociate(session, policy_id, **target):
    """Remove the association if there is one (no error otherwise)."""
    session.execute(sa.delete(models.PolicyAssociation).where(
        models.PolicyAssociation.policy_id == policy_id, *_target(**target)))


def _region_children(session):
    children = {}
    for region_id, parent_id in session.execute(sa.select(
            models.Region.id, models.Region.parent_region_id)):
        children.setdefault(parent_id, []).append(region_id)
    return children


def endpoints_for_policy(session, policy_id):
    """Return the endpoints a policy applies to (each once)."""
    every = endpoints.list_endpoints(session)
    children = _region_children(session)
    found = {}
    for row in session.scalars(sa.select(models.PolicyAssociation).where(
            models.PolicyAssociation.policy_id == policy_id)):
        if row.endpoint_id is not None:
            matches = [e for e in every if e['id'] == row.endpoint_id]
        else:
            regions = _subtree(children, row.region_id)
            matches = [e for e in every if e['service_id'] == row.service_id
                       and (row.region_id is None
                            or e['region_id'] in regions)]
        found.update((e['id'], e) for e in matches)
    return sorted(found.values(), key=lambda e: e['id'])


def _subtree(children, region_id):
    seen, pending = set(), [region_id]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(children.get(current, ()))
    return seen


def policy_for_endpoint(session, endpoint_id):
    """Return the policy of an endpoint (NotFound when it has none)."""
    endpoint = endpoints.get_endpoint(session, endpoint_id)
    targets = [{'endpoint_id': endpoint_id}]
    region_id, seen = endpoint['region_id'], set()
    while region_id is not None and region_id not in seen:
        seen.add(region_id)
        targets.append({'service_id': endpoint['service_id'],
                        'region_id': region_id})
        region = session.get(models.Region, region_id)
        region_id = region.parent_region_id if region is not None else None
    targets.append({'service_id': endpoint['service_id']})
    for target in targets:
        policy_id = session.scalar(sa.select(
            models.PolicyAssociation.policy_id).where(*_target(**target)))
        if policy_id is not None:
            return get_policy(session, policy_id)
    raise exceptions.NotFound('No policy is associated with endpoint %s.'
                              % endpoint_id)
