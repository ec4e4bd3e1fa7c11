"""Request bodies of roles (Keystone's assignment schemas)."""

from keystone_like.api import schemas

_ROLE = {
    'name': schemas.NAME,
    'description': schemas.DESCRIPTION,
    'domain_id': schemas.NULLABLE_ID_STRING,
    'options': schemas.OPTIONS,
}

ROLE_CREATE = schemas.create_body('role', _ROLE, required=['name'])
ROLE_UPDATE = schemas.update_body('role', _ROLE)
