"""Timeline output: JSONL (the version-2 record of :mod:`cyberevidence.exporters.record`) and CSV.

Both stream: memory stays flat however many events there are. Every record has every field and
every timestamp has milliseconds (docs/events.md). An undated event (the source gives no time) is
``"timestamp": null, "undated": true`` in the JSONL; in the CSV its ``timestamp``, ``local_time``
and ``datetime`` cells are empty and ``undated`` is ``true``.

The CSV adds ``local_time`` (the instant in the case's zone, ISO 8601 with the offset then in
force, so a time in a DST fold is never ambiguous) and ``timezone`` (the zone's name), and
Timesketch's ``message``/``datetime``/``timestamp_desc`` so it imports as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any, TextIO

from cyberevidence.events import Event
from cyberevidence.exporters.csv_out import CsvValue, CsvWriter
from cyberevidence.exporters.record import export_record

TIMELINE_CSV_COLUMNS = (
    "event_id",
    "timestamp",
    "local_time",
    "timezone",
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
    """One version-2 record per line (UTF-8 as written, no ASCII escapes); the number of lines."""
    n = 0
    dumps = json.dumps
    for ev in events:
        out.write(dumps(export_record(ev), ensure_ascii=False) + "\n")
        n += 1
    return n


def zone_name(tz: tzinfo) -> str:
    """The zone's IANA name (``Europe/London``), or its fixed name (``UTC``)."""
    return str(getattr(tz, "key", None) or tz.tzname(None) or tz)


def local_time(ev: Event, tz: tzinfo) -> str:
    """The instant in ``tz``, ISO 8601 with milliseconds and the offset in force; ``""`` when undated."""
    if ev.timestamp is None:
        return ""
    return ev.timestamp.astimezone(tz).isoformat(timespec="milliseconds")


def _flag(value: Any) -> str:
    return "true" if value else "false"


def _csv_row(ev: Event, tz: tzinfo, tz_name: str) -> list[CsvValue]:
    """One event as a CSV row. Every text goes through the one writer's formula guard."""
    r = export_record(ev)
    subject = str(ev.extra.get("subject", "")) if ev.kind == "email" else ""
    stamp = r["timestamp"] or ""
    return [
        r["event_id"],
        stamp,
        local_time(ev, tz),
        tz_name,
        _flag(r["undated"]),
        _flag(r["time_ambiguous"]),
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
        r["thread"],
        r["call_type"],
        r["duration_s"],
        _flag(r["edited"]),
        _flag(r["deleted"]),
        _flag(r["media_omitted"]),
        r["time_note"],
        subject,
        f"[{r['platform']} {r['kind']}] {r['sender']}: " + (f"{subject} | " if subject else "") + r["text"],
        stamp,
        f"{r['platform']} {r['kind']} time",
    ]


def write_timeline_csv(events: Iterable[Event], out: TextIO, *, tz: tzinfo, excel: bool = False) -> int:
    """The timeline as CSV (the dialect of :mod:`cyberevidence.exporters.csv_out`); open files with newline="".

    ``tz`` is the case's zone, for the ``local_time`` and ``timezone`` columns. ``excel`` starts
    the file with a UTF-8 byte-order mark, so that Excel opened by double-click reads UTF-8.
    """
    writer = CsvWriter(out, TIMELINE_CSV_COLUMNS, bom=excel)
    name = zone_name(tz)
    for ev in events:
        writer.row(_csv_row(ev, tz, name))
    return writer.rows
