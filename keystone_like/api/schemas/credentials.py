"""Request bodies of credentials, OS-EC2 credentials and EC2 tokens."""

from keystone_like.api import schemas

_CREDENTIAL = {
    'id': {'type': 'string'},
    'blob': {'type': 'string'},
    'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'user_id': schemas.ID_STRING,
    'project_id': schemas.NULLABLE_ID_STRING,
}

CREDENTIAL_CREATE = schemas.create_body(
    'credential', _CREDENTIAL, required=['blob', 'type', 'user_id'])
# As Keystone: an EC2 credential names the project its tokens are for.
CREDENTIAL_CREATE['properties']['credential'].update({
    'if': {'properties': {'type': {'const': 'ec2'}}},
    'then': {'required': ['blob', 'type', 'user_id', 'project_id']},
})

# As Keystone 30: only the blob changes in place; id, type, owner and
# project are fixed once made (delete and create instead).
CREDENTIAL_UPDATE = {
    'type': 'object',
    'properties': {'credential': {
        'type': 'object', 'properties': {'blob': _CREDENTIAL['blob']},
        'required': ['blob'], 'additionalProperties': False}},
    'required': ['credential'],
    'additionalProperties': False,
}

EC2_CREATE = {
    'type': ['object', 'null'],
    'properties': {'tenant_id': schemas.NULLABLE_ID_STRING},
}
