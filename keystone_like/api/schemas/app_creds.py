"""Request bodies of application credentials and their access rules.

As Keystone's (``keystone/application_credential/schema.py``): unknown
properties are refused, roles are named by id or by name (exactly one of
the two), and an access rule is an id, or a service type, a method and a
path. Stricter than Keystone where it answers 500: an access rule needs
its id or all three of service, method and path.
"""

from keystone_like.api import schemas

METHODS = ('DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT')
# Keystone's limit on an access rule path; it starts with "/".
PATH = {'type': 'string', 'minLength': 0, 'maxLength': 225, 'pattern': '^/'}
_RULE_FIELDS = {
    'path': PATH,
    'service': schemas.ID_STRING,
    'method': {'type': 'string', 'enum': list(METHODS)},
}
ACCESS_RULE = {
    'type': 'object',
    'properties': dict(_RULE_FIELDS, id=schemas.ID_STRING),
    'anyOf': [{'required': ['id']},
              {'required': ['service', 'method', 'path']}],
}
_ROLE = {
    'type': 'object',
    'properties': {'id': schemas.ID_STRING, 'name': schemas.NAME},
    'minProperties': 1, 'maxProperties': 1,
    'additionalProperties': False,
}

CREATE = {
    'type': 'object',
    'properties': {'application_credential': {
        'type': 'object',
        'properties': {
            # Both ignored, as Keystone ignores them: the id is made
            # here and the project is the one of the caller's token.
            'id': {'type': 'string'},
            'project_id': {'type': 'string'},
            'name': schemas.NAME,
            'secret': {'type': ['string', 'null']},
            'description': schemas.DESCRIPTION,
            'expires_at': {'type': ['string', 'null']},
            'roles': {'type': 'array', 'items': _ROLE},
            'access_rules': {'type': 'array', 'items': ACCESS_RULE},
            'unrestricted': {'type': ['boolean', 'null']},
            'system': {'type': ['string', 'null']},
        },
        'required': ['name'],
        'additionalProperties': False,
    }},
    'required': ['application_credential'],
    'additionalProperties': False,
}
