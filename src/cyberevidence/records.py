"""The victim's own record: diary entries and dated markers, kept as evidence in the case.

A diary entry is an incident the victim writes down: when it happened, when it was written
(captured automatically), place, what happened, witnesses, police reference, suspected technology
and the impact on daily life. A marker is a dated boundary: asked to stop, blocked, a police
warning, a report made, an order served, a court date.

Each version of a record is canonical JSON (RFC 8785) stored in the content-addressed store like
any other evidence, logged in custody (``record``) and parsed into the timeline by the
``case_record`` parser. An edit writes a new version that names the SHA-256 of the one it
supersedes: nothing is ever erased, and the custody chain orders the versions.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

import rfc8785

from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import format_utc
from cyberevidence.timeutil import localize

RECORD_FORMAT = "cyberevidence-record/1"
RecordType = Literal["diary", "marker"]
MARKER_TYPES: tuple[str, ...] = (
    "stop_request",
    "blocked",
    "police_warning",
    "report_made",
    "order_served",
    "court_date",
    "other",
)
#: Markers after which any contact from the person is a potential breach.
BOUNDARY_TYPES = frozenset({"stop_request", "blocked", "police_warning", "order_served"})


class RecordError(CyberEvidenceError):
    """A diary entry or marker is incomplete or malformed."""

    hint = "Check the date (YYYY-MM-DD HH:MM, local time) and that the text is not empty."


def resolve_time(value: str, tz: ZoneInfo) -> tuple[str, str]:
    """A time as written (local ``YYYY-MM-DD[ HH:MM]`` or ISO with offset) -> (UTC ISO, note)."""
    text = value.strip().replace("T", " ")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{value!r} is not a date and time like 2025-03-14 19:05") from None
    if parsed.tzinfo is not None:
        return format_utc(parsed), ""
    local = localize(parsed, tz)
    note = f"local time in {tz.key}"
    if local.in_fold:
        note += "; in the repeated hour when clocks went back: the earlier instant is used"
    elif local.in_gap:
        note += "; this time did not exist (clocks went forward): read with the offset before the change"
    return format_utc(local.utc), note


def new_record_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class DiaryEntry:
    """One version of an incident the victim recorded."""

    entry_id: str
    version: int
    happened_at: str
    happened_at_utc: str
    what_happened: str
    written_at: str
    place: str = ""
    witnesses: str = ""
    police_reference: str = ""
    suspected_technology: str = ""
    impact: str = ""
    #: The person the incident is about (a name from the people file), if any.
    person: str = ""
    time_note: str = ""
    supersedes: str = ""
    written_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Marker:
    """One version of a dated boundary (asked to stop, blocked, order served ...)."""

    marker_id: str
    version: int
    marker_type: str
    at: str
    at_utc: str
    recorded_at: str
    person: str = ""
    platform: str = ""
    account: str = ""
    note: str = ""
    #: ``cli``, ``api`` or ``diary:<entry id>``.
    source: str = "api"
    time_note: str = ""
    supersedes: str = ""
    recorded_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record version as kept in the case: its type, its digest, and its content."""

    record_type: RecordType
    sha256: str
    record: DiaryEntry | Marker = field(compare=False)


def record_bytes(record: DiaryEntry | Marker) -> bytes:
    kind = "diary" if isinstance(record, DiaryEntry) else "marker"
    return bytes(rfc8785.dumps({"format": RECORD_FORMAT, "type": kind, "record": record.to_dict()}))


def record_from_json(data: dict[str, Any]) -> DiaryEntry | Marker:
    if data.get("format") != RECORD_FORMAT or data.get("type") not in ("diary", "marker"):
        raise RecordError("not a cyberevidence diary entry or marker")
    cls: type[DiaryEntry] | type[Marker] = DiaryEntry if data["type"] == "diary" else Marker
    body = data.get("record")
    if not isinstance(body, dict):
        raise RecordError("the record has no body")
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in body.items() if k in names})
    except TypeError as exc:
        raise RecordError(f"the record is incomplete: {exc}") from None


_DETAIL_FIELDS = ("place", "witnesses", "police_reference", "suspected_technology", "impact", "person")


def now_utc() -> str:
    return format_utc(datetime.now(timezone.utc).replace(microsecond=0))


def make_diary_entry(happened_at: str, what_happened: str, tz: ZoneInfo, *, written_by: str = "", **details: str) -> DiaryEntry:
    if not what_happened.strip():
        raise RecordError("a diary entry needs a description of what happened")
    utc, note = resolve_time(happened_at, tz)
    unknown = set(details) - set(_DETAIL_FIELDS)
    if unknown:
        raise RecordError(f"unknown diary field(s): {', '.join(sorted(unknown))}")
    return DiaryEntry(
        new_record_id("D"),
        1,
        happened_at.strip(),
        utc,
        what_happened.strip(),
        now_utc(),
        time_note=note,
        written_by=written_by,
        **details,
    )


def edit_diary_entry(previous: DiaryEntry, previous_sha: str, tz: ZoneInfo, written_by: str, **changes: str) -> DiaryEntry:
    allowed = {
        "happened_at",
        "what_happened",
        "place",
        "witnesses",
        "police_reference",
        "suspected_technology",
        "impact",
        "person",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise RecordError(f"unknown diary field(s): {', '.join(sorted(unknown))}")
    updated = replace(
        previous, **changes, version=previous.version + 1, written_at=now_utc(), supersedes=previous_sha, written_by=written_by
    )
    utc, note = resolve_time(updated.happened_at, tz)
    return replace(updated, happened_at_utc=utc, time_note=note)


def make_marker(marker_type: str, at: str, tz: ZoneInfo, *, recorded_by: str = "", source: str = "api", **details: str) -> Marker:
    if marker_type not in MARKER_TYPES:
        raise RecordError(f"marker type {marker_type!r} is not one of {', '.join(MARKER_TYPES)}")
    utc, note = resolve_time(at, tz)
    return Marker(
        new_record_id("M"),
        1,
        marker_type,
        at.strip(),
        utc,
        now_utc(),
        time_note=note,
        source=source,
        recorded_by=recorded_by,
        **details,
    )
