"""JSON schemas of request bodies, with Keystone's types and limits.

One module per Keystone area (resource, identity, assignment, catalog), as
Keystone splits them. Resource bodies allow additional properties where
Keystone does: they are kept as the resource's ``extra`` attributes.
"""

BOOLEAN = {'type': 'boolean'}
DESCRIPTION = {'type': ['string', 'null']}
# Keystone's id_string: what a client may send as an id.
ID_STRING = {'type': 'string', 'minLength': 1, 'maxLength': 64,
             'pattern': r'^[a-zA-Z0-9-]+$'}
NULLABLE_ID_STRING = dict(ID_STRING, type=['string', 'null'])
# User, group and role names; ``pattern`` (unanchored) wants one
# non-blank character somewhere.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'[\S]+'}
# Projects and domains have shorter names in Keystone.
RESOURCE_NAME = dict(NAME, maxLength=64)
TAGS = {'type': 'array', 'maxItems': 80, 'uniqueItems': True,
        'items': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                  'pattern': '^[^,/]*$'}}
OPTIONS = {'type': 'object'}
# Resource options, as Keystone's registries describe them: every option
# may be null (which removes it); no other option is accepted.
_NULLABLE_BOOLEAN = {'type': ['boolean', 'null']}
PROJECT_OPTIONS = {'type': 'object', 'additionalProperties': False,
                   'properties': {'immutable': _NULLABLE_BOOLEAN}}
_MFA_RULES = {'type': ['array', 'null'], 'uniqueItems': True, 'items': {
    'type': 'array', 'minItems': 1, 'uniqueItems': True,
    'items': {'type': 'string'}}}
USER_OPTIONS = {'type': 'object', 'additionalProperties': False,
                'properties': {
                    'ignore_change_password_upon_first_use':
                        _NULLABLE_BOOLEAN,
                    'ignore_password_expiry': _NULLABLE_BOOLEAN,
                    'ignore_lockout_failure_attempts': _NULLABLE_BOOLEAN,
                    'lock_password': _NULLABLE_BOOLEAN,
                    'ignore_user_inactivity': _NULLABLE_BOOLEAN,
                    'multi_factor_auth_rules': _MFA_RULES,
                    'multi_factor_auth_enabled': _NULLABLE_BOOLEAN}}


def create_body(member, properties, required=()):
    """Return the schema of ``{member: {...}}`` creating a resource."""
    inner = {'type': 'object', 'properties': properties,
             'additionalProperties': True}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'properties': {member: inner},
            'required': [member], 'additionalProperties': False}


def update_body(member, properties):
    """Return the schema of ``{member: {...}}`` changing a resource."""
    inner = {'type': 'object', 'properties': properties,
             'minProperties': 1, 'additionalProperties': True}
    return {'type': 'object', 'properties': {member: inner},
            'required': [member], 'additionalProperties': False}
