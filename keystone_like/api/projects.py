"""Projects: ``/v3/projects``, their tree, and domains seen as projects.

As in Keystone a domain is also a project "acting as a domain":
``is_domain: true`` on create makes a domain, ``?is_domain=true`` lists
domains, and ``/v3/projects/{domain id}`` reads, updates and deletes one.
``?parents_as_list``, ``?subtree_as_list`` (the ones the caller holds a
role on, as Keystone shows them), ``?parents_as_ids`` and
``?subtree_as_ids`` show the tree around a project. ``?cascade`` on PATCH
(``enabled`` only) and DELETE acts on the whole subtree.

Disabling or deleting a project records a revocation event by project id:
tokens scoped to it stop validating for good, even if it is re-enabled.
"""

from keystone_like import api
from keystone_like.api import domains as domains_api
from keystone_like.api import pagination
from keystone_like.api import resources
from keystone_like.api.schemas import resource as schema
from keystone_like.api import targets
from keystone_like import exceptions
from keystone_like.store import domains
from keystone_like.store import effective
from keystone_like.store import hierarchy
from keystone_like.store import limit_models
from keystone_like.store import projects
from keystone_like.store import revocations
from keystone_like.store import tags

COLLECTION = 'projects'
_TREE_VIEWS = {'parents': ('parents_as_list', 'parents_as_ids'),
               'subtree': ('subtree_as_list', 'subtree_as_ids')}


def _new_project(token, ref):
    ref = dict(ref)
    # Keystone assigns ids itself and ignores one given in the body.
    ref.pop('id', None)
    ref.setdefault('description', '')
    if ref.get('parent_id') is None:
        # Under a parent, the store takes the parent's domain instead.
        ref = resources.domain_for_new(token, ref)
    return ref


def _find(session, project_id):
    """Return ``(project dict, is it a domain?)``; NotFound if neither."""
    try:
        return projects.get_project(session, project_id), False
    except exceptions.NotFound:
        try:
            domain = domains.get_domain(session, project_id)
        except exceptions.NotFound:
            raise exceptions.NotFound(
                'Could not find project: %s.' % project_id) from None
        return projects.domain_as_project(domain), True


def _tag_filters(request):
    """``?tags= &tags-any= &not-tags= &not-tags-any=``: comma lists."""
    return {name: resources.query(request, name) for name in tags.FILTERS
            if name in request.GET}


