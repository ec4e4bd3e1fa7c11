"""OS-EP-FILTER: endpoint groups and the endpoints of a project's catalog.

``/v3/OS-EP-FILTER/endpoint_groups`` manages groups; endpoints and groups
are associated with projects under ``/projects/{id}/endpoints/{id}`` and
``/endpoint_groups/{id}/projects/{id}``. Policy is checked first (Keystone
builds no target here), then each entity named is loaded (404).

Where we differ on purpose: the ``links.self`` of a group-project
association is an absolute URL (Keystone 30 gives a path without ``/v3``).
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import endpoint_filter as schema
from keystone_like import exceptions
from keystone_like.store import endpoint_filter
from keystone_like.store import endpoints
from keystone_like.store import projects

_PREFIX = '/OS-EP-FILTER'
_GROUPS = _PREFIX + '/endpoint_groups'
_GROUP = _GROUPS + '/{endpoint_group_id}'
_PROJECT_ENDPOINT = _PREFIX + '/projects/{project_id}/endpoints/{endpoint_id}'
_GROUP_PROJECT = _GROUP + '/projects/{project_id}'
COLLECTION = 'OS-EP-FILTER/endpoint_groups'


def _check_filters(ref):
    """Keystone's two checks of ``filters``, with its messages."""
    if not ref.get('filters'):
        raise exceptions.ValidationError(
            'filters field is required and cannot be empty')
    if set(ref['filters']) - set(endpoint_filter.FILTER_KEYS):
        raise exceptions.expecting(' or '.join(endpoint_filter.FILTER_KEYS),
                                   'endpoint_group')


