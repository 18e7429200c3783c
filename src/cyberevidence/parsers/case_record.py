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
from dataclasses import fields
from datetime import datetime, timezone

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.records import RECORD_FORMAT, DiaryEntry, Marker, RecordError, record_from_json

DIARY_SENDER = "victim's diary"


def sniff(source: SourceFile, head: bytes) -> bool:
    return head.lstrip().startswith(b"{") and f'"format":"{RECORD_FORMAT}"'.encode() in head


def _utc(value: str, source: SourceFile, field_name: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(f"{field_name} is not an ISO 8601 time: {value[:80]!r}", file=source.name, locator=field_name) from None
    if when.tzinfo is None:
        raise ParseError(f"{field_name} has no UTC offset: {value[:80]!r}", file=source.name, locator=field_name)
    return when.astimezone(timezone.utc)


def _check_types(record: DiaryEntry | Marker, source: SourceFile) -> None:
    """A hand-edited or damaged record: every field is text, except ``version`` (a whole number)."""
    for f in fields(record):
        value = getattr(record, f.name)
        expected: type = int if f.name == "version" else str
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError(
                    f"field {f.name!r} holds a lone surrogate escape (\\ud800-\\udfff), not text",
                    file=source.name,
                    locator=f"record.{f.name}",
                ) from None
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ParseError(
                f"field {f.name!r} should be {'a whole number' if expected is int else 'text'}, not {type(value).__name__}",
                file=source.name,
                locator=f"record.{f.name}",
            )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    try:
        data = json.loads(source.path.read_bytes())
        if not isinstance(data, dict):
            raise RecordError("the file is not a JSON object")
        record = record_from_json(data)
    except (ValueError, RecordError, RecursionError) as exc:
        raise ParseError(f"not a readable diary entry or marker: {exc}", file=source.name) from None
    _check_types(record, source)
    extra = record.to_dict()
    if isinstance(record, DiaryEntry):
        extra |= {"record_id": record.entry_id, "record_version": record.version, "victims_account": True}
        yield Event(
            timestamp=_utc(record.happened_at_utc, source, "record.happened_at_utc"),
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
        timestamp=_utc(record.at_utc, source, "record.at_utc"),
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
    platforms=("diary", "marker"),
    case_records=True,
    fixtures=("case_record/*.json",),
    strength=Strength.SELF_DECLARED,
)
