"""Rules of policies and OS-ENDPOINT-POLICY associations (admins write,
system readers read)."""

from keystone_like.policies import base

_ASSOCIATION = '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY'
_TARGETS = {
    'endpoint': _ASSOCIATION + '/endpoints/{endpoint_id}',
    'service': _ASSOCIATION + '/services/{service_id}',
    'region_and_service': (_ASSOCIATION + '/services/{service_id}/'
                           'regions/{region_id}'),
}


def _rule(name, read, operations):
    check = base.ADMIN_OR_SYSTEM_READER if read else base.ADMIN
    return base.rule('identity:' + name, check, base.SYSTEM_OR_PROJECT,
                     base.ADMIN, operations)


def _associations(kind, path):
    return [
        _rule('create_policy_association_for_' + kind, False,
              [('PUT', path)]),
        _rule('check_policy_association_for_' + kind, True,
              [('GET', path), ('HEAD', path)]),
        _rule('delete_policy_association_for_' + kind, False,
              [('DELETE', path)]),
    ]


RULES = base.crud(
    'policy', '/v3/policies', get=base.ADMIN_OR_SYSTEM_READER,
    write=base.ADMIN, plural='policies',
) + [rule for kind, path in _TARGETS.items()
     for rule in _associations(kind, path)] + [
    _rule('get_policy_for_endpoint', True, [
        ('GET', '/v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy'),
        ('HEAD', '/v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy')]),
    _rule('list_endpoints_for_policy', True,
          [('GET', _ASSOCIATION + '/endpoints')]),
]
