"""Effective role assignments: what a user really holds, and where.

Stored grants (:mod:`keystone_like.store.assignments`) are expanded the way
Keystone does it, each expansion noting its source under ``indirect``:

- a grant to a group reaches every member (``indirect.group_id``);
- an inherited grant on a domain reaches every project of the domain, one
  on a project every project below it, never the target itself
  (``indirect.domain_id`` / ``indirect.project_id``);
- a role brings the roles it implies, transitively (``indirect.role_id``
  is the prior role);
- domain-specific roles only imply other roles: they are dropped after the
  expansion.

System grants reach system-scoped tokens only; they are never expanded
into projects or domains. Token scopes need only the role ids
(:func:`role_ids_on_project` and friends); ``/v3/role_assignments`` needs
the entries (:func:`list_role_assignments`).
"""

import copy

from keystone_like.db import models
from keystone_like.store import assignments
from keystone_like.store import domains
from keystone_like.store import groups
from keystone_like.store import hierarchy
from keystone_like.store import projects
from keystone_like.store import roles


def _closure(role_ids, implications):
    """Return ``role_ids`` plus every role they imply, transitively."""
    seen = set()
    pending = list(role_ids)
    while pending:
        role_id = pending.pop()
        if role_id not in seen:
            seen.add(role_id)
            pending.extend(implications.get(role_id, ()))
    return seen


def _effective_ids(session, entries, domain_specific=False):
    """Return the global role ids that ``entries`` give, implied included
    (and the domain-specific ones with ``domain_specific``)."""
    ids = implied_closure(session, {e['role_id'] for e in entries})
    if domain_specific:
        return ids
    return ids - roles.domain_specific_ids(session)


def implied_closure(session, role_ids):
    """Return ``role_ids`` and every role they imply, transitively (domain-
    specific roles included)."""
    return _closure(role_ids, roles.implications(session))


def _actors(session, user_id):
    return [('user', [user_id]),
            ('group', groups.group_ids_for_user(session, user_id))]


def _grants(session, user_id, target_kind, target_ids, inherited):
    """The grants to the user or its groups; ``target_ids`` None: any."""
    found = []
    for actor_kind, actor_ids in _actors(session, user_id):
        if actor_ids and target_ids != []:
            found += assignments.list_assignments(
                session, actor_kind, actor_ids, target_kind, target_ids,
                inherited=inherited)
    return found


def role_ids_on_project(session, user_id, project_id, domain_id,
                        domain_specific=False):
    """Return the global role ids ``user_id`` holds on a project.

    Direct and group grants on the project, inherited ones on its
    ancestors and its domain (``domain_id``), and what those imply. With
    ``domain_specific`` the domain-specific roles held are kept too (a
    trust may delegate them, as in Keystone).
    """
    entries = (_grants(session, user_id, 'project', [project_id], False)
               + _grants(session, user_id, 'project',
                         hierarchy.ancestor_ids(session, project_id), True)
               + _grants(session, user_id, 'domain', [domain_id], True))
    return _effective_ids(session, entries, domain_specific)


def role_ids_on_domain(session, user_id, domain_id):
    """Return the global role ids ``user_id`` holds on a domain itself."""
    return _effective_ids(
        session, _grants(session, user_id, 'domain', [domain_id], False))


def role_ids_on_system(session, user_id):
    """Return the global role ids ``user_id`` holds on the system."""
    return _effective_ids(session, _grants(
        session, user_id, 'system', [models.SYSTEM_TARGET],
        False))


def list_role_assignments(session, role_id=None, user_id=None, group_id=None,
                          system=False, domain_id=None, project_id=None,
                          include_subtree=False, inherited=None,
                          effective=False):
    """Return assignment dicts as ``GET /v3/role_assignments`` lists them.

    ``inherited`` None means inherited and direct grants; ``effective``
    expands groups, inheritance and implied roles (see the module doc).
    """
    project_ids = None
    if project_id is not None:
        project_ids = [project_id]
        if include_subtree:
            project_ids += hierarchy.subtree_ids(session, project_id)
    if effective:
        return _Expansion(session, user_id, project_ids, role_id).run(
            domain_id, inherited)
    return _direct(session, role_id, user_id, group_id, system, domain_id,
                   project_ids, inherited)


def _direct(session, role_id, user_id, group_id, system, domain_id,
            project_ids, inherited):
    """The stored grants matching the filters, unexpanded."""
    actor_kind = 'user' if user_id else 'group' if group_id else None
    actor_ids = [user_id or group_id] if actor_kind else None
    if system:
        targets = [('system', None)]
    elif domain_id is not None:
        targets = [('domain', [domain_id])]
    elif project_ids is not None:
        targets = [('project', project_ids)]
    else:
        targets = [('project', None), ('domain', None)]
        if not inherited:
            targets.append(('system', None))
    found = []
    for target_kind, target_ids in targets:
        found += assignments.list_assignments(
            session, actor_kind, actor_ids, target_kind, target_ids,
            role_id=role_id,
            inherited=False if target_kind == 'system' else inherited)
    return found