class EndpointFilterResource:
    """Handlers of OS-EP-FILTER."""

    public_routes = ()
    management_routes = (
        ('POST', _GROUPS, 'create_endpoint_group'),
        ('GET', _GROUPS, 'list_endpoint_groups'),
        ('GET', _GROUP, 'get_endpoint_group'),
        ('PATCH', _GROUP, 'update_endpoint_group'),
        ('DELETE', _GROUP, 'delete_endpoint_group'),
        ('GET', _PREFIX + '/endpoints/{endpoint_id}/projects',
         'list_projects_for_endpoint'),
        ('PUT', _PROJECT_ENDPOINT, 'project_endpoint'),
        ('GET', _PROJECT_ENDPOINT, 'project_endpoint'),
        ('DELETE', _PROJECT_ENDPOINT, 'remove_endpoint_from_project'),
        ('GET', _PREFIX + '/projects/{project_id}/endpoints',
         'list_endpoints_for_project'),
        ('GET', _PREFIX + '/projects/{project_id}/endpoint_groups',
         'list_endpoint_groups_for_project'),
        ('GET', _GROUP + '/endpoints',
         'list_endpoints_associated_with_endpoint_group'),
        ('GET', _GROUP + '/projects',
         'list_projects_associated_with_endpoint_group'),
        ('PUT', _GROUP_PROJECT, 'change_group_project'),
        ('GET', _GROUP_PROJECT, 'get_endpoint_group_in_project'),
        ('DELETE', _GROUP_PROJECT, 'change_group_project'),
    )

    def _ep_may(self, session, request, action):
        self.authorize(self.authenticate(session, request),
                       'identity:' + action)

    def _ep_group_response(self, request, ref, status=200):
        return api.json_response({'endpoint_group': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def _ep_list(self, request, name, refs, collection=None):
        """A Keystone list document of ``refs`` linked under ``name``."""
        document = resources.collection(request, self.interface,
                                        collection or name, refs,
                                        path=request.path_info)
        if collection:
            document[name] = document.pop(collection)
        return api.json_response(document)

    def create_endpoint_group(self, request):
        """POST /v3/OS-EP-FILTER/endpoint_groups: 201."""
        with self.session() as session:
            self._ep_may(session, request, 'create_endpoint_group')
            ref = resources.json_body(request, schema.GROUP_CREATE)[
                'endpoint_group']
            _check_filters(ref)
            ref = endpoint_filter.create_group(session, ref)
        return self._ep_group_response(request, ref, status=201)

    def list_endpoint_groups(self, request):
        """GET /v3/OS-EP-FILTER/endpoint_groups with ``?name=``."""
        pager = pagination.Pager(request, self.backends.conf, 'catalog')
        with self.session() as session:
            self._ep_may(session, request, 'list_endpoint_groups')
            refs = endpoint_filter.list_groups(
                session, name=resources.query(request, 'name'),
                page=pager.page())
        document = pager.collection(self.interface, COLLECTION, refs)
        document['endpoint_groups'] = document.pop(COLLECTION)
        return api.json_response(document)

    def get_endpoint_group(self, request, endpoint_group_id):
        """GET /v3/OS-EP-FILTER/endpoint_groups/{id}."""
        with self.session() as session:
            self._ep_may(session, request, 'get_endpoint_group')
            ref = endpoint_filter.get_group(session, endpoint_group_id)
        return self._ep_group_response(request, ref)

    def update_endpoint_group(self, request, endpoint_group_id):
        """PATCH /v3/OS-EP-FILTER/endpoint_groups/{id}."""
        with self.session() as session:
            self._ep_may(session, request, 'update_endpoint_group')
            changes = resources.json_body(request, schema.GROUP_UPDATE)[
                'endpoint_group']
            if 'filters' in changes:
                _check_filters(changes)
            ref = endpoint_filter.update_group(session, endpoint_group_id,
                                               changes)
        return self._ep_group_response(request, ref)

    def delete_endpoint_group(self, request, endpoint_group_id):
        """DELETE /v3/OS-EP-FILTER/endpoint_groups/{id}: 204."""
        with self.session() as session:
            self._ep_may(session, request, 'delete_endpoint_group')
            endpoint_filter.delete_group(session, endpoint_group_id)
        return resources.no_content()

    def list_projects_for_endpoint(self, request, endpoint_id):
        """GET .../endpoints/{endpoint_id}/projects."""
        with self.session() as session:
            self._ep_may(session, request, 'list_projects_for_endpoint')
            endpoints.get_endpoint(session, endpoint_id)
            refs = projects.list_projects(
                session, ids=endpoint_filter.project_ids_for_endpoint(
                    session, endpoint_id))
        return self._ep_list(request, 'projects', refs)

    def project_endpoint(self, request, project_id, endpoint_id):
        """PUT (add) or GET/HEAD (check)
        .../projects/{project_id}/endpoints/{endpoint_id}: 204."""
        action, change = (
            ('add_endpoint_to_project', endpoint_filter.add_endpoint)
            if request.method == 'PUT' else
            ('check_endpoint_in_project', endpoint_filter.check_endpoint))
        with self.session() as session:
            self._ep_may(session, request, action)
            endpoints.get_endpoint(session, endpoint_id)
            projects.get_project(session, project_id)
            change(session, project_id, endpoint_id)
        return resources.no_content()

    def remove_endpoint_from_project(self, request, project_id, endpoint_id):
        """DELETE .../projects/{project_id}/endpoints/{endpoint_id}: 204."""
        with self.session() as session:
            self._ep_may(session, request, 'remove_endpoint_from_project')
            endpoint_filter.remove_endpoint(session, project_id, endpoint_id)
        return resources.no_content()

    def list_endpoints_for_project(self, request, project_id):
        """GET .../projects/{project_id}/endpoints: its filtered endpoints."""
        with self.session() as session:
            self._ep_may(session, request, 'list_endpoints_for_project')
            projects.get_project(session, project_id)
            ids = endpoint_filter.endpoint_ids_for_project(session,
                                                           project_id)
            refs = [e for e in endpoints.list_endpoints(session)
                    if e['id'] in ids]
        return self._ep_list(request, 'endpoints', refs)

    def list_endpoint_groups_for_project(self, request, project_id):
        """GET .../projects/{project_id}/endpoint_groups."""
        with self.session() as session:
            self._ep_may(session, request, 'list_endpoint_groups_for_project')
            projects.get_project(session, project_id)
            refs = endpoint_filter.list_groups(
                session, ids=endpoint_filter.group_ids_for_project(
                    session, project_id))
        return self._ep_list(request, 'endpoint_groups', refs, COLLECTION)

    def list_endpoints_associated_with_endpoint_group(self, request,
                                                      endpoint_group_id):
        """GET .../endpoint_groups/{id}/endpoints: what its filters match."""
        with self.session() as session:
            self._ep_may(session, request,
                         'list_endpoints_associated_with_endpoint_group')
            refs = endpoint_filter.endpoints_in_group(session,
                                                      endpoint_group_id)
        return self._ep_list(request, 'endpoints', refs)

    def list_projects_associated_with_endpoint_group(self, request,
                                                     endpoint_group_id):
        """GET .../endpoint_groups/{id}/projects (Keystone: an unknown
        group has none)."""
        with self.session() as session:
            self._ep_may(session, request,
                         'list_projects_associated_with_endpoint_group')
            refs = projects.list_projects(
                session, ids=endpoint_filter.project_ids_for_group(
                    session, endpoint_group_id))
        return self._ep_list(request, 'projects', refs)

    def _group_and_project(self, session, request, action, group_id,
                           project_id):
        self._ep_may(session, request, action)
        projects.get_project(session, project_id)
        endpoint_filter.get_group(session, group_id)

    def change_group_project(self, request, endpoint_group_id, project_id):
        """PUT (add) or DELETE (remove)
        .../endpoint_groups/{id}/projects/{project_id}: 204."""
        action, change = (
            ('add_endpoint_group_to_project', endpoint_filter.add_group)
            if request.method == 'PUT' else
            ('remove_endpoint_group_from_project',
             endpoint_filter.remove_group))
        with self.session() as session:
            self._group_and_project(session, request, action,
                                    endpoint_group_id, project_id)
            change(session, endpoint_group_id, project_id)
        return resources.no_content()

    def get_endpoint_group_in_project(self, request, endpoint_group_id,
                                      project_id):
        """GET or HEAD .../endpoint_groups/{id}/projects/{project_id}."""
        with self.session() as session:
            self._group_and_project(session, request,
                                    'get_endpoint_group_in_project',
                                    endpoint_group_id, project_id)
            ref = endpoint_filter.get_group_association(
                session, endpoint_group_id, project_id)
        ref['links'] = {'self': resources.v3_url(
            request, self.interface, request.path_info)}
        return api.json_response({'project_endpoint_group': ref})
