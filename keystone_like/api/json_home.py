"""JSON-Home documents of the routes a listener serves.

``GET /`` and ``GET /v3`` answer a JSON-Home document (RFC draft
``application/json-home``) instead of version discovery when the client
prefers that media type to ``application/json``, chosen as Keystone
chooses: highest quality, then the most specific match, then JSON.

The document is derived from the route table, so a new route appears by
itself: each path pattern gets Keystone's relation
``https://docs.openstack.org/api/openstack-identity/3/rel/<name>``, where
the name joins the literal segments with ``_``, a segment followed by a
parameter in the singular (``/projects/{project_id}/users/{user_id}/roles``
is ``project_user_roles``); a path with an ``OS-<EXT>`` segment gets the
extension relation ``.../3/ext/OS-<EXT>/1.0/rel/<name>``. The few paths
Keystone names otherwise are listed in :data:`RELATIONS`. A path with
parameters is an ``href-template`` whose ``href-vars`` name each
parameter's relation ``.../3/param/<parameter>``.
"""

import json

import webob

MEDIA_TYPE = 'application/json-home'
JSON = 'application/json'
BASE = 'https://docs.openstack.org/api/openstack-identity/3/'
EXTENSION_VERSION = '1.0'


def v3_relation(name):
    """Return the Identity v3 relation called ``name``."""
    return BASE + 'rel/' + name


def extension_relation(extension, name):
    """Return the relation ``name`` of the extension ``OS-<EXT>``."""
    return '%sext/%s/%s/rel/%s' % (BASE, extension, EXTENSION_VERSION, name)


# Paths whose relation Keystone names otherwise than derived.
RELATIONS = {
    '/users/{user_id}/password': v3_relation('user_change_password'),
    '/roles/{prior_role_id}/implies': v3_relation('implied_roles'),
    '/roles/{prior_role_id}/implies/{implied_role_id}': v3_relation(
        'implied_role'),
    '/projects/{project_id}/tags/{value}': v3_relation('project_tags'),
    '/ec2tokens': extension_relation('OS-EC2', 'ec2tokens'),
    '/users/{user_id}/application_credentials': v3_relation(
        'application_credentials'),
    '/users/{user_id}/application_credentials/{application_credential_id}':
        v3_relation('application_credential'),
    '/users/{user_id}/access_rules': v3_relation('access_rules'),
    '/users/{user_id}/access_rules/{access_rule_id}': v3_relation(
        'access_rule'),
    '/limits/model': v3_relation('limit_model'),
    '/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints':
        extension_relation('OS-EP-FILTER', 'endpoints_in_endpoint_group'),
    '/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects':
        extension_relation('OS-EP-FILTER',
                           'projects_associated_with_endpoint_group'),
    '/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/'
    '{project_id}': extension_relation(
        'OS-EP-FILTER', 'endpoint_group_to_project_association'),
    '/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}':
        extension_relation('OS-ENDPOINT-POLICY',
                           'endpoint_policy_association'),
    '/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}':
        extension_relation('OS-ENDPOINT-POLICY',
                           'service_policy_association'),
    '/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/'
    'regions/{region_id}': extension_relation(
        'OS-ENDPOINT-POLICY', 'region_and_service_policy_association'),
}
# Further relations Keystone gives the same path.
ALSO = {
    '/auth/projects': (extension_relation('OS-FEDERATION', 'projects'),),
    '/auth/domains': (extension_relation('OS-FEDERATION', 'domains'),),
}
# Path parameters whose relation is not named after themselves.
PARAMETERS = {'prior_role_id': 'role_id', 'implied_role_id': 'role_id',
              'value': 'tag_value'}
# Path parameters an extension defines (their relation is under it).
EXTENSION_PARAMETERS = {'trust_id': 'OS-TRUST',
                        'endpoint_group_id': 'OS-EP-FILTER'}


def _segments(pattern):
    return [segment for segment in pattern.split('/') if segment]


def _is_parameter(segment):
    return segment.startswith('{') and segment.endswith('}')


def _singular(word):
    if word.endswith('ies'):
        return word[:-3] + 'y'
    return word[:-1] if word.endswith('s') else word


def derived_relation(pattern):
    """Return the relation Keystone's naming gives ``pattern``."""
    segments = _segments(pattern)
    extensions = [s for s in segments if s.startswith('OS-')]
    words = [s for s in segments if not s.startswith('OS-')]
    names = []
    for position, word in enumerate(words):
        if _is_parameter(word):
            continue
        following = words[position + 1] if position + 1 < len(words) else ''
        names.append(_singular(word) if _is_parameter(following) else word)
    name = '_'.join(names)
    if extensions:
        return extension_relation(extensions[0], name)
    return v3_relation(name)


def relations(pattern):
    """Return every relation of ``pattern``, its main one first."""
    main = RELATIONS.get(pattern) or derived_relation(pattern)
    return (main,) + ALSO.get(pattern, ())


def resource(pattern, prefix=''):
    """Return the JSON-Home resource object of ``pattern``."""
    parameters = [s[1:-1] for s in _segments(pattern) if _is_parameter(s)]
    if not parameters:
        return {'href': prefix + pattern}
    return {'href-template': prefix + pattern,
            'href-vars': {name: parameter_relation(name)
                          for name in parameters}}


def parameter_relation(name):
    """Return the relation of the path parameter ``name``."""
    extension = EXTENSION_PARAMETERS.get(name)
    if extension is not None:
        return '%sext/%s/%s/param/%s' % (BASE, extension, EXTENSION_VERSION,
                                         name)
    return BASE + 'param/' + PARAMETERS.get(name, name)


def document(routes, prefix=''):
    """Return the JSON-Home document of ``(method, pattern, ...)`` routes.

    ``prefix`` is prepended to every link (``/v3`` when served at ``/``).
    The ``/`` route itself (version discovery) is not listed.
    """
    resources = {}
    for route in routes:
        pattern = route[1]
        if pattern.strip('/') and pattern not in resources:
            resources[pattern] = resource(pattern, prefix)
    return {'resources': {relation: found
                          for pattern, found in resources.items()
                          for relation in relations(pattern)}}


def response(routes, prefix=''):
    """Return the 200 ``application/json-home`` response of ``routes``."""
    answer = webob.Response(
        body=json.dumps(document(routes, prefix)).encode('utf-8'),
        content_type=MEDIA_TYPE, charset=None)
    answer.headers['Vary'] = 'Accept'
    return answer


def wanted(request):
    """Return whether the client prefers JSON-Home to JSON."""
    accept = request.accept
    if not request.headers.get('Accept') or not hasattr(accept, 'parsed'):
        return False
    best, best_rank = JSON, (0, ())
    for offer in (JSON, MEDIA_TYPE):
        for media_range, quality, _params, _extensions in accept.parsed:
            rank = (quality, _specificity(media_range))
            if quality > 0 and rank > best_rank and _matches(offer,
                                                             media_range):
                best, best_rank = offer, rank
    return best == MEDIA_TYPE


def _specificity(media_range):
    return tuple(part != '*' for part in media_range.split('/', 1))


def _matches(offer, media_range):
    offer_type, offer_subtype = offer.split('/')
    range_type, _, range_subtype = media_range.lower().partition('/')
    return (range_type in ('*', offer_type)
            and range_subtype in ('*', offer_subtype))
