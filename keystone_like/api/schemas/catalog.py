"""Request bodies of regions, services and endpoints (Keystone's catalog)."""

from keystone_like.api import schemas

# Region ids are chosen by people ("RegionOne"), so any string of the
# column's length goes.
_REGION = {
    'id': {'type': 'string', 'maxLength': 255},
    'description': schemas.DESCRIPTION,
    'parent_region_id': {'type': ['string', 'null'], 'maxLength': 255},
}

REGION_CREATE = schemas.create_body('region', _REGION)
REGION_UPDATE = schemas.update_body('region', _REGION)

_SERVICE = {
    'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'enabled': schemas.BOOLEAN,
}

SERVICE_CREATE = schemas.create_body('service', _SERVICE, required=['type'])
SERVICE_UPDATE = schemas.update_body('service', _SERVICE)

_ENDPOINT = {
    'service_id': {'type': 'string', 'minLength': 1, 'maxLength': 64},
    'interface': {'type': 'string', 'enum': ['admin', 'internal', 'public']},
    'region_id': {'type': ['string', 'null'], 'maxLength': 255},
    'region': {'type': ['string', 'null'], 'maxLength': 255},
    # Keystone's own limit and loose scheme check.
    'url': {'type': 'string', 'maxLength': 225,
            'pattern': '^[a-zA-Z0-9+.-]+:.+'},
    'enabled': schemas.BOOLEAN,
    'description': schemas.DESCRIPTION,
}

ENDPOINT_CREATE = schemas.create_body(
    'endpoint', _ENDPOINT, required=['service_id', 'interface', 'url'])
ENDPOINT_UPDATE = schemas.update_body('endpoint', _ENDPOINT)
