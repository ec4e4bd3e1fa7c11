"""The ``openstack`` CLI on limits, project tags and endpoint filtering.

As in ``test_clients_openstackclient``: each command is a child process
with only the ``OS_*`` lines ``service-manage setup`` printed.
"""

import json

import pytest

from tests.functional.test_clients_openstackclient import osc
from tests.functional.test_clients_openstackclient import osc_all
from tests.functional.test_clients_openstackclient import unique

pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(200),
              pytest.mark.usefixtures('client_versions')]


def test_registered_limits_and_limits(identity_service):
    identity = identity_service
    service_type, project = unique('widgets'), unique('quota')
    service, _project = osc_all(
        identity, ('service', 'create', '--name', service_type,
                   '-f', 'json', service_type),
        ('project', 'create', '-f', 'json', project))
    registered = osc(identity, 'registered', 'limit', 'create', '--service',
                     service['id'], '--default-limit', '5', '--region',
                     'RegionOne', '-f', 'json', 'widgets')
    assert (registered['default_limit'], registered['region_id']) == (
        5, 'RegionOne')
    made = osc(identity, 'limit', 'create', '--service', service['id'],
               '--project', project, '--resource-limit', '2', '--region',
               'RegionOne', '-f', 'json', 'widgets')
    assert made['resource_limit'] == 2
    listed, model = osc_all(
        identity, ('limit', 'list', '--service', service['id'], '-f',
                   'json'),
        ('limit', 'show', made['id'], '-f', 'json'))
    assert [x['ID'] for x in listed] == [made['id']]
    assert model['resource_name'] == 'widgets'
    changed = osc(identity, 'limit', 'set', '--resource-limit', '3', '-f',
                  'json', made['id'])
    assert changed['resource_limit'] == 3
    osc(identity, 'limit', 'delete', made['id'])
    osc(identity, 'registered', 'limit', 'delete', registered['id'])
    assert osc(identity, 'registered', 'limit', 'list', '--service',
               service['id'], '-f', 'json') == []


def test_project_tags(identity_service):
    identity = identity_service
    tag, name = unique('tag'), unique('tagged')
    osc_all(identity, ('project', 'create', name),
            ('project', 'create', unique('untagged')))
    osc(identity, 'project', 'set', '--tag', tag, '--tag', 'second', name)
    shown = osc(identity, 'project', 'show', '-f', 'json', name)
    assert sorted(shown['tags']) == sorted([tag, 'second'])
    tagged, not_tagged = osc_all(
        identity, ('project', 'list', '--tags', tag, '-f', 'json'),
        ('project', 'list', '--not-tags', tag, '-f', 'json'))
    assert [p['Name'] for p in tagged] == [name]
    assert name not in [p['Name'] for p in not_tagged]
    osc(identity, 'project', 'set', '--remove-tag', tag, name)
    assert osc(identity, 'project', 'list', '--tags', tag, '-f',
               'json') == []


def test_endpoint_groups_and_project_endpoints(identity_service):
    identity = identity_service
    service_type, project, group = (unique('filtered'), unique('eproject'),
                                    unique('group'))
    service, _project = osc_all(
        identity, ('service', 'create', '--name', service_type, '-f', 'json',
                   service_type),
        ('project', 'create', '-f', 'json', project))
    endpoint = osc(identity, 'endpoint', 'create', '--region', 'RegionOne',
                   '-f', 'json', service['id'], 'public',
                   'http://filtered.example/')
    filters = identity.directory / (group + '.json')
    filters.write_text(json.dumps({'service_id': service['id']}))
    made = osc(identity, 'endpoint', 'group', 'create', '-f', 'json', group,
               str(filters))
    assert made['filters'] == {'service_id': service['id']}
    osc_all(identity, ('endpoint', 'add', 'project', endpoint['id'],
                       project),
            ('endpoint', 'group', 'add', 'project', group, project))
    endpoints, groups = osc_all(
        identity, ('endpoint', 'list', '--project', project, '-f', 'json'),
        ('endpoint', 'group', 'list', '--project', project, '-f', 'json'))
    assert [e['ID'] for e in endpoints] == [endpoint['id']]
    assert [g['Name'] for g in groups] == [group]
    osc_all(identity, ('endpoint', 'remove', 'project', endpoint['id'],
                       project),
            ('endpoint', 'group', 'remove', 'project', group, project))
    osc(identity, 'endpoint', 'group', 'delete', group)
