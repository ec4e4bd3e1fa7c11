"""Pages of lists, as Keystone pages them: ``?limit=`` and ``?marker=``.

A page holds at most ``limit`` entities, ordered by id, whose ids sort
after ``marker`` (the last id of the previous page; an unknown marker is
404 as in Keystone). The limit is the request's ``?limit=``, else the
``list_limit`` of the resource's option group, else ``[DEFAULT]
list_limit``, and never more than ``[DEFAULT] max_db_limit``. A page that
leaves entities out carries ``"truncated": true`` and, in ``links.next``,
the URL of the next page: the same query with ``marker`` set to the last
id shown and ``limit`` to the page size, built as Keystone builds it.

Keystone marks some full pages as truncated when nothing follows them;
here one entity more than the page size is fetched, so ``truncated``
always means that more entities follow.
"""

import urllib.parse

from keystone_like.api import resources
from keystone_like import exceptions
from keystone_like.store import paging

LIMIT = 'limit'
MARKER = 'marker'


def requested_limit(request):
    """Return ``?limit=`` as an int, None when absent or empty; 400 if bad."""
    value = resources.query(request, LIMIT)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise exceptions.ValidationError(
            "Invalid value for query parameter 'limit': expected a whole "
            "number of at least 1.")
    return int(value)


def page_size(request, conf, group=None):
    """Return the page size of this request for the options ``group``.

    Without a group (lists Keystone limits only on request) only
    ``?limit=`` and ``max_db_limit`` count.
    """
    size = requested_limit(request)
    if size is None and group is not None:
        size = conf[group].list_limit or conf.list_limit
    if size is None:
        return conf.max_db_limit
    return min(size, conf.max_db_limit)


class Pager:
    """How one list request is paged: its page size and marker."""

    def __init__(self, request, conf, group=None):
        self.request = request
        self.size = page_size(request, conf, group)
        self.marker = resources.query(request, MARKER) or None

    def page(self):
        """Return the store Page to fetch: one entity more than shown."""
        return paging.Page(limit=self.size + 1, marker=self.marker)

    def select(self, refs):
        """Return the page of ``refs`` (a whole list in memory) to show."""
        refs = sorted(refs, key=lambda ref: ref['id'])
        if self.marker is not None:
            if not any(ref['id'] == self.marker for ref in refs):
                raise paging.marker_not_found(self.marker)
            refs = [ref for ref in refs if ref['id'] > self.marker]
        return refs[:self.size + 1]

    def collection(self, interface, name, refs, path=None):
        """Return the collection document of the fetched ``refs``."""
        shown = refs[:self.size]
        document = resources.collection(self.request, interface, name, shown,
                                        path=path)
        if len(refs) > self.size:
            document['links']['next'] = self._next_url(
                interface, path or name, shown[-1]['id'])
            document['truncated'] = True
        return document

    def _next_url(self, interface, path, last_id):
        arguments = {}
        for key, value in self.request.GET.items():
            arguments.setdefault(key, value)
        arguments[MARKER] = last_id
        arguments[LIMIT] = str(self.size)
        return '%s?%s' % (resources.v3_url(self.request, interface, path),
                          urllib.parse.urlencode(arguments))
