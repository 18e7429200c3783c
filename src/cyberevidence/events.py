"""The one typed event model every parser yields (docs/events.md).

Parsers yield :class:`Event` and :class:`ParseWarning` records. They fill in what the
source says (``sender``, ``text``, ``timestamp`` ...). ``direction`` and ``person`` are
resolved later from the case's people file, so loading a people file never needs a re-parse.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Final, Literal

from cyberevidence.kinds import Kind, UnknownKindError

Direction = Literal["incoming", "outgoing", "unknown"]

#: The event kinds (the values of :class:`~cyberevidence.kinds.Kind`): an :class:`Event` whose
#: kind is not one of them is refused when it is made.
KINDS: Final = frozenset(k.value for k in Kind)


#: The largest single field (a text, a name, an attribute, a JSON string) any parser keeps, in
#: characters; readers that stream bytes apply the same number in bytes before decoding, so
#: memory stays flat whatever one field of a crafted export holds. A longer field keeps its
#: first ``MAX_FIELD_CHARS`` characters and gives a ``field_truncated`` warning (field, locator,
#: original size); the full value stays in the stored file. No real chat message comes close
#: (WhatsApp allows 65,536 characters, Telegram 4,096, an SMS body is a few thousand).
MAX_FIELD_CHARS: Final = 1 << 20
#: The stable warning code for a field cut at :data:`MAX_FIELD_CHARS`.
FIELD_TRUNCATED: Final = "field_truncated"
#: What stands for the missing instant of an undated event in its fingerprint (never in a record).
UNDATED: Final = "undated"


def format_utc(moment: datetime) -> str:
    """Render an aware datetime as ISO 8601 UTC ending in ``Z`` (millisecond precision when present)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: convert local time to UTC with cyberevidence.timeutil first")
    utc = moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)
    # isoformat is C code and several times faster than strftime; its output is fixed by ISO 8601.
    if utc.microsecond:
        return utc.isoformat(timespec="milliseconds")[:-6] + "Z"
    return utc.isoformat(timespec="seconds")[:-6] + "Z"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an event came from: a stored artefact and a locator inside it (``line 12``, ``$.messages[3]``)."""

    sha256: str
    locator: str

    def to_dict(self) -> dict[str, str]:
        return {"sha256": self.sha256, "locator": self.locator}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file linked to an event. ``sha256`` is empty when the export omitted the file."""

    name: str
    sha256: str = ""
    media_type: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"sha256": self.sha256, "name": self.name, "media_type": self.media_type}


