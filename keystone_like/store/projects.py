"""Projects, in Keystone's shape::

    {'id', 'name', 'domain_id', 'parent_id', 'description', 'enabled',
     'is_domain': False, 'tags': [], 'options': {}}

As in Keystone, a project directly in a domain shows the domain's id as its
``parent_id``; the column stores None for it. A project with children
cannot be deleted without ``cascade`` (see :mod:`.hierarchy`).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common
from keystone_like.store import hierarchy
from keystone_like.store import options as resource_options
from keystone_like.store import paging
from keystone_like.store import tags as project_tags

KIND = 'project'
COLUMNS = ('id', 'name', 'domain_id', 'parent_id', 'description', 'enabled')
DEFAULTS = {'is_domain': False}
# Kept apart from the columns and ``extra``.
_OWN = {'tags', 'options'}
IMMUTABLE = {
    'id': 'Cannot change project ID.',
    'domain_id': 'Cannot change Domain ID',
    'parent_id': 'Update of `parent_id` is not allowed.',
    'is_domain': 'Update of `is_domain` is not allowed.',
}


def to_dict(row):
    """Return a Project row in API shape."""
    result = common.render(row, COLUMNS, DEFAULTS)
    result['parent_id'] = row.parent_id or row.domain_id
    result['tags'] = project_tags.names(row)
    result['options'] = dict(row.options or {})
    return result


def apply_tags_and_options(row, ref, kind=KIND):
    """Set the ``tags`` and merge the ``options`` a body gives."""
    if ref.get('tags') is not None:
        project_tags.set_tags(row, ref['tags'])
    if 'options' in ref:
        row.options = resource_options.merge(
            row.options, ref['options'], resource_options.PROJECT, kind)


def create_project(session, ref, max_depth=None):
    """Create a project from an API body; return it.

    ``domain_id`` may be left out when ``parent_id`` names a project; a
    ``parent_id`` equal to the domain id means "directly in the domain".
    A project acting as a domain is a domain: see the domains module.
    ``max_depth`` bounds the tree (``[DEFAULT] max_project_tree_depth``).
    """
    if ref.get('is_domain'):
        raise ValueError('create a domain for is_domain')
    common.require(ref, 'name')
    core, extra = common.split(ref, COLUMNS,
                               immutable={'id', 'is_domain'} | _OWN)
    _resolve_parent(session, core)
    common.get_row(session, models.Domain, core['domain_id'], 'domain')
    if max_depth is not None:
        hierarchy.check_new_child(session, core['parent_id'], max_depth,
                                  core['domain_id'])
    duplicate = common.duplicate_name(KIND, core['name'], core['domain_id'])
    if _find(session, core['name'], core['domain_id']) is not None:
        raise duplicate
    row = common.build(models.Project, core, extra)
    row.options = {}
    apply_tags_and_options(row, ref)
    common.add(session, row, duplicate)
    return to_dict(row)


def _resolve_parent(session, core):
    parent_id = core.get('parent_id')
    domain_id = core.get('domain_id')
    if parent_id is None or parent_id == domain_id:
        core['parent_id'] = None
        common.require(core, 'domain_id')
        return
    parent = session.get(models.Project, parent_id)
    if parent is None:
        if session.get(models.Domain, parent_id) is not None:
            raise exceptions.ValidationError(
                'The parent domain %s is not the project\'s domain %s.'
                % (parent_id, domain_id))
        raise common.not_found(KIND, parent_id)
    if domain_id is None:
        core['domain_id'] = parent.domain_id
    elif domain_id != parent.domain_id:
        raise exceptions.ValidationError(
            'Cannot create project, since it specifies its domain_id %s, '
            'but specifies a parent in a different domain (%s).'
            % (domain_id, parent.domain_id))


def _find(session, name, domain_id):
    return session.scalars(sa.select(models.Project).where(
        models.Project.name == name,
        models.Project.domain_id == domain_id)).first()


def get_project(session, project_id):
    """Return the project ``project_id`` or raise NotFound."""
    return to_dict(common.get_row(session, models.Project, project_id, KIND))


def get_project_by_name(session, name, domain_id):
    """Return the project called ``name`` in the domain or raise NotFound."""
    row = _find(session, name, domain_id)
    if row is None:
        raise common.not_found(KIND, name)
    return to_dict(row)


def list_projects(session, name=None, domain_id=None, enabled=None,
                  parent_id=None, ids=None, page=None, tags=None):
    """Return the projects matching every filter given, by name.

    ``tags`` maps tag filters (``tags``, ``not-tags-any``, ...) to their
    comma-separated values.
    """
    table = models.Project
    query = project_tags.apply_filters(
        sa.select(table).order_by(table.name, table.id), table, tags or {})
    if ids is not None:
        query = query.where(table.id.in_(list(ids)))
    if name is not None:
        query = query.where(table.name == name)
    if domain_id is not None:
        query = query.where(table.domain_id == domain_id)
    if enabled is not None:
        query = query.where(table.enabled == enabled)
    if parent_id is not None:
        query = query.where(sa.or_(
            table.parent_id == parent_id,
            sa.and_(table.parent_id.is_(None), table.domain_id == parent_id)))
    query = paging.apply(session, query, table, page)
    return [to_dict(row) for row in session.scalars(query)]


def update_project(session, project_id, ref, cascade=False):
    """Change the given attributes of a project; return
    ``(project, ids of other projects disabled with it)``.

    Enabling needs enabled ancestors; disabling an enabled subtree needs
    ``cascade``, which also carries an enable down the subtree and allows
    no other change.
    """
    row = common.get_row(session, models.Project, project_id, KIND)
    resource_options.check_update(row.options, ref, KIND, project_id)
    check_immutable(ref, dict(to_dict(row), is_domain=False))
    if cascade and set(ref) - {'enabled', 'id'}:
        raise exceptions.ValidationError(
            'Cascade update is only allowed for enabled attribute.')
    core, extra = common.split(ref, COLUMNS, immutable=set(IMMUTABLE) | _OWN)
    also_disabled = []
    if core.get('enabled') is True:
        if not row.enabled:
            hierarchy.check_enabling(session, project_id, row.domain_id)
        if cascade:
            hierarchy.enable_subtree(session, project_id)
    elif core.get('enabled') is False and row.enabled:
        also_disabled = hierarchy.disable(session, project_id, cascade)
    duplicate = common.duplicate_name(KIND, core.get('name'), row.domain_id)
    apply_tags_and_options(row, ref)
    common.apply_renaming(session, row, core, extra, duplicate,
                          lambda name: _find(session, name, row.domain_id))
    return to_dict(row), also_disabled


def check_immutable(ref, current):
    """Refuse changes to the fields of :data:`IMMUTABLE`, as Keystone
    does and in its order: a new parent is 403, the others 400."""
    for key, message in IMMUTABLE.items():
        if key in ref and ref[key] != current.get(key):
            error = (exceptions.Forbidden if key == 'parent_id'
                     else exceptions.ValidationError)
            raise error(message)


def delete_project(session, project_id, cascade=False):
    """Delete a leaf project (or, with ``cascade``, a disabled subtree)
    and the role assignments on it; return the ids deleted."""
    row = common.get_row(session, models.Project, project_id, KIND)
    resource_options.check_delete(row.options, KIND, project_id)
    ids = hierarchy.deletable(session, project_id, cascade)
    hierarchy.delete(session, ids)
    return ids


def domain_as_project(domain):
    """Return a domain as Keystone shows it among projects (is_domain)."""
    return dict(domain, is_domain=True, domain_id=None, parent_id=None)
