"""Diary entries and markers written in the case (see :mod:`cyberevidence.records`).

Each stored record version becomes one event:

* a diary entry: ``kind="diary"``, ``platform="diary"``, at the time it happened, text = what
  happened, sender ``"victim's diary"`` (it is the victim's own account, never a message),
  ``extra`` holds every field, ``record_id`` and ``record_version``;
* a marker: ``kind="marker"``, ``platform="marker"``, text = "<type>: <note>", with the person,
  platform and account it concerns in ``extra``.

Older versions stay in the index; the timeline shows the latest version of each record and
``seen_in`` style history is read from the records themselves (:meth:`Case.diary_history`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.records import RECORD_FORMAT, DiaryEntry, RecordError, record_from_json

DIARY_SENDER = "victim's diary"


def sniff(source: SourceFile, head: bytes) -> bool:
    return head.lstrip().startswith(b"{") and f'"format":"{RECORD_FORMAT}"'.encode() in head


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    try:
        record = record_from_json(json.loads(source.path.read_bytes()))
    except (ValueError, RecordError) as exc:
        raise ParseError(f"not a readable diary entry or marker: {exc}", file=source.name) from None
    extra = record.to_dict()
    if isinstance(record, DiaryEntry):
        extra |= {"record_id": record.entry_id, "record_version": record.version, "victims_account": True}
        yield Event(
            timestamp=datetime.fromisoformat(record.happened_at_utc.replace("Z", "+00:00")),
            platform="diary",
            kind="diary",
            source=SourceRef(source.sha256, f"diary {record.entry_id} v{record.version}"),
            sender=DIARY_SENDER,
            text=record.what_happened,
            thread=f"diary {record.entry_id}",
            time_note=record.time_note,
            extra=extra,
        )
        return
    extra |= {"record_id": record.marker_id, "record_version": record.version}
    yield Event(
        timestamp=datetime.fromisoformat(record.at_utc.replace("Z", "+00:00")),
        platform="marker",
        kind="marker",
        source=SourceRef(source.sha256, f"marker {record.marker_id} v{record.version}"),
        text=f"{record.marker_type.replace('_', ' ')}" + (f": {record.note}" if record.note else ""),
        thread=record.person,
        time_note=record.time_note,
        extra=extra,
    )


PARSER = ParserInfo(
    name="case_record",
    platform="diary",
    description="Diary entries and markers written in the case with 'cyberevidence diary' / 'marker'",
    formats=("cyberevidence diary entry (JSON)", "cyberevidence marker (JSON)"),
    sniff=sniff,
    parse=parse,
    media_types=("application/json",),
    limits="Only records written by cyberevidence itself; a spreadsheet diary is imported with 'diary import'.",
    priority=10,
)