class ProjectResource:
    """Handlers of ``/v3/projects``: create, list, show, update, delete."""

    public_routes = ()
    management_routes = (
        ('POST', '/projects', 'create_project'),
        ('GET', '/projects', 'list_projects'),
        ('GET', '/projects/{project_id}', 'get_project'),
        ('PATCH', '/projects/{project_id}', 'update_project'),
        ('DELETE', '/projects/{project_id}', 'delete_project'),
    )

    def _project_response(self, request, ref, status=200):
        return api.json_response({'project': resources.entity(
            request, self.interface, COLLECTION, ref)}, status=status)

    def _authorize_project(self, session, request, action, project_id):
        """Authorize ``identity:<action>`` on the project (or domain)."""
        token = self.authenticate(session, request)
        try:
            target = {'project': _find(session, project_id)[0]}
        except exceptions.NotFound:
            target = {}
        self.authorize(token, 'identity:' + action, target,
                       project_id=project_id)
        return token

    def create_project(self, request):
        """POST /v3/projects: 201; the domain defaults as in Keystone.

        An unknown domain or parent is a bad request (400), as in Keystone.
        """
        with self.session() as session:
            token = self.authenticate(session, request)
            body = resources.json_body(request, schema.PROJECT_CREATE)
            self.authorize(token, 'identity:create_project',
                           {'project': body['project']})
            if body['project'].get('is_domain'):
                ref = self._create_domain(session, body['project'])
            else:
                try:
                    ref = projects.create_project(
                        session, _new_project(token, body['project']),
                        max_depth=self._max_depth())
                except exceptions.NotFound as exc:
                    raise exceptions.ValidationError(exc.message) from None
        return self._project_response(request, ref, status=201)

    def _max_depth(self):
        """``max_project_tree_depth``, capped by the limit model."""
        conf = self.backends.conf
        return limit_models.max_project_depth(
            conf.unified_limit.enforcement_model, conf.max_project_tree_depth)

    def _create_domain(self, session, ref):
        """A project acting as a domain: a root, with no domain of its own."""
        if ref.get('parent_id') or ref.get('domain_id'):
            raise exceptions.ValidationError(
                'only root projects are allowed to act as domains.')
        fields = {k: v for k, v in ref.items()
                  if k not in ('id', 'is_domain', 'parent_id', 'domain_id')}
        fields.setdefault('description', '')  # as any new project's
        return projects.domain_as_project(
            domains.create_domain(session, fields))

    def list_projects(self, request):
        """GET /v3/projects: ``?name= &domain_id= &enabled= &parent_id=
        &is_domain=``; a domain-scoped caller sees its domain's."""
        pager = pagination.Pager(request, self.backends.conf, 'resource')
        with self.session() as session:
            token = self.authenticate(session, request)
            self.authorize(token, 'identity:list_projects',
                           targets.scoped_domain(token))
            domain_id = targets.domain_filter(
                token, resources.query(request, 'domain_id'))
            if domain_id is targets.NOTHING:
                refs = []
            elif resources.query_bool(request, 'is_domain'):
                refs = self._domains_as_projects(session, request, pager,
                                                 domain_id)
            else:
                refs = projects.list_projects(
                    session, name=resources.query(request, 'name'),
                    domain_id=domain_id,
                    enabled=resources.query_bool(request, 'enabled'),
                    parent_id=resources.query(request, 'parent_id'),
                    page=pager.page(), tags=_tag_filters(request))
        return api.json_response(pager.collection(self.interface,
                                                  COLLECTION, refs))

    def _domains_as_projects(self, session, request, pager, domain_id):
        if domain_id is not None or resources.query(request, 'parent_id'):
            return []  # domains have neither a domain nor a parent
        return [projects.domain_as_project(d) for d in domains.list_domains(
            session, name=resources.query(request, 'name'),
            enabled=resources.query_bool(request, 'enabled'),
            page=pager.page(), tags=_tag_filters(request))]

    def get_project(self, request, project_id):
        """GET /v3/projects/{project_id}, with the tree views asked for."""
        with self.session() as session:
            token = self._authorize_project(session, request, 'get_project',
                                            project_id)
            ref, is_domain = _find(session, project_id)
            if not is_domain:
                ref = self._with_tree(session, request, token, ref)
        return self._project_response(request, ref)

    def _with_tree(self, session, request, token, ref):
        """Add ``parents`` and ``subtree`` as the query asks."""
        ref = dict(ref)
        for key, (as_list, as_ids) in _TREE_VIEWS.items():
            wants_list = resources.query_bool(request, as_list)
            wants_ids = resources.query_bool(request, as_ids)
            if wants_list and wants_ids:
                raise exceptions.ValidationError(
                    'Cannot use %s and %s query params at the same time.'
                    % (as_list, as_ids))
            if wants_ids:
                ref[key] = (hierarchy.parents_as_ids(session, ref)
                            if key == 'parents'
                            else hierarchy.subtree_as_ids(session, ref['id']))
            elif wants_list:
                ref[key] = self._tree_list(session, request, token, key,
                                           ref['id'])
        return ref

    def _tree_list(self, session, request, token, key, project_id):
        """The parents or subtree the caller has a role on, as Keystone."""
        ids = (hierarchy.ancestor_ids(session, project_id) if key == 'parents'
               else hierarchy.subtree_ids(session, project_id))
        mine = {p['id'] for p in effective.projects_for_user(
            session, token.user_id)}
        return [{'project': resources.entity(request, self.interface,
                                             COLLECTION, p)}
                for p in projects.list_projects(
                    session, ids=[i for i in ids if i in mine])]

    def update_project(self, request, project_id):
        """PATCH /v3/projects/{project_id}; disabling revokes its tokens.

        ``?cascade`` carries an ``enabled`` change down the subtree.
        """
        cascade = bool(resources.query_bool(request, 'cascade'))
        with self.session() as session:
            self._authorize_project(session, request, 'update_project',
                                    project_id)
            changes = resources.json_body(
                request, schema.PROJECT_UPDATE)['project']
            found, is_domain = _find(session, project_id)
            if is_domain:
                ref = self._update_domain(session, project_id, changes)
            else:
                ref, disabled = projects.update_project(
                    session, project_id, changes, cascade=cascade)
                if changes.get('enabled') is False and found['enabled']:
                    for gone in [project_id] + disabled:
                        revocations.add_event(session, project_id=gone)
        return self._project_response(request, ref)

    def _update_domain(self, session, domain_id, changes):
        projects.check_immutable(changes, {
            'id': domain_id, 'is_domain': True, 'domain_id': None,
            'parent_id': None})
        fields = {k: v for k, v in changes.items()
                  if k not in ('is_domain', 'domain_id', 'parent_id')}
        ref = domains.update_domain(session, domain_id, fields)
        if fields.get('enabled') is False:
            revocations.add_event(session, domain_id=domain_id)
        return projects.domain_as_project(ref)

    def delete_project(self, request, project_id):
        """DELETE /v3/projects/{project_id}: 204; 403 for a project with
        children unless ``?cascade`` (and the subtree is disabled)."""
        cascade = bool(resources.query_bool(request, 'cascade'))
        with self.session() as session:
            self._authorize_project(session, request, 'delete_project',
                                    project_id)
            _found, is_domain = _find(session, project_id)
            if is_domain:
                domains_api.record_deletion(
                    session, project_id,
                    domains.delete_domain(session, project_id))
            else:
                for gone in projects.delete_project(session, project_id,
                                                    cascade=cascade):
                    revocations.add_event(session, project_id=gone)
        return resources.no_content()
