"""The exported event record, version 2: the one declaration every machine format is made from.

Why one declaration: a script, pandas, DuckDB or Spark must see the same fields with the same
types whichever file it reads, so the JSONL writer, the Parquet (Arrow) schema, the pandas frame
and the JSON Schema (``schemas/event.schema.json``) are all derived from :data:`EVENT_FIELDS`
and nothing else (docs/events.md, "Versions").

Version 2 is a fixed shape: every field is in every record (an empty string, ``false``, ``null``
or ``{}`` when the source has nothing), and ``timestamp`` always has milliseconds
(``2025-03-14T19:05:00.000Z``), so a plain ``pandas.to_datetime`` reads the column. The stored
record in the index (:meth:`Event.to_record`, version 1) is unchanged: event ids and index
digests do not move.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Final, Generic, TypeVar

from cyberevidence.events import Event

#: Bumped whenever a field is added, removed, renamed or changes type (docs/events.md).
SCHEMA_VERSION: Final = 2
SCHEMA_ID: Final = f"https://cyberevidence.invalid/schemas/event-{SCHEMA_VERSION}.json"
#: The shape of every exported timestamp: ISO 8601 UTC with exactly three decimals.
TIMESTAMP_PATTERN: Final = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
_SHA256: Final = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

T = TypeVar("T")


class FieldType(enum.Enum):
    """What a field holds; each output format maps every type to exactly one of its own."""

    STRING = "string"
    BOOL = "bool"
    INT = "int"  # a whole number (int64), null where the field says so
    TIMESTAMP = "timestamp"  # a UTC instant, milliseconds; null for an undated event
    STRINGS = "strings"  # a list of strings
    SOURCE = "source"  # {sha256, locator}
    SOURCES = "sources"  # a list of SOURCE, at least one
    ATTACHMENTS = "attachments"  # a list of {sha256, name, media_type}
    OBJECT = "object"  # a JSON object whose keys vary by source (Parquet: JSON text)


@dataclass(frozen=True, slots=True)
class ExportField(Generic[T]):
    """One field: its name, type, how to read it from the exported item, and what it means."""

    name: str
    type: FieldType
    get: Callable[[T], Any]
    doc: str
    nullable: bool = False
    #: Few distinct values (platform, kind, direction): a category in pandas.
    categorical: bool = False
    #: Extra JSON Schema constraints (a pattern, an enum, a minimum).
    constraints: dict[str, Any] = field(default_factory=dict)


def format_ms(moment: datetime) -> str:
    """An aware instant as ISO 8601 UTC with milliseconds always (truncated, as ``isoformat`` does)."""
    utc = moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z, truncated like :func:`format_ms` (integer arithmetic)."""
    delta = moment.astimezone(timezone.utc) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _sources(ev: Event) -> list[dict[str, str]]:
    return [s.to_dict() for s in (ev.seen_in or [ev.source])]


S, B = FieldType.STRING, FieldType.BOOL

EVENT_FIELDS: Final[tuple[ExportField[Event], ...]] = (
    ExportField("event_id", S, lambda e: e.event_id, "stable: the same event parsed twice gets the same id",
                constraints={"pattern": "^[0-9a-f]{32}$"}),
    ExportField("timestamp", FieldType.TIMESTAMP, lambda e: e.timestamp,
                "UTC, always with milliseconds; null exactly when undated is true", nullable=True),
    ExportField("undated", B, lambda e: e.timestamp is None, "the source gives no time for the event (no instant is invented)"),
    ExportField("time_ambiguous", B, lambda e: e.time_ambiguous,
                "the local time fell in a DST fold or gap, or the date order was inferred"),
    ExportField("time_note", S, lambda e: e.time_note,
                "the stated rule that decided an ambiguous or missing time; empty if none"),
    ExportField("platform", S, lambda e: e.platform, "whatsapp, sms, phone, telegram, email, ...", categorical=True),
    ExportField("kind", S, lambda e: e.kind, "message, call, email, post, ...", categorical=True),
    ExportField("direction", S, lambda e: e.direction, "seen from the victim (from the people file)", categorical=True,
                constraints={"enum": ["incoming", "outgoing", "unknown"]}),
    ExportField("person", S, lambda e: e.person, "the resolved person's name, else the best raw handle of the other party"),
    ExportField("sender", S, lambda e: e.sender, "the raw handle exactly as the source shows it"),
    ExportField("recipients", FieldType.STRINGS, lambda e: list(e.recipients), "raw handles exactly as the source shows them"),
    ExportField("text", S, lambda e: e.text, "the content, never altered"),
    ExportField("thread", S, lambda e: e.thread, "the conversation; empty if the source names none"),
    ExportField("attachments", FieldType.ATTACHMENTS, lambda e: [a.to_dict() for a in e.attachments],
                "sha256 is empty when the export did not include the file"),
    ExportField("source", FieldType.SOURCE, lambda e: e.source.to_dict(), "the stored artefact and where in it"),
    ExportField("seen_in", FieldType.SOURCES, _sources, "every source this same event appeared in"),
    ExportField("call_type", S, lambda e: e.call_type, "for calls (voice, video, missed ...); empty otherwise"),
    ExportField("duration_s", FieldType.INT, lambda e: e.duration_s, "for calls, in seconds; null otherwise", nullable=True,
                constraints={"minimum": 0}),
    ExportField("edited", B, lambda e: e.edited, "the source marks the message as edited"),
    ExportField("deleted", B, lambda e: e.deleted, "the source marks the message as deleted"),
    ExportField("media_omitted", B, lambda e: e.media_omitted, "the export left the media out"),
    ExportField("extra", FieldType.OBJECT, lambda e: dict(e.extra),
                "source-specific facts with no field of their own; {} if none"),
)
del S, B


