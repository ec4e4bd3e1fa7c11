"""Tags of projects and domains, and Keystone's four tag filters.

A tag is 1 to 255 characters without ``/`` or ``,``; a project carries at
most 80 distinct tags (the API schemas check both). Tags are kept in
``project_tag`` / ``domain_tag`` rows so lists filter on them in SQL:

- ``tags=a,b``: projects with every one of the tags;
- ``tags-any=a,b``: projects with at least one of them;
- ``not-tags=a,b``: projects without all of them (one missing is enough);
- ``not-tags-any=a,b``: projects with none of them.

Several filters in one query all apply (AND).
"""

import sqlalchemy as sa

from keystone_like.db import models
from keystone_like import exceptions

FILTERS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')
MAX_TAGS = 80
_TABLES = {models.Project: (models.ProjectTag, 'project_id'),
           models.Domain: (models.DomainTag, 'domain_id')}


def names(row):
    """Return the tags of a Project or Domain row, sorted."""
    return [tag.name for tag in row.tag_rows]


def set_tags(row, tags):
    """Replace the tags of a Project or Domain row (each one stripped).

    Rows of tags kept are reused: deleting and re-adding the same key in
    one flush would collide on the primary key.
    """
    wanted = list(dict.fromkeys(tag.strip() for tag in tags))
    if len(wanted) > MAX_TAGS:
        raise exceptions.ValidationError(
            'A project may have at most %d tags.' % MAX_TAGS)
    table, _column = _TABLES[type(row)]
    kept = {tag.name: tag for tag in row.tag_rows}
    row.tag_rows = [kept.get(name) or table(name=name) for name in wanted]


def apply_filters(query, model, filters):
    """Add the tag filters given (``{name: 'a,b'}``) to a SELECT of
    ``model`` (Project or Domain)."""
    table, column = _TABLES[model]
    owner = getattr(table, column)
    for name, value in filters.items():
        if value is None:
            continue
        wanted = set(value.split(','))
        if name in ('tags', 'not-tags'):
            having = (sa.select(owner).where(table.name.in_(wanted))
                      .group_by(owner)
                      .having(sa.func.count(table.name) == len(wanted)))
        elif name in ('tags-any', 'not-tags-any'):
            having = sa.select(owner).where(table.name.in_(wanted))
        else:
            raise ValueError('unknown tag filter %r' % name)
        if name.startswith('not-'):
            query = query.where(model.id.not_in(having))
        else:
            query = query.where(model.id.in_(having))
    return query


# The tags of one project (or domain) through /v3/projects/{id}/tags.

_IMMUTABLE = ('Cannot %s project tags for %s, project is immutable. Set '
              '"immutable" option to false before creating project tags.')


def owner(session, project_id):
    """Return the Project (or Domain, a project in Keystone) row."""
    row = (session.get(models.Project, project_id)
           or session.get(models.Domain, project_id))
    if row is None:
        raise exceptions.NotFound('Could not find project: %s.' % project_id)
    return row


def _mutable(row, verb):
    if (row.options or {}).get('immutable'):
        raise exceptions.Forbidden(_IMMUTABLE % (verb, row.id))
    return row


def get_tag(session, project_id, tag):
    """Return ``tag`` if the project has it; NotFound otherwise."""
    if tag not in names(owner(session, project_id)):
        raise exceptions.NotFound('Could not find project tag: %s.' % tag)
    return tag


def add_tag(session, project_id, tag):
    """Add one tag; 400 if the project has it or would have too many."""
    row = _mutable(owner(session, project_id), 'create')
    current = names(row)
    if tag.strip() in current:
        raise exceptions.ValidationError(
            "Invalid input for field 'tags': must not repeat an item.")
    set_tags(row, current + [tag])
    session.flush()
    return tag.strip()


def replace_tags(session, project_id, tags):
    """Replace every tag of the project; return the new list."""
    row = _mutable(owner(session, project_id), 'update')
    set_tags(row, tags)
    session.flush()
    return names(row)


def remove_tag(session, project_id, tag):
    """Remove one tag; NotFound if the project does not have it."""
    row = _mutable(owner(session, project_id), 'delete')
    current = names(row)
    if tag not in current:
        raise exceptions.NotFound('Could not find project tag: %s.' % tag)
    set_tags(row, [name for name in current if name != tag])
    session.flush()
