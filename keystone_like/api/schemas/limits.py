"""Request bodies of registered limits and limits (Keystone's limit
schemas: integers from -1 to 2**31-1, service ids that look like UUIDs)."""

from keystone_like.api import schemas

_VALUE = {'type': 'integer', 'minimum': -1, 'maximum': 0x7FFFFFFF}
# What oslo.utils' is_uuid_like accepts, as Keystone's "uuid" format.
_UUID = {'type': 'string', 'pattern': r'^(urn:uuid:)?\{?[0-9a-fA-F]{8}-?'
         r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}'
         r'\}?$'}
_REGION = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}
_DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
_REGISTERED = {'service_id': _UUID, 'region_id': _REGION,
               'resource_name': schemas.NAME, 'default_limit': _VALUE,
               'description': _DESCRIPTION}
_LIMIT = {'service_id': _UUID, 'region_id': _REGION,
          'resource_name': schemas.NAME, 'resource_limit': _VALUE,
          'description': _DESCRIPTION,
          'project_id': dict(schemas.ID_STRING, type=['string', 'null']),
          'domain_id': dict(schemas.ID_STRING, type=['string', 'null'])}
_REQUIRED = ['service_id', 'resource_name', 'resource_limit']


def _list_of(name, item):
    return {'type': 'object', 'required': [name],
            'additionalProperties': False,
            'properties': {name: {'type': 'array', 'minItems': 1,
                                  'items': item}}}


def _update(name, properties):
    return {'type': 'object', 'required': [name],
            'additionalProperties': False,
            'properties': {name: {'type': 'object',
                                  'additionalProperties': False,
                                  'properties': properties}}}


REGISTERED_CREATE = _list_of('registered_limits', {
    'type': 'object', 'properties': _REGISTERED,
    'additionalProperties': False,
    'required': ['service_id', 'resource_name', 'default_limit']})
REGISTERED_UPDATE = _update('registered_limit', _REGISTERED)
# Exactly one of project_id and domain_id, as Keystone's oneOf has it.
LIMITS_CREATE = _list_of('limits', {
    'type': 'object', 'properties': _LIMIT, 'additionalProperties': False,
    'required': _REQUIRED,
    'oneOf': [{'required': _REQUIRED + ['domain_id']},
              {'required': _REQUIRED + ['project_id']}]})
LIMIT_UPDATE = _update('limit', {key: _LIMIT[key] for key in (
    'resource_limit', 'description')})
