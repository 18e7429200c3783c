"""``index.sqlite``: the derived, rebuildable index of artefacts, events and warnings.

Nothing here is evidence: every row can be recreated from the store and the custody log
(``Case.rebuild``). Each parse of an artefact is written in one transaction, so a crash leaves
either all of its events or none.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cyberevidence.errors import StorageFullError, is_storage_full, storage_full
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.store import reconcile

SCHEMA_VERSION = 3
#: The first schema whose events carry a resolution key (``events.rkey``, see :meth:`Index.add_events`).
KEYED_SCHEMA = 3
#: The SQLite page cache while a transaction writes, and otherwise (SQLite's default), in KiB.
WRITE_CACHE_KIB = 32768
READ_CACHE_KIB = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS artefacts(
  sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT NOT NULL,
  digests TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'evidence');
CREATE TABLE IF NOT EXISTS provenance(
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, how TEXT NOT NULL,
  original_name TEXT NOT NULL DEFAULT '', original_path TEXT NOT NULL DEFAULT '',
  original_mtime TEXT NOT NULL DEFAULT '', parent_sha256 TEXT NOT NULL DEFAULT '',
  path_in_parent TEXT NOT NULL DEFAULT '', acquired_at TEXT NOT NULL, actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '', custody_seq INTEGER NOT NULL,
  UNIQUE(sha256, how, original_path, parent_sha256, path_in_parent));
CREATE INDEX IF NOT EXISTS provenance_sha ON provenance(sha256);
CREATE TABLE IF NOT EXISTS parses(
  sha256 TEXT PRIMARY KEY, parser TEXT NOT NULL, options TEXT NOT NULL,
  event_count INTEGER NOT NULL, warning_count INTEGER NOT NULL, custody_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  event_id TEXT PRIMARY KEY, timestamp TEXT NOT NULL, platform TEXT NOT NULL, kind TEXT NOT NULL,
  sender TEXT NOT NULL, thread TEXT NOT NULL, source_sha256 TEXT NOT NULL, record TEXT NOT NULL, rkey INTEGER);
CREATE TABLE IF NOT EXISTS resolution_keys(
  id INTEGER PRIMARY KEY, platform TEXT NOT NULL, kind TEXT NOT NULL, sender TEXT NOT NULL, thread TEXT NOT NULL,
  source_sha256 TEXT NOT NULL, facts TEXT NOT NULL, UNIQUE(platform, kind, sender, thread, source_sha256, facts));
CREATE INDEX IF NOT EXISTS events_ts ON events(timestamp, event_id, kind, rkey, platform);
CREATE INDEX IF NOT EXISTS events_rkey ON events(rkey);
CREATE INDEX IF NOT EXISTS events_source ON events(source_sha256, event_id);
CREATE TABLE IF NOT EXISTS event_sources(
  event_id TEXT NOT NULL, sha256 TEXT NOT NULL, locator TEXT NOT NULL,
  PRIMARY KEY(event_id, sha256, locator)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_sources_by_source ON event_sources(sha256, event_id, locator);
CREATE TABLE IF NOT EXISTS warnings(
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, parser TEXT NOT NULL, code TEXT NOT NULL,
  message TEXT NOT NULL, locator TEXT NOT NULL, file TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS warnings_sha ON warnings(sha256);
"""

#: Every table and index the schema creates: an index that has them all needs no writes on open.
_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", _SCHEMA + reconcile.SCHEMA))

PROVENANCE_FIELDS = (
    "original_name",
    "original_path",
    "original_mtime",
    "parent_sha256",
    "path_in_parent",
    "note",
)


#: The ``extra`` fields of a resolution key, after direction, recipients and person. They must be
#: the ones person resolution reads (``analysis.contacts.resolver_extra``), which the set-based
#: analysis checks before it reads the stored keys.
KEY_EXTRAS = (
    "from_id", "sender_id", "sender_jid", "sender_username", "author_id", "sender_service_id",
    "person", "chat_id", "chat_type", "chat_jid", "thread_from",
)


