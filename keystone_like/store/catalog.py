"""The service catalog as a token carries it (Keystone v3 shape)::

    [{'id', 'type', 'name',
      'endpoints': [{'id', 'interface', 'region', 'region_id', 'url'}]}]

Only enabled services and enabled endpoints appear; a service with no
endpoint left is omitted. Endpoint URLs may hold Keystone's substitutions,
``$(project_id)s`` / ``$(tenant_id)s`` / ``$(user_id)s`` (also written with
``%``): they are filled in from the token's scope, and an endpoint whose URL
needs a value the token does not have is left out, as Keystone does.

Endpoint filtering (OS-EP-FILTER): when endpoints are associated with the
token's project (directly or through endpoint groups) its catalog holds
only those, and services left without an endpoint are dropped. Otherwise,
and for tokens not scoped to a project, the catalog is complete, or empty
with ``return_all=False`` (``[endpoint_filter]
return_all_endpoints_if_no_filter``), as in Keystone.
"""

import re

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like.store import endpoint_filter

_SUBSTITUTION = re.compile(r'[$%]\((\w+)\)s')


def format_url(url, values):
    """Fill Keystone substitutions in ``url``; None if one has no value."""
    missing = []

    def replace(match):
        value = values.get(match.group(1))
        if value is None:
            missing.append(match.group(1))
            return match.group(0)
        return value

    formatted = _SUBSTITUTION.sub(replace, url)
    return None if missing else formatted


def catalog(session, user_id=None, project_id=None, return_all=True):
    """Return the catalog of enabled services and endpoints, by type."""
    only = None
    if project_id is not None:
        only = endpoint_filter.endpoint_ids_for_project(session, project_id)
    if not only and not return_all:
        return []
    values = {'user_id': user_id, 'project_id': project_id,
              'tenant_id': project_id}
    query = (sa.select(models.Service, models.Endpoint)
             .join(models.Endpoint,
                   models.Endpoint.service_id == models.Service.id)
             .where(models.Service.enabled.is_(True),
                    models.Endpoint.enabled.is_(True))
             .order_by(models.Service.type, models.Service.name,
                       models.Service.id, models.Endpoint.interface,
                       models.Endpoint.id))
    services = {}
    for service, endpoint in session.execute(query):
        if only and endpoint.id not in only:
            continue
        url = format_url(endpoint.url, values)
        if url is None:
            continue
        entry = services.setdefault(service.id, {
            'id': service.id, 'type': service.type, 'name': service.name,
            'endpoints': []})
        entry['endpoints'].append({
            'id': endpoint.id, 'interface': endpoint.interface,
            'region': endpoint.region_id, 'region_id': endpoint.region_id,
            'url': url})
    return list(services.values())
