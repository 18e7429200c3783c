"""Timeline as Timesketch JSONL: one JSON object per line, ready for Timesketch's importer.

Each line has Timesketch's required fields, then our event record (version 2, docs/events.md) beside them:

* ``message`` – one readable line: ``[platform kind] sender: text`` (as the CSV's ``message`` column);
* ``datetime`` – ISO 8601 UTC with milliseconds (our ``timestamp``);
* ``timestamp`` – microseconds since the Unix epoch (Timesketch's meaning of the name, an integer);
* ``timestamp_desc`` – what the time means: "Message Sent", "Call Started", "E-mail Date" ...

Our record's own ``timestamp`` (ISO text) is therefore carried as ``datetime``. ``extra`` holds
source-specific values whose types differ from source to source; Timesketch's search index fixes a
field's type on first sight and rejects later events that disagree, so ``extra`` is written as a
JSON string (``extra_json``). Everything else is our record unchanged. Streams: flat memory.

Timesketch needs a time on every line, so an undated event (the source gives no time) is not
written: it is counted (pass an :class:`~cyberevidence.analysis.undated.UndatedTally`), and the
command line states the count and records it in the export's custody entry (docs/events.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, TextIO

from cyberevidence.analysis.undated import UndatedTally
from cyberevidence.events import Event
from cyberevidence.exporters.record import export_record

#: What the event's time means, by kind (Timesketch's ``timestamp_desc``).
TIMESTAMP_DESC = {
    "message": "Message Sent",
    "call": "Call Started",
    "email": "E-mail Date",
    "post": "Post Created",
    "comment": "Comment Created",
    "reaction": "Reaction Time",
    "friend_request": "Friend Request Sent",
    "connection": "Connection Made",
    "system": "System Event Time",
    "media_metadata": "Content Creation Time",
    "diary": "Diary Entry Time",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def timestamp_desc(kind: str) -> str:
    return TIMESTAMP_DESC.get(kind, f"{kind.replace('_', ' ').capitalize()} Time")


def epoch_micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z, exactly (integer arithmetic, no float rounding)."""
    delta = moment.astimezone(timezone.utc) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def timesketch_message(record: dict[str, Any]) -> str:
    return f"[{record['platform']} {record['kind']}] {record['sender']}: {record['text']}"


def timesketch_record(ev: Event) -> dict[str, Any]:
    """One Timesketch line for a dated event: Timesketch's fields first, then ours."""
    if ev.timestamp is None:
        raise ValueError("Timesketch needs a time: an undated event has no Timesketch line")
    r = export_record(ev)
    out: dict[str, Any] = {
        "message": timesketch_message(r),
        "datetime": r["timestamp"],
        "timestamp": epoch_micros(ev.timestamp),
        "timestamp_desc": timestamp_desc(ev.kind),
    }
    for key, value in r.items():
        if key == "timestamp":
            continue
        if key == "extra":
            out["extra_json"] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            continue
        out[key] = value
    return out


def write_timeline_timesketch(events: Iterable[Event], out: TextIO, *, undated: UndatedTally | None = None) -> int:
    """Write the dated events; undated ones are left out and counted in ``undated``. Returns lines written."""
    n = 0
    for ev in events:
        if ev.timestamp is None:
            if undated is not None:
                undated.add(ev)
            continue
        out.write(json.dumps(timesketch_record(ev), ensure_ascii=False) + "\n")
        n += 1
    return n
