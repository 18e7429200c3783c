"""The digest of what the index holds for one artefact, recorded in custody and checked by ``verify``.

``index.sqlite`` is derived data, so it is not hashed as a file (SQLite rewrites pages freely).
Instead each ``parse`` custody entry records, for every artefact whose rows that parse wrote or
changed, a digest of exactly those rows; ``verify`` recomputes it. The rule (docs/verification.md,
"The index"):

* an artefact *owns* the ``events`` rows whose ``source_sha256`` is its SHA-256 (the source
  that first gave the event), with the resolution key each names, its own ``event_sources``
  (``seen_in``) rows, the ``event_merges`` rows of the events it owns, its ``warnings`` and its ``parses`` row;
* each row is written as one SQLite ``json_array(...)`` text and a newline, by the queries in
  :data:`DIGEST_QUERIES`, in that order, each in the order its ``ORDER BY`` gives, so the digest
  does not depend on the order rows were inserted, and an expert can recompute it with the
  ``sqlite3`` shell and ``sha256sum``;
* the digest is ``rows:sha256`` – the number of lines and the SHA-256 of all of them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

#: One query per kind of owned row; ``?1`` is the artefact's SHA-256. Keep in step with the docs.
#: An event's line holds its resolution key (the ``resolution_keys`` row its ``rkey`` names, or
#: nulls), so the key the set-based analysis reads is as tamper-evident as the record.
DIGEST_QUERIES: tuple[str, ...] = (
    "SELECT json_array('event', e.event_id, e.timestamp, e.platform, e.kind, e.sender, e.thread, e.record,"
    " k.platform, k.kind, k.sender, k.thread, k.source_sha256, k.facts) FROM events e"
    " LEFT JOIN resolution_keys k ON k.id = e.rkey WHERE e.source_sha256 = ?1 ORDER BY e.event_id",
    "SELECT json_array('seen', event_id, locator) FROM event_sources WHERE sha256 = ?1 ORDER BY event_id, locator",
    "SELECT json_array('merge', m.event_id, m.into_id, m.rule) FROM events e"
    " JOIN event_merges m ON m.event_id = e.event_id WHERE e.source_sha256 = ?1 ORDER BY m.event_id",
    "SELECT json_array('warning', parser, code, message, locator, file) FROM warnings WHERE sha256 = ?1 ORDER BY 1",
    "SELECT json_array('parse', parser, options, event_count, warning_count) FROM parses WHERE sha256 = ?1",
)

#: The events query of an index written before resolution keys (schema 2): such an index keeps
#: the rule its custody digests were recorded by, until ``rebuild`` makes it a keyed one.
UNKEYED_EVENTS_QUERY = (
    "SELECT json_array('event', event_id, timestamp, platform, kind, sender, thread, record)"
    " FROM events WHERE source_sha256 = ?1 ORDER BY event_id"
)

#: Every artefact that owns at least one row (those a verifier must account for).
OWNERS_QUERY = (
    "SELECT source_sha256 FROM events UNION SELECT sha256 FROM event_sources"
    " UNION SELECT sha256 FROM warnings UNION SELECT sha256 FROM parses"
)

#: Merge rows whose merged event is not in the index: they belong to no artefact's digest.
ORPHAN_MERGES_QUERY = "SELECT event_id FROM event_merges WHERE event_id NOT IN (SELECT event_id FROM events)"


@dataclass(frozen=True, slots=True)
class IndexDigest:
    """``rows`` lines hashed to ``sha256``; written in custody as ``"rows:sha256"``."""

    rows: int
    sha256: str

    def to_text(self) -> str:
        return f"{self.rows}:{self.sha256}"

    @classmethod
    def from_text(cls, text: object) -> IndexDigest | None:
        """The digest written by :meth:`to_text`, or None for anything else (a damaged entry)."""
        if not isinstance(text, str) or ":" not in text:
            return None
        rows, _, sha = text.partition(":")
        if not rows.isdigit() or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            return None
        return cls(int(rows), sha)


def artefact_digest(db: sqlite3.Connection, sha256: str) -> IndexDigest:
    """The digest of every row ``sha256`` owns, streamed (memory stays flat)."""
    hasher = hashlib.sha256()
    rows = 0
    saved = db.text_factory
    db.text_factory = bytes  # SQLite's own UTF-8 bytes, never decoded and re-encoded (40 % faster)
    try:
        for query in queries_for(db):
            for (line,) in db.execute(query, (sha256,)):
                hasher.update(line)
                hasher.update(b"\n")
                rows += 1
    finally:
        db.text_factory = saved
    return IndexDigest(rows, hasher.hexdigest())


def queries_for(db: sqlite3.Connection) -> tuple[str, ...]:
    """:data:`DIGEST_QUERIES`, or for an index of schema 2 its own events query in their place."""
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is not None and row[0] in ("2", b"2"):
        return (UNKEYED_EVENTS_QUERY, *DIGEST_QUERIES[1:])
    return DIGEST_QUERIES


def digests_of(db: sqlite3.Connection, owners: Iterable[str]) -> dict[str, str]:
    """``{sha256: "rows:digest"}`` for each owner, in sorted order (for a custody entry)."""
    return {sha: artefact_digest(db, sha).to_text() for sha in sorted(set(owners))}


def owners(db: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in db.execute(OWNERS_QUERY)}
