"""Idempotent find-or-create helpers for ``service-manage bootstrap``.

Each finds the resource by its natural key and creates it only when absent,
returning its dict either way, so bootstrap can run any number of times.
Existing resources are left as they are, except an endpoint's URL, which is
updated so that re-running bootstrap with a new URL takes effect. Grants are
idempotent already: use ``assignments.create_grant``.
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import endpoints
from keystone_like.store import projects
from keystone_like.store import regions
from keystone_like.store import roles
from keystone_like.store import services
from keystone_like.store import users


def ensure_domain(session, name, domain_id=None, **fields):
    """Return the domain with ``domain_id`` (else ``name``), creating it."""
    if domain_id is not None:
        row = session.get(models.Domain, domain_id)
        if row is not None:
            return domains.to_dict(row)
    try:
        return domains.get_domain_by_name(session, name)
    except exceptions.NotFound:
        ref = dict(fields, name=name)
        if domain_id is not None:
            ref['id'] = domain_id
        return domains.create_domain(session, ref)


def ensure_project(session, name, domain_id, **fields):
    """Return the project ``name`` in the domain, creating it."""
    try:
        return projects.get_project_by_name(session, name, domain_id)
    except exceptions.NotFound:
        return projects.create_project(
            session, dict(fields, name=name, domain_id=domain_id))


def ensure_user(session, name, domain_id, password_hash=None, **fields):
    """Return the user ``name`` in the domain, creating it.

    ``password_hash`` is set only on creation; to reset the password of an
    existing user, use ``users.set_password_hash``.
    """
    try:
        return users.get_user_by_name(session, name, domain_id)
    except exceptions.NotFound:
        return users.create_user(
            session, dict(fields, name=name, domain_id=domain_id),
            password_hash=password_hash)


def ensure_role(session, name, **fields):
    """Return the role ``name``, creating it."""
    try:
        return roles.get_role_by_name(session, name)
    except exceptions.NotFound:
        return roles.create_role(session, dict(fields, name=name))


def ensure_region(session, region_id, **fields):
    """Return the region ``region_id``, creating it."""
    try:
        return regions.get_region(session, region_id)
    except exceptions.NotFound:
        return regions.create_region(session, dict(fields, id=region_id))


def ensure_service(session, service_type, name, **fields):
    """Return the service of ``service_type`` called ``name``, creating it."""
    found = services.list_services(session, type=service_type, name=name)
    if found:
        return found[0]
    return services.create_service(
        session, dict(fields, type=service_type, name=name))


def ensure_endpoint(session, service_id, interface, url, region_id=None,
                    **fields):
    """Return the service's endpoint for interface and region, with ``url``."""
    row = session.scalars(
        sa.select(models.Endpoint)
        .where(models.Endpoint.service_id == service_id,
               models.Endpoint.interface == interface,
               (models.Endpoint.region_id == region_id) if region_id
               else models.Endpoint.region_id.is_(None))
        .order_by(models.Endpoint.id)).first()
    if row is None:
        return endpoints.create_endpoint(session, dict(
            fields, service_id=service_id, interface=interface, url=url,
            region_id=region_id))
    if row.url != url:
        return endpoints.update_endpoint(session, row.id, {'url': url})
    return endpoints.to_dict(row)
