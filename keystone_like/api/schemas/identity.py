"""Request bodies of users and password changes (Keystone's identity)."""

from keystone_like.api import schemas

_USER = {
    'name': schemas.NAME,
    'domain_id': schemas.ID_STRING,
    'default_project_id': schemas.NULLABLE_ID_STRING,
    'description': schemas.DESCRIPTION,
    'enabled': schemas.BOOLEAN,
    'password': {'type': ['string', 'null']},
    'options': schemas.USER_OPTIONS,
}

USER_CREATE = schemas.create_body('user', _USER, required=['name'])
# As in Keystone, a user never moves to another domain.
USER_UPDATE = schemas.update_body(
    'user', {k: v for k, v in _USER.items() if k != 'domain_id'})

PASSWORD_CHANGE = {
    'type': 'object',
    'properties': {'user': {
        'type': 'object',
        'properties': {'original_password': {'type': 'string'},
                       'password': {'type': 'string'}},
        'required': ['original_password', 'password'],
        'additionalProperties': False}},
    'required': ['user'],
    'additionalProperties': False,
}

_GROUP = {
    'name': schemas.NAME,
    'domain_id': schemas.ID_STRING,
    'description': schemas.DESCRIPTION,
}

GROUP_CREATE = schemas.create_body('group', _GROUP, required=['name'])
GROUP_UPDATE = schemas.update_body(
    'group', {k: v for k, v in _GROUP.items() if k != 'domain_id'})
