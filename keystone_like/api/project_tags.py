"""Project tags: ``/v3/projects/{project_id}/tags[/{value}]``.

A domain is a project too (as in Keystone), so its tags are reachable
here as well. Tags also travel in project (and domain) documents and
bodies; ``GET /v3/projects?tags=...`` filters on them (see
:mod:`keystone_like.store.tags`).

Where we differ on purpose: ``links.self`` of a tag list is the list's
URL and ``Location`` of a new tag is the tag's URL (Keystone 30 answers
``.../v3`` and a path without ``projects/``).
"""

import urllib.parse

import webob

from keystone_like import api
from keystone_like.api import resources
from keystone_like.api import schemas
from keystone_like import exceptions
from keystone_like.store import tags

_TAGS = '/projects/{project_id}/tags'
_TAG = _TAGS + '/{value}'
REPLACE_BODY = {'type': 'object', 'properties': {'tags': schemas.TAGS},
                'required': ['tags'], 'additionalProperties': False}


# A tag named in the path, checked as a body's ``tags`` would be.
ONE_TAG = {'type': 'object', 'properties': {'tags': schemas.TAGS}}


class ProjectTagResource:
    """Handlers of a project's tags."""

    public_routes = ()
    management_routes = (
        ('GET', _TAGS, 'list_project_tags'),
        ('PUT', _TAGS, 'update_project_tags'),
        ('DELETE', _TAGS, 'delete_project_tags'),
        ('GET', _TAG, 'get_project_tag'),
        ('PUT', _TAG, 'create_project_tag'),
        ('DELETE', _TAG, 'delete_project_tag'),
    )

    def _authorize_tags(self, session, request, action, project_id):
        """Authorize on the project (or domain) as Keystone's target has
        it; an unknown project is 404 only after policy."""
        token = self.authenticate(session, request)
        try:
            target = {'project': self._project_target(session, project_id)}
        except exceptions.NotFound:
            target = {}
        self.authorize(token, 'identity:' + action, target,
                       project_id=project_id)

    def _project_target(self, session, project_id):
        row = tags.owner(session, project_id)
        # A domain, seen as a project, has no domain of its own.
        return {'id': row.id, 'domain_id': getattr(row, 'domain_id', None)}

    def _tag_list(self, request, project_id, names):
        return api.json_response({'tags': names, 'links': {
            'self': resources.v3_url(request, self.interface,
                                     'projects/%s/tags' % project_id)}})

    def list_project_tags(self, request, project_id):
        """GET /v3/projects/{project_id}/tags."""
        with self.session() as session:
            self._authorize_tags(session, request, 'list_project_tags',
                                 project_id)
            names = tags.names(tags.owner(session, project_id))
        return self._tag_list(request, project_id, names)

    def update_project_tags(self, request, project_id):
        """PUT /v3/projects/{project_id}/tags: replace them all (200)."""
        with self.session() as session:
            self._authorize_tags(session, request, 'update_project_tags',
                                 project_id)
            body = resources.json_body(request, REPLACE_BODY)
            names = tags.replace_tags(session, project_id, body['tags'])
        return self._tag_list(request, project_id, names)

    def delete_project_tags(self, request, project_id):
        """DELETE /v3/projects/{project_id}/tags: remove them all (204)."""
        with self.session() as session:
            self._authorize_tags(session, request, 'delete_project_tags',
                                 project_id)
            tags.replace_tags(session, project_id, [])
        return resources.no_content()

    def get_project_tag(self, request, project_id, value):
        """GET or HEAD /v3/projects/{project_id}/tags/{value}: 204 or 404."""
        with self.session() as session:
            self._authorize_tags(session, request, 'get_project_tag',
                                 project_id)
            tags.get_tag(session, project_id, value)
        return resources.no_content()

    def create_project_tag(self, request, project_id, value):
        """PUT /v3/projects/{project_id}/tags/{value}: 201, ``Location``."""
        with self.session() as session:
            self._authorize_tags(session, request, 'create_project_tag',
                                 project_id)
            tags.owner(session, project_id)
            resources.validate({'tags': [value]}, ONE_TAG)
            tags.add_tag(session, project_id, value)
        location = resources.v3_url(request, self.interface, 'projects/%s/'
                                    'tags/%s' % (project_id,
                                                 urllib.parse.quote(value)))
        response = webob.Response(status=201, content_type=None)
        response.headers['Location'] = location
        return response

    def delete_project_tag(self, request, project_id, value):
        """DELETE /v3/projects/{project_id}/tags/{value}: 204 or 404."""
        with self.session() as session:
            self._authorize_tags(session, request, 'delete_project_tag',
                                 project_id)
            tags.remove_tag(session, project_id, value)
        return resources.no_content()
