"""Request body of a new trust (Keystone's ``keystone/trust/schema.py``).

User and project ids are any string, as in Keystone (they may come from
LDAP), but never one a database cannot look up (NUL, lone surrogates).
"""

from keystone_like.api import schemas

_LOOKUP = {'type': 'string', 'pattern': '^[^\\x00\\ud800-\\udfff]*$'}
_ROLE = {
    'type': 'object',
    'properties': {'id': schemas.ID_STRING, 'name': schemas.NAME},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False,
}

_TRUST = {
    'trustor_user_id': _LOOKUP,
    'trustee_user_id': _LOOKUP,
    'impersonation': schemas.BOOLEAN,
    'project_id': dict(_LOOKUP, type=['string', 'null']),
    'remaining_uses': {'type': ['integer', 'null'], 'minimum': 1},
    'expires_at': {'type': ['string', 'null']},
    'allow_redelegation': {'type': ['boolean', 'null']},
    'redelegation_count': {'type': ['integer', 'null'], 'minimum': 0},
    'redelegated_trust_id': {'type': ['string', 'null']},
    'roles': {'type': 'array', 'items': _ROLE},
}

TRUST_CREATE = schemas.create_body(
    'trust', _TRUST,
    required=['trustor_user_id', 'trustee_user_id', 'impersonation'])