class _Expansion:
    """One effective listing: candidate grants, expanded, then filtered."""

    def __init__(self, session, user_id, project_ids, role_id):
        self.session = session
        self.user_id = user_id
        self.project_ids = project_ids
        self.role_id = role_id

    def run(self, domain_id, inherited):
        """Return the effective entries (see list_role_assignments)."""
        if domain_id is not None:
            # A domain itself never receives inherited grants.
            if inherited:
                return []
            inherited = False
        entries = []
        for grant in self._candidates(domain_id, inherited):
            for entry in self._expand_inherited(grant):
                entries.extend(self._expand_group(entry))
        entries = self._add_implied(entries)
        dropped = roles.domain_specific_ids(self.session)
        return [e for e in entries if e['role_id'] not in dropped
                and self.role_id in (None, e['role_id'])]

    def _list(self, target_kind, target_ids, inherited):
        if self.user_id is None:
            return assignments.list_assignments(
                self.session, None, None, target_kind, target_ids,
                inherited=inherited)
        return _grants(self.session, self.user_id, target_kind,
                       target_ids, inherited)

    def _candidates(self, domain_id, inherited):
        """The stored grants that can affect the filtered targets."""
        found = []
        if domain_id is not None:
            return self._list('domain', [domain_id], False)
        if inherited in (False, None):
            kinds = ['project'] if self.project_ids else ['project', 'domain']
            for kind in kinds:
                found += self._list(kind, self.project_ids, False)
        if inherited in (True, None):
            found += self._inherited_candidates()
        return found

    def _inherited_candidates(self):
        if self.project_ids is None:
            return (self._list('project', None, True)
                    + self._list('domain', None, True))
        root = self.project_ids[0]
        project = projects.get_project(self.session, root)
        sources = hierarchy.ancestor_ids(self.session, root)
        if len(self.project_ids) > 1:
            sources += self.project_ids
        return (self._list('domain', [project['domain_id']], True)
                + self._list('project', sources, True))

    def _expand_inherited(self, grant):
        """An inherited grant becomes one entry per project it reaches."""
        if not grant['inherited_to_projects']:
            return [grant]
        source_kind = 'domain' if 'domain_id' in grant else 'project'
        source_id = grant.pop(source_kind + '_id')
        if self.project_ids is not None:
            reached = list(self.project_ids)
            if source_kind == 'project' and source_id in reached:
                reached = hierarchy.subtree_ids(self.session, source_id)
        elif source_kind == 'domain':
            reached = hierarchy.ids_in_domain(self.session, source_id)
        else:
            reached = hierarchy.subtree_ids(self.session, source_id)
        expanded = []
        for reached_id in reached:
            entry = copy.deepcopy(grant)
            entry['project_id'] = reached_id
            entry['inherited_to_projects'] = False
            entry.setdefault('indirect', {})[source_kind + '_id'] = source_id
            expanded.append(entry)
        return expanded

    def _expand_group(self, entry):
        """A group's entry becomes one entry per member (or the user)."""
        if 'group_id' not in entry:
            return [entry]
        members = ([self.user_id] if self.user_id is not None
                   else groups.member_ids(self.session, entry['group_id']))
        expanded = []
        for member_id in members:
            copied = copy.deepcopy(entry)
            group_id = copied.pop('group_id')
            copied['user_id'] = member_id
            copied.setdefault('indirect', {})['group_id'] = group_id
            expanded.append(copied)
        return expanded

    def _add_implied(self, entries):
        """Add an entry per implied role, its prior role as indirect."""
        implications = roles.implications(self.session)
        result = list(entries)
        pending = list(entries)
        while pending:
            entry = pending.pop()
            for implied_id in implications.get(entry['role_id'], ()):
                copied = copy.deepcopy(entry)
                copied['role_id'] = implied_id
                copied.setdefault('indirect', {})['role_id'] = entry[
                    'role_id']
                if copied not in result:
                    result.append(copied)
                    pending.append(copied)
        return result


def projects_for_user(session, user_id, enabled=None):
    """Return the projects where ``user_id`` holds a role, by name.

    ``enabled=True`` keeps only enabled projects of enabled domains.
    """
    ids = {entry['project_id'] for entry in list_role_assignments(
        session, user_id=user_id, effective=True) if 'project_id' in entry}
    found = projects.list_projects(session, ids=ids)
    if enabled:
        live = {d['id'] for d in domains.list_domains(session, enabled=True)}
        found = [p for p in found if p['enabled'] and p['domain_id'] in live]
    return found


def domains_for_user(session, user_id, enabled=None):
    """Return the domains where ``user_id`` holds a role, by name."""
    ids = {entry['domain_id'] for entry in list_role_assignments(
        session, user_id=user_id, effective=True) if 'domain_id' in entry}
    return domains.list_domains(session, ids=ids, enabled=enabled)
