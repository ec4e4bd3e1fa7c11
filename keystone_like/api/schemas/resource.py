"""Request bodies of domains and projects (Keystone's resource schemas)."""

from keystone_like.api import schemas

_DOMAIN = {
    'name': schemas.RESOURCE_NAME,
    'description': schemas.DESCRIPTION,
    'enabled': schemas.BOOLEAN,
    'tags': schemas.TAGS,
    'options': schemas.PROJECT_OPTIONS,
}

DOMAIN_CREATE = schemas.create_body(
    'domain', dict(_DOMAIN, explicit_domain_id=schemas.ID_STRING),
    required=['name'])
DOMAIN_UPDATE = schemas.update_body('domain', _DOMAIN)

_PROJECT = {
    'name': schemas.RESOURCE_NAME,
    'description': schemas.DESCRIPTION,
    'domain_id': schemas.NULLABLE_ID_STRING,
    'parent_id': schemas.NULLABLE_ID_STRING,
    'enabled': schemas.BOOLEAN,
    'is_domain': schemas.BOOLEAN,
    'tags': schemas.TAGS,
    'options': schemas.PROJECT_OPTIONS,
}

PROJECT_CREATE = schemas.create_body('project', _PROJECT, required=['name'])
PROJECT_UPDATE = schemas.update_body('project', _PROJECT)
