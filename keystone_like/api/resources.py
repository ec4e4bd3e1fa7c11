"""Shared pieces of resource handlers: bodies, filters, links, documents.

Request bodies are JSON checked against a JSON schema; error messages name
the field and what was expected but never echo the value (it may be a
password).
"""

import json

import fastjsonschema
import jsonschema
import webob

from keystone_like.api import versions
from keystone_like import conf
from keystone_like import exceptions

_EXPECTATIONS = {
    'type': lambda e: 'expected %s' % _or(e.validator_value),
    'enum': lambda e: 'must be one of %s' % ', '.join(
        map(str, e.validator_value)),
    'minimum': lambda e: 'must be at least %s' % e.validator_value,
    'minLength': lambda e: 'must have at least %d characters'
    % e.validator_value,
    'maxLength': lambda e: 'must have at most %d characters'
    % e.validator_value,
    'pattern': lambda e: 'does not have the expected format',
    'minProperties': lambda e: 'must not be empty',
    'maxProperties': lambda e: 'has too many properties',
    'minItems': lambda e: 'must not be empty',
    'uniqueItems': lambda e: 'must not repeat an item',
}


def _or(value):
    return ' or '.join(value) if isinstance(value, list) else value


def json_body(request, schema):
    """Return the request's JSON body, validated; ValidationError if not."""
    raw = request.body
    try:
        body = json.loads(raw or b'null')
    except (ValueError, UnicodeDecodeError):
        body = None
    if raw and not isinstance(body, dict):
        # Keystone's words for a body that is not a JSON object.
        raise exceptions.expecting('valid JSON', 'request body')
    return validate(body, schema)


def validate(document, schema):
    """Return ``document`` if it matches ``schema``; ValidationError if
    not (the message names the field, never the value).

    The schema's compiled check decides quickly; only a document it
    refuses is looked at again, by jsonschema, to say what is wrong.
    """
    check, validator = _validators_of(schema)
    try:
        check(document)
        return document
    except fastjsonschema.JsonSchemaException:
        pass
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        raise exceptions.ValidationError(_describe(error))
    return document


# (schema, compiled check, jsonschema validator) by id(schema): schemas
# are module constants, compiled once.
_validators = {}


def _validators_of(schema):
    found = _validators.get(id(schema))
    if found is None or found[0] is not schema:
        if len(_validators) > 256:   # not constants after all
            _validators.clear()
        found = _validators[id(schema)] = (
            schema, fastjsonschema.compile(schema),
            jsonschema.Draft7Validator(schema))
    return found[1:]


def _describe(error):
    field = '.'.join(str(p) for p in error.absolute_path) or 'request body'
    if error.validator in ('required', 'additionalProperties',
                           'dependencies'):
        # These messages name properties, never values.
        detail = error.message
    elif error.validator in ('oneOf', 'anyOf', 'not'):
        # jsonschema's own messages here repeat the whole value.
        detail = 'does not match any accepted form'
    else:
        describe = _EXPECTATIONS.get(error.validator)
        detail = describe(error) if describe else 'is not valid'
    return "Invalid input for field '%s': %s." % (field, detail)


def query(request, name):
    """Return a query parameter, refusing control characters (400)."""
    value = request.GET.get(name)
    if value is not None and any(ord(c) < 32 or c == '\x7f' for c in value):
        raise exceptions.ValidationError(
            "Invalid value for query parameter '%s'." % name)
    return value


def query_bool(request, name):
    """Return a boolean query filter (``true``/``false``) or None."""
    value = query(request, name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ('true', '1', 'yes', ''):
        return True
    if lowered in ('false', '0', 'no'):
        return False
    raise exceptions.ValidationError(
        "Invalid value for query parameter '%s': expected true or false."
        % name)


def v3_url(request, interface, path):
    """Return the absolute URL of ``/v3/<path>`` on this listener."""
    root = versions.base_url(request, interface, mount='/v3')
    return '%s/v3/%s' % (root, path.lstrip('/'))


def entity(request, interface, collection, ref):
    """Return ``ref`` with its ``links.self``."""
    ref = dict(ref)
    ref['links'] = {'self': v3_url(request, interface,
                                   '%s/%s' % (collection, ref['id']))}
    return ref


def collection(request, interface, name, refs, path=None):
    """Return ``{name: [...], "links": {...}}`` as Keystone lists do."""
    path = path or name
    self_url = v3_url(request, interface, path)
    if request.query_string:
        self_url += '?' + request.query_string
    return {name: [entity(request, interface, name, r) for r in refs],
            'links': {'self': self_url, 'previous': None, 'next': None}}


def no_content():
    """Return the empty 204 response of deletes, grants and checks."""
    return webob.Response(status=204)


def domain_for_new(token, ref):
    """Return ``ref`` with a ``domain_id``: its own, the token's, default."""
    if ref.get('domain_id') is None:
        ref = dict(ref, domain_id=token.domain_id
                   or conf.CONF.identity.default_domain_id)
    return ref