class Index:
    """A thin, typed wrapper over the SQLite index. One instance per process."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA synchronous=FULL")
            if not self._schema_ready():
                # Only a new (or older) index is written to on open: opening one whose schema is in
                # place must not wait for the SQLite write lock, which a writer holds for a whole
                # parse, so a reader (timeline, contacts, report) never blocks behind an ``add``.
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(_SCHEMA)
                self.db.executescript(reconcile.SCHEMA)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))
                if "rkey" not in {r[1] for r in self.db.execute("PRAGMA table_info(events)")}:
                    # An index of an older schema keeps its own digest rule (index_digest.py) and is
                    # read by the per-event paths; ``rebuild`` makes it a keyed one.
                    self.db.execute("ALTER TABLE events ADD COLUMN rkey INTEGER")
                self.db.commit()
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        #: Whether every event carries its resolution key (``events.rkey``): the set-based analysis reads it.
        self.keyed = row is not None and str(row[0]).isdigit() and int(row[0]) >= KEYED_SCHEMA
        self._keys: dict[tuple[Any, ...], int] = {}
        self.db.row_factory = sqlite3.Row

    def _schema_ready(self) -> bool:
        """Whether the index is in WAL mode with every table and index of the schema (a read only)."""
        mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
        have = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        return str(mode).lower() == "wal" and have >= _SCHEMA_NAMES

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes. A full disk (in a statement or at the commit) rolls back and is a
        :class:`~cyberevidence.errors.StorageFullError` naming ``index.sqlite``."""
        # A parse writes its rows in one transaction, in random key order (ids are hashes): a page
        # cache of 32 MiB (SQLite's default is 2 MiB) keeps the b-tree pages it revisits. Only
        # while writing: a reader's scans would fill it too, and gain nothing from it.
        self.db.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        try:
            yield self.db
            self.db.commit()
        except BaseException as exc:
            self.db.rollback()
            self._keys.clear()  # ids of resolution keys this transaction added are gone with it
            if isinstance(exc, sqlite3.Error) and is_storage_full(exc):  # SQLite's own; others name their file
                raise storage_full(self.path, exc) from exc
            raise
        finally:
            self.db.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")

    # ---------------------------------------------------------------- artefacts
    def add_artefact(self, sha256: str, size: int, media_type: str, digests: Mapping[str, str], role: str = "evidence") -> None:
        self.db.execute(
            "INSERT INTO artefacts VALUES(?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET digests="
            "json_patch(artefacts.digests, excluded.digests)",
            (sha256, size, media_type, json.dumps(dict(digests), sort_keys=True), role),
        )

    def add_provenance(
        self, sha256: str, how: str, details: Mapping[str, Any], *, acquired_at: str, actor: str, custody_seq: int
    ) -> None:
        values = [str(details.get(f, "")) for f in PROVENANCE_FIELDS]
        self.db.execute(
            "INSERT OR IGNORE INTO provenance(sha256, how, original_name, original_path, original_mtime,"
            " parent_sha256, path_in_parent, note, acquired_at, actor, custody_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
            (sha256, how, *values, acquired_at, actor, custody_seq),
        )

    def artefacts(self) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM artefacts ORDER BY sha256"))

    def provenance(self, sha256: str | None = None) -> list[sqlite3.Row]:
        if sha256 is None:
            return list(self.db.execute("SELECT * FROM provenance ORDER BY custody_seq, id"))
        return list(self.db.execute("SELECT * FROM provenance WHERE sha256=? ORDER BY custody_seq, id", (sha256,)))

    def media_type(self, sha256: str) -> str:
        row = self.db.execute("SELECT media_type FROM artefacts WHERE sha256=?", (sha256,)).fetchone()
        return str(row[0]) if row else ""

    # ---------------------------------------------------------------- parses
    def clear_parse(self, sha256: str) -> set[str]:
        """Forget an earlier (or interrupted) parse of ``sha256`` before parsing it again.

        Returns the other artefacts whose owned rows this changed (their index digests must be
        recorded again; see :mod:`.index_digest`).
        """
        db = self.db
        touched: set[str] = set()
        # Only a parse that gave events can leave orphans; the sweep reads every event, so it is
        # skipped otherwise (a first parse, a photo without events), or each of a thousand media
        # files would cost a scan of the whole timeline.
        had_events = db.execute("SELECT 1 FROM event_sources WHERE sha256=? LIMIT 1", (sha256,)).fetchone() is not None
        db.execute("DELETE FROM event_sources WHERE sha256=?", (sha256,))
        if had_events:
            orphans = "FROM events WHERE event_id NOT IN (SELECT event_id FROM event_sources)"
            touched.update(str(r[0]) for r in db.execute(f"SELECT DISTINCT source_sha256 {orphans}"))
            db.execute(f"DELETE {orphans}")
            touched.update(
                str(r[0])
                for r in db.execute(
                    "SELECT DISTINCT e.source_sha256 FROM event_merges m JOIN events e ON e.event_id = m.event_id"
                    " WHERE m.into_id NOT IN (SELECT event_id FROM events)"
                )
            )
            reconcile.forget(db)
        db.execute("DELETE FROM warnings WHERE sha256=?", (sha256,))
        db.execute("DELETE FROM parses WHERE sha256=?", (sha256,))
        touched.discard(sha256)
        return touched

    # ---------------------------------------------------------------- pending custody line
    def set_pending_custody(self, line: bytes) -> None:
        """Keep the custody line that describes this transaction's rows, inside the transaction.

        Should the process die after the commit but before the line reaches ``custody.jsonl``,
        the next writer appends exactly this line (see ``Case._recover``), and ``verify`` reports
        the interruption instead of calling the index forged.
        """
        self.db.execute("INSERT OR REPLACE INTO meta VALUES('pending_custody', ?)", (line.decode("utf-8"),))

    def pending_custody(self) -> bytes:
        row = self.db.execute("SELECT value FROM meta WHERE key='pending_custody'").fetchone()
        return str(row[0]).encode("utf-8") if row else b""

    def clear_pending_custody(self) -> None:
        self.db.execute("DELETE FROM meta WHERE key='pending_custody'")

    # ---------------------------------------------------------------- the manifest last written
    def set_manifest_written(self, sha256: str) -> None:
        """Remember the SHA-256 of the ``manifest.json`` bytes this tool just wrote (a cache only).

        An export may then advance just that manifest's custody head (``Case.record_export``);
        a manifest on disk with any other bytes is rebuilt in full instead.
        """
        sql = "INSERT OR REPLACE INTO meta VALUES('manifest_sha256', ?)"
        if self.db.in_transaction:  # part of the caller's transaction: never commit its rows early
            self.db.execute(sql, (sha256,))
            return
        # A cache that cannot be written (a read-only or full disk) only costs the next export a
        # full rebuild: the SHA-256 kept is then an older manifest's, which the one on disk is not.
        with contextlib.suppress(sqlite3.Error, StorageFullError), self.transaction():
            self.db.execute(sql, (sha256,))

    def manifest_written(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key='manifest_sha256'").fetchone()
        return str(row[0]) if row else ""

    def add_events(self, events: Iterable[Event]) -> int:
        """Insert events; an event already present (same id) only gains a ``seen_in`` source.

        One ``executemany`` per table for the whole batch, rows in the batch's order (the same
        rows, and the same first-wins ``INSERT OR IGNORE``, as one statement per event).
        """
        batch = list(events)
        reconcile.add_keys(self.db, batch)
        dumps = json.dumps
        rkey = self._resolution_key
        self.db.executemany(
            "INSERT OR IGNORE INTO events VALUES(?,?,?,?,?,?,?,?,?)",
            [
                (ev.event_id, ev.timestamp_utc, ev.platform, ev.kind, ev.sender, ev.thread, ev.source.sha256,
                 dumps(ev.to_record(), ensure_ascii=False, sort_keys=True), rkey(ev))
                for ev in batch
            ],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO event_sources VALUES(?,?,?)",
            [(ev.event_id, ev.source.sha256, ev.source.locator) for ev in batch],
        )
        return len(batch)

    def _resolution_key(self, ev: Event) -> int:
        """The id of the event's resolution key: platform, kind, sender, thread, source artefact and
        the facts person resolution reads (:data:`KEY_FACTS`), stored once per distinct key."""
        extra = ev.extra
        values = [ev.direction, ev.recipients, ev.person, *(extra.get(k) for k in KEY_EXTRAS)]
        plain = all(v is None or type(v) is str for v in values[3:]) and all(type(r) is str for r in ev.recipients)
        facts = None if plain else json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        # Strings compare only with strings, so plain values are their own cache key; any other
        # value is keyed by its JSON text (True is not 1 here, as it is in a Python dict).
        cache = (ev.platform, ev.kind, ev.sender, ev.thread, ev.source.sha256, *values[:1], tuple(ev.recipients),
                 *values[2:]) if plain else (ev.platform, ev.kind, ev.sender, ev.thread, ev.source.sha256, facts)
        found = self._keys.get(cache)
        if found is None:
            if facts is None:
                facts = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
            row = (ev.platform, ev.kind, ev.sender, ev.thread, ev.source.sha256, facts)
            self.db.execute("INSERT OR IGNORE INTO resolution_keys(platform, kind, sender, thread, source_sha256, facts)"
                            " VALUES(?,?,?,?,?,?)", row)
            found = int(self.db.execute("SELECT id FROM resolution_keys WHERE platform=? AND kind=? AND sender=?"
                                        " AND thread=? AND source_sha256=? AND facts=?", row).fetchone()[0])
            self._keys[cache] = found
        return found

    def has_event_source(self, event_id: str, sha256: str) -> bool:
        """Whether ``sha256`` already gave an event with this id (an identical earlier line)."""
        sql = "SELECT 1 FROM event_sources WHERE event_id=? AND sha256=? LIMIT 1"
        return self.db.execute(sql, (event_id, sha256)).fetchone() is not None

    def reconcile(self, sha256: str) -> tuple[int, set[str]]:
        """Merge coarse-precision events of ``sha256`` with finer twins (see :mod:`.reconcile`).

        Returns the number of merges and the artefacts owning the merged events.
        """
        merged = reconcile.reconcile(self.db, sha256)
        owners = {str(r[0]) for r in self.db.execute(
            "SELECT DISTINCT e.source_sha256 FROM event_merges m JOIN events e ON e.event_id = m.event_id"
            " WHERE m.into_id IN (SELECT event_id FROM event_sources WHERE sha256 = ?1)"
            " OR m.event_id IN (SELECT event_id FROM event_sources WHERE sha256 = ?1)", (sha256,))} if merged else set()
        return merged, owners

    def add_warning(self, sha256: str, parser: str, warning: ParseWarning) -> None:
        self.db.execute(
            "INSERT INTO warnings(sha256, parser, code, message, locator, file) VALUES(?,?,?,?,?,?)",
            (sha256, parser, warning.code, warning.message, warning.locator, warning.file),
        )

    def record_parse(
        self, sha256: str, parser: str, options: Mapping[str, Any], events: int, warnings: int, custody_seq: int
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO parses VALUES(?,?,?,?,?,?)",
            (sha256, parser, json.dumps(dict(options), sort_keys=True), events, warnings, custody_seq),
        )

    def parses(self) -> dict[str, sqlite3.Row]:
        return {r["sha256"]: r for r in self.db.execute("SELECT * FROM parses")}

    def event_counts(self) -> dict[str, int]:
        """Events per source artefact (counting every source an event was seen in)."""
        return {r[0]: r[1] for r in self.db.execute("SELECT sha256, COUNT(*) FROM event_sources GROUP BY sha256")}

    # ---------------------------------------------------------------- queries
    def iter_events(
        self, *, since: str = "", until: str = "", platforms: Iterable[str] = (), record_contains: Iterable[str] = ()
    ) -> Iterator[Event]:
        """Events in timestamp order, each with every source it was seen in. Streams from SQLite.

        One statement reads the timeline: each event's sightings (its own ``event_sources`` rows
        and those of every event merged into it) come with its row as one JSON array, gathered by
        SQLite from the ``event_sources`` primary key, never by a query per event from Python.
        ``since``/``until`` compare as text. Undated events (``timestamp = ''``) come after every
        dated one, by event id, and a ``since`` or ``until`` bound leaves them out (docs/events.md
        "Undated events"); each part is one statement read in index order. ``record_contains``:
        only events whose stored record holds one of these strings (ASCII letters in any case,
        SQLite's ``LIKE``), a prefilter that spares decoding records a reader would skip.
        """
        # The union with merged twins' sources is only gathered for an event that has twins: the
        # EXISTS is one probe of event_merges_into, and the plain case half the work per event.
        sql = (
            "SELECT e.record, CASE WHEN EXISTS (SELECT 1 FROM event_merges WHERE into_id = e.event_id) THEN"
            " (SELECT json_group_array(json_array(s.sha256, s.locator)) FROM ("
            "SELECT sha256, locator FROM event_sources WHERE event_id = e.event_id UNION ALL"
            " SELECT o.sha256, o.locator FROM event_merges m JOIN event_sources o ON o.event_id = m.event_id"
            " WHERE m.into_id = e.event_id) AS s)"
            " ELSE (SELECT json_group_array(json_array(sha256, locator)) FROM event_sources WHERE event_id = e.event_id)"
            " END FROM events e"
            " WHERE e.event_id NOT IN (SELECT event_id FROM event_merges)"
        )
        args: list[Any] = []
        if since:
            sql += " AND e.timestamp >= ?"
            args.append(since)
        if until:
            sql += " AND e.timestamp < ?"
            args.append(until)
        plats = list(platforms)
        if plats:
            sql += f" AND e.platform IN ({','.join('?' * len(plats))})"
            args += plats
        hints = [h for h in record_contains if h]
        if hints:
            sql += " AND (" + " OR ".join("e.record LIKE ? ESCAPE '\\'" for _ in hints) + ")"
            args += ["%" + re.sub(r"([\\%_])", r"\\\1", h) + "%" for h in hints]
        statements = [sql + " AND e.timestamp > '' ORDER BY e.timestamp, e.event_id"]
        if not since and not until:
            statements.append(sql + " AND e.timestamp = '' ORDER BY e.event_id")
        loads = json.loads
        for record, seen in (row for statement in statements for row in self.db.execute(statement, args)):
            ev = Event.from_record(loads(record))
            pairs = loads(seen)
            if len(pairs) > 1:
                pairs.sort()  # (sha256, locator) in code-point order: SQLite's BINARY order of UTF-8
            ev.seen_in = [SourceRef(sha, loc) for sha, loc in pairs]
            yield ev

    def contact_hours(self, kinds: Iterable[str]) -> Iterator[tuple[str, int]]:
        """The distinct UTC hours (``YYYY-MM-DDTHH``) of dated timeline events of ``kinds``, and the
        number of their timestamps not in this tool's form (``…:SSZ`` or ``…:SS.fffZ``)."""
        kind_list = list(kinds)
        sql = (
            "SELECT substr(timestamp, 1, 13), SUM(length(timestamp) NOT IN (20, 24)) FROM events"
            f" WHERE timestamp IS NOT NULL AND timestamp != '' AND kind IN ({','.join('?' * len(kind_list))})"
            " AND event_id NOT IN (SELECT event_id FROM event_merges) GROUP BY 1"
        )
        for hour, odd in self.db.execute(sql, kind_list):
            yield str(hour), int(odd)

    def contact_keys(self, kinds: Iterable[str]) -> Iterator[tuple[int, tuple[str, str, str, str, str, str]]]:
        """Every stored resolution key of ``kinds``: (id, (platform, kind, sender, thread, source
        artefact, facts)), where facts is one JSON array of direction, recipients, person and the
        :data:`KEY_EXTRAS` fields. A keyed index only (:attr:`keyed`); keys no event uses any more
        (after a re-parse) are harmless: they match no row of :meth:`contact_groups`."""
        kind_list = list(kinds)
        sql = (
            "SELECT id, platform, kind, sender, thread, source_sha256, facts FROM resolution_keys"
            f" WHERE kind IN ({','.join('?' * len(kind_list))})"
        )
        for row in self.db.execute(sql, kind_list):
            yield int(row[0]), (str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]))

    def key_senders(self) -> dict[int, str]:
        """The sender of each resolution key, by key id (a keyed index only)."""
        return {int(r[0]): str(r[1]) for r in self.db.execute("SELECT id, sender FROM resolution_keys")}

    @contextmanager
    def _offsets(self, offsets: Iterable[tuple[str, int, str, int]]) -> Iterator[None]:
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.contact_offsets")
        db.execute("CREATE TEMP TABLE contact_offsets(hour TEXT PRIMARY KEY, off INTEGER, at TEXT, off2 INTEGER)")
        try:
            db.executemany("INSERT INTO temp.contact_offsets VALUES(?,?,?,?)", offsets)
            yield
        finally:
            db.execute("DROP TABLE IF EXISTS temp.contact_offsets")

    #: The local time of ``e.timestamp`` as SQLite date-time modifiers, from ``temp.contact_offsets``.
    _LOCAL = "e.timestamp, (CASE WHEN z.at != '' AND e.timestamp >= z.at THEN z.off2 ELSE z.off END) || ' seconds'"

    def contact_groups(
        self, kinds: Iterable[str], offsets: Iterable[tuple[str, int, str, int]], label: str
    ) -> Iterator[tuple[int | None, str, int]]:
        """Dated timeline events of ``kinds`` counted per (resolution key id, local period), in SQL.

        ``offsets`` gives, per UTC hour ``YYYY-MM-DDTHH``, the zone's UTC offset in seconds and,
        when it changes within that hour, the instant ``YYYY-MM-DDTHH:MM:SS`` it changes and the
        offset from then on. The period is ``strftime(label)`` of the local time. Merged twins
        are left out as on the timeline; undated events (an empty timestamp) are in no period.
        The caller checks that every timestamp is in this tool's form (:meth:`contact_hours`).
        A keyed index only; an event without a key (never written so) comes with the id None.
        """
        kind_list = list(kinds)
        sql = (
            f"SELECT e.rkey, strftime(?, {self._LOCAL}) AS p, COUNT(*)"
            " FROM events e JOIN temp.contact_offsets z ON z.hour = substr(e.timestamp, 1, 13)"
            " WHERE e.event_id NOT IN (SELECT event_id FROM event_merges) AND e.timestamp != ''"
            f" AND e.kind IN ({','.join('?' * len(kind_list))}) GROUP BY 1, 2"
        )
        cur = self.db.cursor()
        cur.row_factory = None
        with self._offsets(offsets):
            for rkey, period, n in cur.execute(sql, [label, *kind_list]):
                yield (None if rkey is None else int(rkey)), str(period), int(n)

    def contact_rows(
        self,
        kinds: Iterable[str],
        offsets: Iterable[tuple[str, int, str, int]],
        keys: Iterable[tuple[int, int, int]],
        *,
        text_kinds: Iterable[str] = (),
        text_filter: Callable[[str], bool] | None = None,
    ) -> Iterator[tuple[int, str, str, str, str, int | None, int | None, int | None, int, str | None]]:
        """The timeline events of ``kinds`` whose resolution key is one of ``keys``, in timeline order.

        ``keys`` gives (key id, tag, wants): ``wants`` 0 for no text, 1 for the text of events of
        ``text_kinds``, 2 for the dated events whose text passes ``text_filter`` only (with their
        text). Each row is (tag, timestamp, event_id, platform, kind, local day as a proleptic
        Gregorian ordinal (``date.toordinal``), local hour, UTC milliseconds since 1970, 1 for a
        missed call else 0, text or None); the day, hour and milliseconds are None for an undated
        event (and for a time SQLite cannot read). Dated
        events come first (by timestamp, then id), then undated ones by id, as :meth:`iter_events`
        gives them; ``offsets`` is as for :meth:`contact_groups`. A keyed index only.
        """
        kind_list, text_list = list(kinds), list(text_kinds)
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.contact_keys")
        db.execute("CREATE TEMP TABLE contact_keys(id INTEGER PRIMARY KEY, tag INTEGER, wants INTEGER)")
        db.create_function("ce_text_filter", 1, lambda t: bool(text_filter and isinstance(t, str) and text_filter(t)),
                           deterministic=True)
        try:
            db.executemany("INSERT OR REPLACE INTO temp.contact_keys VALUES(?,?,?)", keys)
            kinds_in = ",".join("?" * len(kind_list))
            texts_in = ",".join("?" * len(text_list)) or "NULL"
            join = " FROM events e JOIN temp.contact_keys t ON t.id = e.rkey"
            missed = (
                "(e.kind = 'call' AND (coalesce(json_extract(e.record, '$.call_type') IN ('missed', 'rejected', 'blocked'), 0)"
                " OR coalesce(json_type(e.record, '$.extra.missed') = 'true', 0)))"
            )
            text = (
                f"CASE WHEN t.wants = 2 OR (t.wants = 1 AND e.kind IN ({texts_in}))"
                " THEN json_extract(e.record, '$.text') END"
            )
            where = f" WHERE e.event_id NOT IN (SELECT event_id FROM event_merges) AND e.kind IN ({kinds_in})"
            dated = (
                # Julian day numbers start at noon: + 0.5 and truncated is the local date's day
                # number, and 1721425 less the ordinal Python's date.toordinal gives.
                f"SELECT t.tag, e.timestamp, e.event_id, e.platform, e.kind,"
                f" CAST(julianday({self._LOCAL}) + 0.5 AS INTEGER) - 1721425,"
                f" CAST(strftime('%H', {self._LOCAL}) AS INTEGER),"
                " CAST(round((julianday(e.timestamp) - 2440587.5) * 86400000.0) AS INTEGER),"
                f" {missed}, {text}{join}"
                " JOIN temp.contact_offsets z ON z.hour = substr(e.timestamp, 1, 13)"
                f"{where} AND e.timestamp > '' AND (t.wants != 2 OR ce_text_filter(json_extract(e.record, '$.text')))"
                " ORDER BY e.timestamp, e.event_id"
            )
            undated = (
                f"SELECT t.tag, e.timestamp, e.event_id, e.platform, e.kind, NULL, NULL, NULL, {missed}, NULL{join}"
                f"{where} AND e.timestamp = '' AND t.wants != 2 ORDER BY e.event_id"
            )
            cur = db.cursor()
            cur.row_factory = None  # plain tuples: a row object per event costs more than the row
            with self._offsets(offsets):
                yield from cur.execute(dated, [*text_list, *kind_list])
            yield from cur.execute(undated, kind_list)
        finally:
            db.execute("DROP TABLE IF EXISTS temp.contact_keys")

    def threads(self) -> dict[str, set[str]]:
        """Senders seen in each (platform, thread), to find a 1:1 chat's other party."""
        out: dict[str, set[str]] = {}
        # A keyed index answers from its resolution keys (one per distinct sender and thread, each
        # still named by an event), not from a scan of every event.
        sql = (
            "SELECT DISTINCT platform, thread, sender FROM resolution_keys k WHERE sender != ''"
            " AND EXISTS (SELECT 1 FROM events e WHERE e.rkey = k.id)"
            if self.keyed else "SELECT DISTINCT platform, thread, sender FROM events WHERE sender != ''"
        )
        for platform, thread, sender in self.db.execute(sql):
            out.setdefault(f"{platform}\x1f{thread}", set()).add(sender)
        return out

    def first_seen(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(platform, sender) -> (first timestamp, that event's id), for identity suggestions."""
        sql = (
            "SELECT platform, sender, MIN(timestamp), event_id FROM events WHERE sender != '' AND timestamp != ''"
            " AND kind NOT IN ('diary', 'marker') GROUP BY platform, sender"
        )
        return {(r[0], r[1]): (r[2], r[3]) for r in self.db.execute(sql)}

    def contact_names(self) -> dict[tuple[str, str], str]:
        """(platform, sender) -> the one contact name the source's phone gave that sender (``extra.contact_name``),
        for identity suggestions; a sender given two different names is left out."""
        sql = (
            "SELECT platform, sender, MIN(n) FROM (SELECT platform, sender, json_extract(record, '$.extra.contact_name') AS n"
            " FROM events WHERE sender != '' AND kind NOT IN ('diary', 'marker')) WHERE n IS NOT NULL AND n != ''"
            " GROUP BY platform, sender HAVING COUNT(DISTINCT n) = 1"
        )
        return {(r[0], r[1]): str(r[2]) for r in self.db.execute(sql)}

    def warnings(self) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM warnings ORDER BY id"))

    def event_count(self) -> int:
        """Distinct events on the timeline (merged twins counted once)."""
        sql = "SELECT COUNT(*) FROM events WHERE event_id NOT IN (SELECT event_id FROM event_merges)"
        return int(self.db.execute(sql).fetchone()[0])