def _json_getter(f: ExportField[Event]) -> Callable[[Event], Any]:
    if f.type is FieldType.TIMESTAMP:
        get = f.get
        return lambda e: None if (v := get(e)) is None else format_ms(v)
    return f.get


_JSON_GETTERS: Final = tuple((f.name, _json_getter(f)) for f in EVENT_FIELDS)


def export_record(ev: Event) -> dict[str, Any]:
    """The version-2 record of one event: every field of :data:`EVENT_FIELDS`, in that order, as JSON values."""
    return {name: get(ev) for name, get in _JSON_GETTERS}


def _json_type(f: ExportField[Any]) -> dict[str, Any]:
    source = {"$ref": "#/$defs/source"}
    by_type: dict[FieldType, dict[str, Any]] = {
        FieldType.STRING: {"type": "string"},
        FieldType.BOOL: {"type": "boolean"},
        FieldType.INT: {"type": "integer"},
        FieldType.TIMESTAMP: {"type": "string", "pattern": TIMESTAMP_PATTERN},
        FieldType.STRINGS: {"type": "array", "items": {"type": "string"}},
        FieldType.SOURCE: source,
        FieldType.SOURCES: {"type": "array", "minItems": 1, "items": source},
        FieldType.ATTACHMENTS: {"type": "array", "items": {"$ref": "#/$defs/attachment"}},
        FieldType.OBJECT: {"type": "object"},
    }
    out = {**by_type[f.type], **f.constraints, "description": f.doc}
    if f.nullable:
        out["type"] = [out["type"], "null"]
    return out


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of one JSONL line, made from :data:`EVENT_FIELDS` (``schemas/event.schema.json`` holds it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"cyberevidence timeline event record, version {SCHEMA_VERSION}",
        "description": "One line of `cyberevidence timeline --format jsonl`; the Parquet timeline has the same fields "
        "(docs/events.md). Generated from cyberevidence.exporters.record.EVENT_FIELDS.",
        "type": "object",
        "required": [f.name for f in EVENT_FIELDS],
        "additionalProperties": False,
        "$defs": {
            "sha256": _SHA256,
            "source": {
                "type": "object", "required": ["sha256", "locator"], "additionalProperties": False,
                "properties": {"sha256": {"$ref": "#/$defs/sha256"},
                               "locator": {"type": "string", "description": "where in the artefact: 'line 12', '$.messages[3]'"}},
            },
            "attachment": {
                "type": "object", "required": ["sha256", "name", "media_type"], "additionalProperties": False,
                "properties": {"sha256": {"anyOf": [{"$ref": "#/$defs/sha256"}, {"const": ""}]},
                               "name": {"type": "string"}, "media_type": {"type": "string"}},
            },
        },
        "properties": {f.name: _json_type(f) for f in EVENT_FIELDS},
        # timestamp is null exactly when undated is true
        "if": {"properties": {"undated": {"const": True}}},
        "then": {"properties": {"timestamp": {"type": "null"}}},
        "else": {"properties": {"timestamp": {"type": "string"}}},
    }


__all__ = [
    "EVENT_FIELDS",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "TIMESTAMP_PATTERN",
    "ExportField",
    "FieldType",
    "epoch_ms",
    "event_json_schema",
    "export_record",
    "format_ms",
]
