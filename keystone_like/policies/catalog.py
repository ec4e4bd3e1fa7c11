"""Rules of regions, services and endpoints."""

from keystone_like.policies import base

RULES = base.crud(
    'region', '/v3/regions', get='', write=base.ADMIN,
    read_scopes=base.ANY_SCOPE, read_deprecated=None,
) + base.crud(
    'service', '/v3/services', get=base.ADMIN_OR_SYSTEM_READER,
    write=base.ADMIN,
) + base.crud(
    'endpoint', '/v3/endpoints', get=base.ADMIN_OR_SYSTEM_READER,
    write=base.ADMIN,
)
