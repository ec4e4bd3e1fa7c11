"""Request bodies of roles (Keystone's assignment schemas)."""

from keystone_like.api import schemas

# Keystone's role options registry: only ``immutable``, a boolean (null
# removes it).
_ROLE_OPTIONS = {'type': 'object', 'additionalProperties': False,
                 'properties': {'immutable': {'type': ['boolean', 'null']}}}
_ROLE = {
    'name': schemas.NAME,
    'description': schemas.DESCRIPTION,
    'domain_id': schemas.NULLABLE_ID_STRING,
    'options': _ROLE_OPTIONS,
}

ROLE_CREATE = schemas.create_body('role', _ROLE, required=['name'])
ROLE_UPDATE = schemas.update_body('role', _ROLE)