@dataclass(slots=True)
class Event:
    """One thing that happened: a message, call, e-mail, post, ...

    ``timestamp`` is timezone-aware UTC, or ``None`` when the source gives no time for the event:
    the event is then *undated* (:attr:`undated`, docs/events.md "Undated events"), no instant is
    invented for it, and it is left out of every time-based figure. ``time_ambiguous`` is true
    where a local time fell in a DST fold or gap, or the date order was inferred rather than
    stated by the file; ``time_note`` then says which rule decided it.
    """

    timestamp: datetime | None
    platform: str
    kind: str
    source: SourceRef
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    text: str = ""
    thread: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    time_ambiguous: bool = False
    time_note: str = ""
    direction: Direction = "unknown"
    person: str = ""
    call_type: str = ""
    duration_s: int | None = None
    edited: bool = False
    deleted: bool = False
    media_omitted: bool = False
    #: Source-specific facts that have no field of their own (kept, never dropped).
    extra: dict[str, Any] = field(default_factory=dict)
    #: Filled in by :func:`assign_event_ids` / the index; stable across re-parses.
    event_id: str = ""
    seen_in: list[SourceRef] = field(default_factory=list)
    #: The conversation as the *source* identifies it, for the event's identity (docs/dedupe.md).
    #: ``None``: ``thread`` is that identity (a chat id, a number, a chat name stated in the file).
    #: ``""``: the format states none and ``thread`` is only a display label (a WhatsApp ``.txt``
    #: export named by its file name); the conversation is then recognised from the content at
    #: ingest (``store/conversations.py``). Not part of the record: it only shapes the id.
    conversation: str | None = None
    #: The text for the event's identity where the shown text is export-specific wording for the
    #: same thing ("<Media omitted>" against "IMG-0001.jpg (file attached)"); ``None``: ``text``.
    identity_text: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UnknownKindError(self.kind)
        if self.timestamp is not None and self.timestamp.tzinfo is None:
            raise ValueError("Event.timestamp must be timezone-aware (UTC)")

    @property
    def undated(self) -> bool:
        """The source gives no time for this event (``timestamp`` is ``None``)."""
        return self.timestamp is None

    @property
    def timestamp_utc(self) -> str:
        """The instant as ISO 8601 UTC, or ``""`` for an undated event (never a made-up instant)."""
        return "" if self.timestamp is None else format_utc(self.timestamp)

    def fingerprint(self) -> str:
        """The dedupe key without the occurrence counter: what the source says about the event.

        Platform, kind, the conversation as the source identifies it (:attr:`conversation`, else
        ``thread``), the sender as the source names them, the UTC instant and its stated precision,
        and the text (NFC, trimmed; :attr:`identity_text` when set). Never a file or folder name.
        """
        return self.fingerprint_digest().hex()

    def fingerprint_digest(self) -> bytes:
        """:meth:`fingerprint` as raw SHA-256 bytes (what :class:`EventIdAssigner` uses)."""
        text = self.text if self.identity_text is None else self.identity_text
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        conversation = self.thread if self.conversation is None else self.conversation
        stamp = UNDATED if self.timestamp is None else format_utc(self.timestamp)
        parts = [self.platform, self.kind, conversation, self.sender, stamp, text.strip()]
        precision = self.extra.get("time_precision")
        if precision:
            # A clock coarser than the instant's rendering says (hh:mm): part of what was stated.
            parts.append(f"precision={precision}")
        try:
            data = "\x1f".join(parts).encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (from a hostile "\ud800" escape) cannot be stored or exported as
            # UTF-8: replace it with U+FFFD everywhere in the event, say so, and hash that.
            self.replace_invalid_characters()
            return self.fingerprint_digest()
        return hashlib.sha256(data).digest()

    def replace_invalid_characters(self) -> None:
        """Replace lone surrogates in every text field with U+FFFD and note it in ``extra``."""
        self.text = _clean(self.text)
        self.sender = _clean(self.sender)
        self.thread = _clean(self.thread)
        if self.conversation:
            self.conversation = _clean(self.conversation)
        if self.identity_text:
            self.identity_text = _clean(self.identity_text)
        self.recipients = [_clean(r) for r in self.recipients]
        self.time_note = _clean(self.time_note)
        self.attachments = [Attachment(_clean(a.name), a.sha256, a.media_type) for a in self.attachments]
        self.source = SourceRef(self.source.sha256, _clean(self.source.locator))
        self.extra = _clean_value(self.extra)
        self.extra["invalid_characters_replaced"] = True

    def to_record(self) -> dict[str, Any]:
        """The JSONL record of docs/events.md (stable field names; optional fields only when set)."""
        record: dict[str, Any] = {
            "event_id": self.event_id,
            "timestamp": None if self.timestamp is None else format_utc(self.timestamp),
            "time_ambiguous": self.time_ambiguous,
            "platform": self.platform,
            "kind": self.kind,
            "direction": self.direction,
            "person": self.person,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "text": self.text,
            "attachments": [a.to_dict() for a in self.attachments],
            "source": self.source.to_dict(),
            "seen_in": [s.to_dict() for s in (self.seen_in or [self.source])],
        }
        if self.timestamp is None:
            record["undated"] = True
        if self.thread:
            record["thread"] = self.thread
        if self.time_note:
            record["time_note"] = self.time_note
        if self.call_type:
            record["call_type"] = self.call_type
        if self.duration_s is not None:
            record["duration_s"] = self.duration_s
        for flag in ("edited", "deleted", "media_omitted"):
            if getattr(self, flag):
                record[flag] = True
        if self.extra:
            record["extra"] = dict(self.extra)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Event:
        """Rebuild an event from its JSONL record (inverse of :meth:`to_record`)."""
        stamp = record.get("timestamp")
        moment = None if stamp is None else datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return cls(
            timestamp=moment,
            platform=record["platform"],
            kind=record["kind"],
            source=SourceRef(**record["source"]),
            sender=record.get("sender", ""),
            recipients=list(record.get("recipients", [])),
            text=record.get("text", ""),
            thread=record.get("thread", ""),
            attachments=[Attachment(**a) for a in record.get("attachments", [])],
            time_ambiguous=bool(record.get("time_ambiguous", False)),
            time_note=record.get("time_note", ""),
            direction=record.get("direction", "unknown"),
            person=record.get("person", ""),
            call_type=record.get("call_type", ""),
            duration_s=record.get("duration_s"),
            edited=bool(record.get("edited", False)),
            deleted=bool(record.get("deleted", False)),
            media_omitted=bool(record.get("media_omitted", False)),
            extra=dict(record.get("extra", {})),
            event_id=record.get("event_id", ""),
            seen_in=[SourceRef(**s) for s in record.get("seen_in", [])],
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: str) -> str:
    """Lone surrogates (the only code points UTF-8 cannot encode) become U+FFFD, one each."""
    return _SURROGATE.sub("\ufffd", value)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {_clean(str(k)): _clean_value(v) for k, v in value.items()}
    return value


