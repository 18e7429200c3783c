"""Merging the same message seen at different time precisions (a txt export and a database).

Exact dedupe is by event id (platform, kind, thread, sender, text, time, occurrence): two exports
of one chat, or the same file added twice, give the same ids and so one event with every
``seen_in``. A WhatsApp ``.txt`` export says "14/03/2025, 19:02" (minute precision, local time)
while the phone's database says 19:02:37.412 UTC, and the two name the thread and sender
differently. Their ids differ, so this second, stated rule links them:

1. Only events whose parser declared a coarse precision (``extra.time_precision`` =
   ``"minute"`` or ``"second"``) are matched, and only against *finer* events of the same
   platform and kind from another artefact.
2. They must fall in the same UTC minute (or second) and have the same normalised text (NFC,
   whitespace collapsed, case folded). Empty texts (media-only, calls) are never matched.
3. Short texts ("ok", "yes") match only when the normalised thread names are also equal;
   texts of 8 characters or more match on text and time alone.
4. Within one bucket (platform, kind, minute, text) the coarse events of one artefact are paired
   with the finer events in time order, and only when both sides have the same count. Unequal
   counts are left unmerged (both stay on the timeline), so "Please stop." sent twice is never
   collapsed into one, and nothing is merged on a guess.

A merged coarse event disappears from the timeline; the finer event lists the coarse one's
sources in ``seen_in``. Merges are derived data in the index: recomputed on rebuild, never
touching evidence.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

from cyberevidence.events import Event

SHORT_TEXT = 8
_SPACES = re.compile(r"\s+")
_RANK = {"minute": 2, "second": 1, "exact": 0}

SCHEMA = """
CREATE TABLE IF NOT EXISTS event_keys(
  event_id TEXT PRIMARY KEY, platform TEXT NOT NULL, kind TEXT NOT NULL, minute TEXT NOT NULL,
  textkey TEXT NOT NULL, threadkey TEXT NOT NULL, precision TEXT NOT NULL, timestamp TEXT NOT NULL,
  source_sha256 TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_keys_bucket ON event_keys(platform, kind, minute, textkey);
CREATE INDEX IF NOT EXISTS event_keys_sha ON event_keys(source_sha256);
CREATE TABLE IF NOT EXISTS event_merges(
  event_id TEXT PRIMARY KEY, into_id TEXT NOT NULL, rule TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_merges_into ON event_merges(into_id);
"""


def text_key(text: str) -> str:
    """NFC, whitespace runs as one space, trimmed, case-folded. ``str.split()`` splits on exactly
    the characters ``\\s`` matches (both use ``str.isspace``); ASCII is already NFC."""
    return " ".join((text if text.isascii() else unicodedata.normalize("NFC", text)).split()).casefold()


@functools.lru_cache(maxsize=4096)
def thread_key(thread: str) -> str:
    """Thread names compared loosely: a phone number by its digits, a name case-folded."""
    digits = re.sub(r"\D", "", thread.split("@", 1)[0])
    if len(digits) >= 7 and not re.search(r"[^\d\s+()\-.@a-z]", thread.lower()):
        return digits[-9:]
    return _SPACES.sub(" ", thread).strip().casefold()


def add_keys(db: sqlite3.Connection, events: Iterable[Event]) -> None:
    rows = []
    for ev in events:
        if ev.timestamp is None:
            continue  # undated: no minute to share with a twin, so never merged (docs/events.md)
        stamp = ev.timestamp_utc
        precision = str(ev.extra.get("time_precision", "exact"))
        rows.append(
            (ev.event_id, ev.platform, ev.kind, stamp[:16], text_key(ev.text), thread_key(ev.thread), precision, stamp,
             ev.source.sha256)
        )
    db.executemany("INSERT OR IGNORE INTO event_keys VALUES(?,?,?,?,?,?,?,?,?)", rows)


def forget(db: sqlite3.Connection) -> None:
    """Drop keys and merges of events that no longer exist (after a re-parse cleared them)."""
    db.execute("DELETE FROM event_keys WHERE event_id NOT IN (SELECT event_id FROM events)")
    db.execute(
        "DELETE FROM event_merges WHERE event_id NOT IN (SELECT event_id FROM events)"
        " OR into_id NOT IN (SELECT event_id FROM events)"
    )


def reconcile(db: sqlite3.Connection, sha256: str) -> int:
    """Apply the rule to every bucket that holds an event of artefact ``sha256``; returns new merges."""
    # Only buckets that also hold an event of another artefact can merge (rule 1), so only those
    # are visited, and they are streamed: memory stays flat however many events the artefact has.
    buckets = db.execute(
        "SELECT DISTINCT k.platform, k.kind, k.minute, k.textkey FROM event_keys k"
        " WHERE k.source_sha256=? AND k.textkey != '' AND EXISTS (SELECT 1 FROM event_keys o"
        " WHERE o.platform=k.platform AND o.kind=k.kind AND o.minute=k.minute AND o.textkey=k.textkey"
        " AND o.source_sha256 != k.source_sha256)",
        (sha256,),
    )
    merged = 0
    for platform, kind, minute, textkey in buckets:
        rows = db.execute(
            "SELECT k.event_id, k.precision, k.timestamp, k.threadkey, k.source_sha256 FROM event_keys k"
            " WHERE k.platform=? AND k.kind=? AND k.minute=? AND k.textkey=?"
            " AND k.event_id NOT IN (SELECT event_id FROM event_merges) ORDER BY k.timestamp, k.event_id",
            (platform, kind, minute, textkey),
        ).fetchall()
        if len(rows) < 2:
            continue
        merged += _merge_bucket(db, rows, len(textkey) >= SHORT_TEXT)
    return merged


def _merge_bucket(db: sqlite3.Connection, rows: list[sqlite3.Row], long_text: bool) -> int:
    merged = 0
    groups: dict[tuple[str, str, str], list[tuple[str, ...]]] = {}
    for row in rows:
        precision = row[1]
        if precision in ("minute", "second"):
            width = 16 if precision == "minute" else 19
            groups.setdefault((row[4], precision, row[2][:width]), []).append(tuple(row))
    for (source, precision, moment), coarse in groups.items():
        width = len(moment)
        finer = [
            tuple(r) for r in rows if r[4] != source and _RANK.get(r[1], 0) < _RANK[precision] and r[2][:width] == moment
        ]
        same_thread = [r for r in finer if r[3] == coarse[0][3]]
        candidates = same_thread if same_thread or not long_text else finer
        if not candidates or len(candidates) != len(coarse):
            continue
        for c, f in zip(coarse, candidates, strict=True):
            how = "same thread" if c[3] == f[3] else f"text of {SHORT_TEXT}+ characters"
            rule = f"same text in the same UTC {precision} ({how})"
            db.execute("INSERT OR IGNORE INTO event_merges VALUES(?,?,?)", (c[0], f[0], rule))
            merged += 1
    return merged
