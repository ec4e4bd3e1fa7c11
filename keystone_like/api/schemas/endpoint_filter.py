"""Request bodies of endpoint groups (Keystone's catalog schemas)."""

from keystone_like.api import schemas

_GROUP = {
    'name': schemas.NAME,
    'description': schemas.DESCRIPTION,
    'filters': {'type': 'object', 'properties': {
        'interface': {'type': 'string',
                      'enum': ['admin', 'internal', 'public']},
        'service_id': {'type': 'string'},
        'region_id': {'type': ['string', 'null']},
        'enabled': schemas.BOOLEAN}},
}


def _body(required=(), minimum=0):
    inner = {'type': 'object', 'properties': _GROUP,
             'additionalProperties': False}
    if required:
        inner['required'] = list(required)
    if minimum:
        inner['minProperties'] = minimum
    return {'type': 'object', 'properties': {'endpoint_group': inner},
            'required': ['endpoint_group'], 'additionalProperties': False}


GROUP_CREATE = _body(required=('name', 'filters'))
GROUP_UPDATE = _body(minimum=1)
