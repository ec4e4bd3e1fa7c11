"""What validation reads, kept per process and keyed on the revision.

Validating a token needs its user and their domain, its scope, the roles
held there (direct, through groups, inherited, implied), the catalog and
the revocation events. All of that changes only when something is written,
and every write moves the database's revision
(:mod:`keystone_like.db.revision`). So each validation reads the revision
(one indexed query) and:

* if it moved, drops every cached scope and catalog and loads just the
  revocation events the new revisions added;
* then answers from what is cached, computing (and keeping) what is not.

A change committed anywhere, by any process or node, is therefore seen by
the next validation everywhere, exactly as if nothing were cached.

Entries computed by a request that read an older revision than the cache
now holds are not kept (a green thread may resume after another moved the
cache on), and a transaction that has written itself bypasses the cache:
what it reads may never commit.
"""

import collections
import datetime

from keystone_like.db import revision
from keystone_like.store import revocations

# Revocation event fields, in the order an event is filed under the first
# one it sets (the audit id, when given, is the most selective).
FIELDS = revocations.FIELDS


class Snapshot:
    """Cached values of one revision, bounded in number (oldest go)."""

    def __init__(self, seen, size):
        self.revision = seen   # (epoch, value)
        self._size = size
        self._entries = collections.OrderedDict()

    def get(self, key, default=None):
        """Return the value cached for ``key``, or ``default``."""
        return self._entries.get(key, default)

    def put(self, key, value):
        """Keep ``value`` for ``key``, dropping the oldest beyond the size."""
        entries = self._entries
        entries[key] = value
        if len(entries) > self._size:
            entries.popitem(last=False)

    def __len__(self):
        return len(self._entries)


class RevocationIndex:
    """Revocation events in memory, filed for lookup by token attribute.

    A token with attributes ``{field: {values}}`` is revoked by an event
    issued at or after it whose every set field names one of the token's
    values. Each event is filed under its first set field, so a lookup
    only looks at events that name one of the token's own values.
    """

    def __init__(self):
        self.revision = -1   # events of revisions up to this are loaded
        self._by_field = {field: {} for field in FIELDS}
        self._count = 0

    def __len__(self):
        return self._count

    def load(self, session, upto):
        """Add the events of revisions after :attr:`revision` up to
        ``upto``."""
        if upto <= self.revision:
            return
        for event in revocations.events_after(session, self.revision, upto):
            self.add(event)
        self.revision = upto

    def add(self, event):
        """File one event dict (as :mod:`store.revocations` returns)."""
        field = next(f for f in FIELDS if event[f] is not None)
        self._by_field[field].setdefault(event[field], []).append(
            (event['issued_before'],
             tuple((f, event[f]) for f in FIELDS if event[f] is not None)))
        self._count += 1

    def prune(self, horizon):
        """Forget events of tokens issued before ``horizon`` (aware UTC)."""
        for buckets in self._by_field.values():
            for value in list(buckets):
                kept = [e for e in buckets[value] if e[0] >= horizon]
                self._count -= len(buckets[value]) - len(kept)
                if kept:
                    buckets[value] = kept
                else:
                    del buckets[value]

    def revokes(self, issued_at, attributes):
        """Whether an event revokes a token issued at ``issued_at`` with
        ``attributes`` (``{field: set of values}``)."""
        for field, values in attributes.items():
            buckets = self._by_field[field]
            for value in values:
                for issued_before, selectors in buckets.get(value, ()):
                    if issued_at <= issued_before and all(
                            v in attributes.get(f, ()) for f, v in selectors):
                        return True
        return False


class ValidationCache:
    """One process's cached scopes, catalogs, token documents and
    revocation events."""

    # What is cached per revision: resolved scopes (or refusals) by
    # (user, project, domain, system); catalogs by (user, project, filter
    # option); token documents, as JSON, by (token, with catalog); the
    # part of a new token's document its user and scope decide, as JSON,
    # by (user, project, domain, system, with catalog).
    KINDS = ('scope', 'catalog', 'body', 'shared')
    # In-memory events are swept of expired ones at most this often.
    _SWEEP_SECONDS = 60

    def __init__(self, size, retention):
        self._size = size
        self._retention = datetime.timedelta(seconds=retention)
        self._revision = (None, -1)
        self._day = None
        self._snapshots = self._new_snapshots()
        self.events = RevocationIndex()
        self._next_sweep = None

    def _new_snapshots(self):
        return {kind: Snapshot(self._revision, self._size)
                for kind in self.KINDS}

    def sync(self, session):
        """Read the revision; move the cache on if it moved. Return the
        revision read, or None when ``session`` must bypass the cache."""
        if revision.pending(session):
            return None
        seen = revision.current(session)
        epoch, value = seen
        held_epoch, held_value = self._revision
        today = datetime.datetime.now(datetime.timezone.utc).date()
        if epoch != held_epoch:
            self.events = RevocationIndex()
        elif value <= held_value and today == self._day:
            # Current, or read before another request moved the cache on.
            return seen
        self._revision = seen
        # A user inactive for too long ([security_compliance]) is disabled
        # from one (UTC) day to the next, without any write.
        self._day = today
        self._snapshots = self._new_snapshots()
        self.events.load(session, value)
        self._sweep()
        return seen

    def get(self, kind, seen, key):
        """Return what is cached of ``kind`` for ``key`` at revision
        ``seen`` (None if nothing, or if ``seen`` is not the cache's)."""
        snapshot = self._snapshots[kind]
        return snapshot.get(key) if seen == snapshot.revision else None

    def keep(self, kind, seen, key, value):
        """Keep ``value``, computed after reading revision ``seen``,
        unless the cache has moved on since."""
        snapshot = self._snapshots[kind]
        if seen == snapshot.revision:
            snapshot.put(key, value)

    def _sweep(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        if self._next_sweep is not None and now < self._next_sweep:
            return
        self._next_sweep = now + datetime.timedelta(
            seconds=self._SWEEP_SECONDS)
        self.events.prune(now - self._retention)
