"""Timeline output: JSONL (the contract of DESIGN.md §4) and CSV for spreadsheets and Timesketch.

Both stream: memory stays flat however many events there are. An undated event (the source
gives no time) is ``"timestamp": null, "undated": true`` in the JSONL; in the CSV its
``timestamp`` and ``datetime`` cells are empty and ``undated`` is ``true`` (docs/events.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from cyberevidence.events import Event
from cyberevidence.exporters.csv_out import CsvValue, CsvWriter

TIMELINE_CSV_COLUMNS = (
    "event_id",
    "timestamp",
    "undated",
    "time_ambiguous",
    "platform",
    "kind",
    "direction",
    "person",
    "sender",
    "recipients",
    "text",
    "attachments",
    "source_sha256",
    "source_locator",
    "seen_in",
    "thread",
    "call_type",
    "duration_s",
    "edited",
    "deleted",
    "media_omitted",
    "time_note",
    "subject",
    # Timesketch's required columns, so the CSV imports as it is:
    "message",
    "datetime",
    "timestamp_desc",
)


def write_timeline_jsonl(events: Iterable[Event], out: TextIO) -> int:
    n = 0
    for ev in events:
        out.write(json.dumps(ev.to_record(), ensure_ascii=False, sort_keys=False) + "\n")
        n += 1
    return n


def _csv_row(ev: Event) -> list[CsvValue]:
    """One event as a CSV row. Every text goes through the one writer's formula guard."""
    r = ev.to_record()
    subject = str(ev.extra.get("subject", "")) if ev.kind == "email" else ""
    stamp = r["timestamp"] or ""
    return [
        r["event_id"],
        stamp,
        str(ev.undated).lower(),
        str(r["time_ambiguous"]).lower(),
        r["platform"],
        r["kind"],
        r["direction"],
        r["person"],
        r["sender"],
        "; ".join(r["recipients"]),
        r["text"],
        "; ".join(f"{a['name']} ({a['sha256'] or 'not in export'})" for a in r["attachments"]),
        r["source"]["sha256"],
        r["source"]["locator"],
        "; ".join(f"{s['sha256']}:{s['locator']}" for s in r["seen_in"]),
        r.get("thread", ""),
        r.get("call_type", ""),
        r.get("duration_s"),
        str(r.get("edited", False)).lower(),
        str(r.get("deleted", False)).lower(),
        str(r.get("media_omitted", False)).lower(),
        r.get("time_note", ""),
        subject,
        f"[{r['platform']} {r['kind']}] {r['sender']}: " + (f"{subject} | " if subject else "") + r["text"],
        stamp,
        f"{r['platform']} {r['kind']} time",
    ]


def write_timeline_csv(events: Iterable[Event], out: TextIO) -> int:
    """The timeline as CSV (the one dialect of :mod:`cyberevidence.exporters.csv_out`); open files with newline=""."""
    writer = CsvWriter(out, TIMELINE_CSV_COLUMNS)
    for ev in events:
        writer.row(_csv_row(ev))
    return writer.rows
