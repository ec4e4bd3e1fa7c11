"""Projects: ``/v3/projects`` on the admin listener.

Disabling or deleting a project records a revocation event by project id:
tokens scoped to it stop validating for good, even if it is re-enabled.
"""

from keystone_like import api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import resource as schema
from keystone_like import exceptions
from keystone_like.store import projects
from keystone_like.store import revocations

COLLECTION = 'projects'


def _new_project(token, ref):
    ref = dict(ref)
    # Keystone assigns ids itself and ignores one given in the body.
    ref.pop('id', None)
    ref.setdefault('description', '')
    if ref.get('parent_id') is None:
        # Under a parent, the store takes the parent's domain instead.
        ref = resources.domain_for_new(token, ref)
    return ref


class ProjectResource:
    """Handlers of ``/v3/projects``: create, list, show, update, delete."""

    public_routes = ()
    admin_routes = (
        ('POST', '/projects', 'create_project'),
        ('GET', '/projects', 'list_projects'),
        ('GET', '/projects/{project_id}', 'get_project'),
        ('PATCH', '/projects/{project_id}', 'update_project'),
        ('DELETE', '/projects/{project_id}', 'delete_project'),
    )

    def _project_response(self, request, ref, status=200):
        return api.json_response({'project': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def create_project(self, request):
        """POST /v3/projects: 201; the domain defaults as in Keystone.

        An unknown domain or parent is a bad request (400), as in Keystone.
        """
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:create_project')
            body = resources.json_body(request, schema.PROJECT_CREATE)
            try:
                ref = projects.create_project(
                    session, _new_project(token, body['project']))
            except exceptions.NotFound as exc:
                raise exceptions.ValidationError(exc.message) from None
        return self._project_response(request, ref, status=201)

    def list_projects(self, request):
        """GET /v3/projects: ``?name= &domain_id= &enabled= &parent_id=``."""
        pager = pagination.Pager(request, self.backends.conf, 'resource')
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:list_projects')
            refs = projects.list_projects(
                session, name=resources.query(request, 'name'),
                domain_id=resources.query(request, 'domain_id'),
                enabled=resources.query_bool(request, 'enabled'),
                parent_id=resources.query(request, 'parent_id'),
                page=pager.page())
            if resources.query_bool(request, 'is_domain'):
                # No project acts as a domain here.
                refs = []
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def get_project(self, request, project_id):
        """GET /v3/projects/{project_id}."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:get_project')
            ref = projects.get_project(session, project_id)
        return self._project_response(request, ref)

    def update_project(self, request, project_id):
        """PATCH /v3/projects/{project_id}; disabling revokes its tokens."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:update_project')
            changes = resources.json_body(
                request, schema.PROJECT_UPDATE)['project']
            ref = projects.update_project(session, project_id, changes)
            if changes.get('enabled') is False:
                revocations.add_event(session, project_id=project_id)
        return self._project_response(request, ref)

    def delete_project(self, request, project_id):
        """DELETE /v3/projects/{project_id}: 204 (403 if it has children)."""
        with self.session() as session:
            self.authorize(self.authenticate(session, request),
                           'identity:delete_project')
            projects.delete_project(session, project_id)
            revocations.add_event(session, project_id=project_id)
        return resources.no_content()