def truncation_message(field_name: str, size: int, unit: str = "characters", limit: int = MAX_FIELD_CHARS) -> str:
    """The plain-language text of a ``field_truncated`` warning."""
    return (
        f"the field {field_name} holds {size:,} {unit}, more than the {limit:,} characters kept for one field; "
        f"its first {limit:,} characters are in the event and the rest is only in the stored file"
    )


def bound_event(event: Event, file: str = "", limit: int = MAX_FIELD_CHARS) -> list[ParseWarning]:
    """Cut every text field of ``event`` longer than ``limit`` characters; one warning per field cut.

    Checks ``text``, ``sender``, ``thread``, ``recipients``, ``time_note``, attachment names and
    the strings in ``extra`` (nested lists and dicts too). This is the central enforcement point
    (applied to every parser's output by :class:`cyberevidence.parsers.base.ParserInfo`); the
    readers bound memory before a value is built.
    """
    found: list[ParseWarning] = []
    names: list[str] = []
    loc = event.source.locator

    def cut(name: str, value: str) -> str:
        names.append(name)
        found.append(ParseWarning(FIELD_TRUNCATED, truncation_message(name, len(value), limit=limit), loc, file))
        return value[:limit]

    if len(event.text) > limit:
        event.text = cut("text", event.text)
    if len(event.sender) > limit:
        event.sender = cut("sender", event.sender)
    if len(event.thread) > limit:
        event.thread = cut("thread", event.thread)
    if len(event.time_note) > limit:
        event.time_note = cut("time_note", event.time_note)
    if any(len(r) > limit for r in event.recipients):
        event.recipients = [cut(f"recipients[{i}]", r) if len(r) > limit else r for i, r in enumerate(event.recipients)]
    if any(len(a.name) > limit for a in event.attachments):
        event.attachments = [
            Attachment(cut(f"attachments[{i}].name", a.name), a.sha256, a.media_type) if len(a.name) > limit else a
            for i, a in enumerate(event.attachments)
        ]
    if event.extra:
        _bound_value(event.extra, "extra", cut, limit, 0)
    if found:
        event.extra["truncated_fields"] = names
    return found


def _bound_value(value: Any, name: str, cut: Any, limit: int, depth: int) -> None:
    """Cut the long strings inside a dict or list in place (keys too); nesting beyond 32 is left alone."""
    if depth > 32:
        return
    if isinstance(value, dict):
        for key in list(value):
            item = value[key]
            label = f"{name}[{str(key)[:80]!r}]"
            if isinstance(key, str) and len(key) > limit:
                del value[key]
                key = cut(f"{name} key", key)
                value[key] = item
            if isinstance(item, str):
                if len(item) > limit:
                    value[key] = cut(label, item)
            elif isinstance(item, (dict, list)):
                _bound_value(item, label, cut, limit, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                if len(item) > limit:
                    value[i] = cut(f"{name}[{i}]", item)
            elif isinstance(item, (dict, list)):
                _bound_value(item, f"{name}[{i}]", cut, limit, depth + 1)


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A problem found while parsing, kept as a record, never just logged.

    ``code`` is a stable machine-readable slug (``unparsed_line``, ``assumed_timezone`` ...);
    ``message`` is plain language for the advocate.
    """

    code: str
    message: str
    locator: str = ""
    file: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class EventIdAssigner:
    """Gives each event a stable id: its fingerprint plus how many identical events came before it.

    Two identical lines in one source ("Please stop." twice in the same minute) stay two events,
    while the same export parsed twice, or overlapping exports, produce the same ids.

    The id is ``sha256(fingerprint_hex + ":" + occurrence)[:32]``. Memory: one small int (the
    first 8 bytes of the fingerprint) per distinct event, about 70 bytes; a prefix collision
    between two different fingerprints (odds about n²/2⁶⁵) only bumps an occurrence number, so
    ids stay unique and deterministic.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}

    def assign(self, event: Event) -> Event:
        digest = event.fingerprint_digest()
        key = int.from_bytes(digest[:8], "big")
        seen = self._seen
        n = seen.get(key, 0)
        seen[key] = n + 1
        event.event_id = make_event_id(digest, n)
        return event


def make_event_id(fingerprint: bytes, occurrence: int) -> str:
    """``sha256(fingerprint_hex + ":" + occurrence)``, first 32 hex digits: the stable event id."""
    return hashlib.sha256(f"{fingerprint.hex()}:{occurrence}".encode()).hexdigest()[:32]
