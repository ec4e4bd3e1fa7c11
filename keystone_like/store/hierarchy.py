"""The project tree: ancestors and subtrees, and the rules that keep it
sound, as Keystone has them.

- A project is created only under a branch that is enabled all the way
  up, domain included, and no deeper than ``[DEFAULT]
  max_project_tree_depth`` (the domain itself not counted).
- A project is enabled only if its ancestors and its domain are; disabled
  only if its subtree already is, unless ``cascade`` disables the subtree
  with it.
- A project is deleted only as a leaf, unless ``cascade`` deletes a
  subtree that is disabled throughout.

Ids go in and out; rows are read with recursive CTEs (SQLite and
PostgreSQL both have them), so a deep or wide tree costs one query.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from keystone_like.db import models
from keystone_like import exceptions
from keystone_like.store import common


def ancestor_ids(session, project_id):
    """Return the ids of the project's ancestors, parent first (no domain)."""
    table = models.Project
    up = (sa.select(table.id, table.parent_id, sa.literal(0).label('depth'))
          .where(table.id == project_id).cte('up', recursive=True))
    parent = orm.aliased(table)
    up = up.union_all(sa.select(parent.id, parent.parent_id,
                                (up.c.depth + 1).label('depth'))
                      .where(parent.id == up.c.parent_id))
    rows = session.execute(sa.select(up.c.id).where(up.c.depth > 0)
                           .order_by(up.c.depth))
    return [row.id for row in rows]


def _subtree(session, project_id):
    """Return ``(id, parent_id, enabled)`` of every project below it."""
    table = models.Project
    down = (sa.select(table.id, table.parent_id, table.enabled)
            .where(table.parent_id == project_id)
            .cte('down', recursive=True))
    child = orm.aliased(table)
    down = down.union_all(sa.select(child.id, child.parent_id, child.enabled)
                          .where(child.parent_id == down.c.id))
    return session.execute(sa.select(down.c.id, down.c.parent_id,
                                     down.c.enabled)).all()


def subtree_ids(session, project_id):
    """Return the ids of every project below ``project_id`` (not itself)."""
    return [row.id for row in _subtree(session, project_id)]


def ids_in_domain(session, domain_id):
    """Return the ids of every project of the domain."""
    return list(session.scalars(sa.select(models.Project.id).where(
        models.Project.domain_id == domain_id)))


def parents_as_ids(session, project):
    """Return Keystone's nested ``{parent: {grandparent: ... None}}``.

    The domain tops every chain, as the project acting as the domain does
    in Keystone.
    """
    nested = {project['domain_id']: None}
    for parent_id in reversed(ancestor_ids(session, project['id'])):
        nested = {parent_id: nested}
    return nested


def subtree_as_ids(session, project_id):
    """Return Keystone's nested ``{child: {grandchild: None}}`` or None."""
    children = {}
    for row in _subtree(session, project_id):
        children.setdefault(row.parent_id, []).append(row.id)

    def nest(parent_id):
        if parent_id not in children:
            return None
        return {child: nest(child) for child in children[parent_id]}
    return nest(project_id)


def _first_disabled(session, ids):
    """Return the first of ``ids`` (projects or domains) that is disabled."""
    disabled = set()
    for model in (models.Project, models.Domain):
        disabled.update(session.scalars(sa.select(model.id).where(
            model.id.in_(ids), model.enabled.is_(False))))
    return next((found for found in ids if found in disabled), None)


def check_new_child(session, parent_id, max_depth, domain_id):
    """Refuse a project under ``parent_id`` (None: directly in the domain)
    when the branch or the domain is disabled (400) or the branch would
    grow past ``max_depth`` (403)."""
    ancestors = []
    if parent_id is not None:
        ancestors = ancestor_ids(session, parent_id)
    # Keystone's order: the parent's ancestors nearest first, the domain
    # (a project there), then the parent; the first disabled one is named.
    disabled = _first_disabled(session, ancestors + [domain_id] + (
        [parent_id] if parent_id is not None else []))
    if disabled is not None:
        raise exceptions.ValidationError(
            'cannot create a project in a branch containing a disabled '
            'project: %s' % disabled)
    # The new project is one deeper than its parent's whole chain.
    if parent_id is not None and len(ancestors) + 2 > max_depth:
        raise exceptions.Forbidden(
            'Max hierarchy depth reached for %s branch.' % parent_id)


def check_enabling(session, project_id, domain_id):
    """403 unless every ancestor of the project, and its domain, is
    enabled."""
    if _first_disabled(session, ancestor_ids(session, project_id)
                       + [domain_id]) is not None:
        raise exceptions.Forbidden(
            'Cannot enable project %s since it has disabled parents'
            % project_id)


def disable(session, project_id, cascade=False):
    """Check and apply a disable; return the ids of the subtree disabled.

    Without ``cascade`` the subtree must be disabled already (403).
    """
    enabled = [row.id for row in _subtree(session, project_id)
               if row.enabled]
    if enabled and not cascade:
        raise exceptions.Forbidden(
            'Cannot disable project %s since its subtree contains enabled '
            'projects.' % project_id)
    if enabled:
        session.execute(sa.update(models.Project).where(
            models.Project.id.in_(enabled)).values(enabled=False))
    return enabled


def enable_subtree(session, project_id):
    """Enable every project below ``project_id`` (a cascaded enable)."""
    ids = subtree_ids(session, project_id)
    if ids:
        session.execute(sa.update(models.Project).where(
            models.Project.id.in_(ids)).values(enabled=True))
    return ids


def deletable(session, project_id, cascade=False):
    """Return the ids to delete, deepest first; 403 if the rules refuse.

    Without ``cascade`` only a leaf may go; with it, a subtree disabled
    throughout goes with its root.
    """
    rows = _subtree(session, project_id)
    if rows and not cascade:
        raise exceptions.Forbidden(
            'Cannot delete the project %s since it is not a leaf in the '
            'hierarchy. Use the cascade option if you want to delete a '
            'whole subtree.' % project_id)
    if any(row.enabled for row in rows):
        raise exceptions.Forbidden(
            'Cannot delete project %s since its subtree contains enabled '
            'projects.' % project_id)
    parents = {row.id: row.parent_id for row in rows}

    def depth(node):
        return 0 if node == project_id else 1 + depth(parents[node])
    return sorted([project_id] + list(parents), key=depth, reverse=True)


def delete(session, ids):
    """Delete projects (children before parents) and their assignments."""
    common.delete_assignments(session, project_ids=ids)
    for project_id in ids:
        session.execute(sa.delete(models.Project).where(
            models.Project.id == project_id))
    session.flush()
