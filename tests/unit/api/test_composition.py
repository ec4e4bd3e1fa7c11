"""The /v3 app is composed of resource mixins: they must not collide."""

import collections

from keystone_like.api import v3


def test_no_two_resources_define_the_same_method():
    # A shared name would silently call another resource's helper.
    owners = collections.defaultdict(list)
    for resource in v3.RESOURCES:
        for name in vars(resource):
            if not name.startswith('__') and name not in (
                    'public_routes', 'management_routes'):
                owners[name].append(resource.__name__)
    assert {name: found for name, found in owners.items()
            if len(found) > 1} == {}


def test_every_route_is_served_once():
    seen = collections.Counter((method, path)
                               for method, path, _name in v3.V3.routes)
    assert [route for route, count in seen.items() if count > 1] == []
