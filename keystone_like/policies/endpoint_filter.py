"""Rules of OS-EP-FILTER: endpoint groups and project endpoints (admins
write, system readers read)."""

from keystone_like.policies import base

_EP = '/v3/OS-EP-FILTER'
_GROUP = _EP + '/endpoint_groups/{endpoint_group_id}'
_PROJECT_ENDPOINT = _EP + '/projects/{project_id}/endpoints/{endpoint_id}'
_GROUP_PROJECT = _GROUP + '/projects/{project_id}'


def _rule(name, read, operations):
    check = base.ADMIN_OR_SYSTEM_READER if read else base.ADMIN
    return base.rule('identity:' + name, check, base.SYSTEM_OR_PROJECT,
                     base.ADMIN, operations)


RULES = base.crud(
    'endpoint_group', _EP + '/endpoint_groups',
    get=base.ADMIN_OR_SYSTEM_READER, write=base.ADMIN,
) + [
    _rule('list_projects_associated_with_endpoint_group', True,
          [('GET', _GROUP + '/projects')]),
    _rule('list_endpoints_associated_with_endpoint_group', True,
          [('GET', _GROUP + '/endpoints')]),
    _rule('get_endpoint_group_in_project', True,
          [('GET', _GROUP_PROJECT), ('HEAD', _GROUP_PROJECT)]),
    _rule('list_endpoint_groups_for_project', True,
          [('GET', _EP + '/projects/{project_id}/endpoint_groups')]),
    _rule('add_endpoint_group_to_project', False, [('PUT', _GROUP_PROJECT)]),
    _rule('remove_endpoint_group_from_project', False,
          [('DELETE', _GROUP_PROJECT)]),
    _rule('list_projects_for_endpoint', True,
          [('GET', _EP + '/endpoints/{endpoint_id}/projects')]),
    _rule('add_endpoint_to_project', False, [('PUT', _PROJECT_ENDPOINT)]),
    _rule('check_endpoint_in_project', True,
          [('GET', _PROJECT_ENDPOINT), ('HEAD', _PROJECT_ENDPOINT)]),
    _rule('list_endpoints_for_project', True,
          [('GET', _EP + '/projects/{project_id}/endpoints')]),
    _rule('remove_endpoint_from_project', False,
          [('DELETE', _PROJECT_ENDPOINT)]),
]
