"""Telegram Desktop "Export chat history" / "Export Telegram data" in JSON (``result.json``).

``docs/formats/telegram_json.md`` says the same for readers who do not read code.

Inputs
------
Every format version from 2018 to 2025: a single chat (top-level ``name``, ``type``, ``id``,
``messages``) or the whole-account export (``personal_information``, ``chats.list[*]``,
``left_chats.list[*]``, plus sections such as ``contacts``, ``stories`` that hold no messages and
are skipped without being built in memory). The file is **streamed** with ``ijson``: one message
object is held at a time, so memory stays flat however large the export is.

Who, when, which way
--------------------
* ``sender`` is the display name (``from``; ``actor`` for service entries); when the export has
  no name (a deleted account, ``"from": null``) it is the id (``user5555``). The id itself is
  kept in ``extra["from_id"]`` (ids are stable; names can be changed at will).
* Time: ``date_unixtime`` (UTC seconds) when present; else ``date``. A ``date`` with ``Z`` or an
  offset is used as stated. A naive ``date`` (exports before late 2021 have nothing else) is the
  exporting computer's local time: it is converted with ``ctx.options.timezone`` (warning
  ``assumed_timezone`` when that is the case default). In a DST fold the first pass is assumed
  unless an earlier message of the same chat is already later ("resolved by message order");
  in a DST gap the offset before the change is used; both are flagged ``time_ambiguous`` with a
  ``time_note``. Evidence in the file that its local times are *not* in that zone (a message
  carrying both ``date`` and ``date_unixtime`` whose difference is another offset, or the
  ``edited`` placeholder ``1970-01-01T05:00:00`` that old versions write, which is the epoch in
  the exporting computer's zone) is reported once as ``timezone_mismatch``.
* ``direction`` is set only when the export names its owner (``personal_information.user_id``):
  a message or call whose ``from_id``/``actor_id`` is the owner's id (``user<id>`` or the bare
  number of old versions) is ``outgoing``, any other identified sender ``incoming``. Without
  ``personal_information`` (single-chat exports) direction stays ``unknown``.

What each entry becomes
-----------------------
* ``type: "message"`` → ``kind="message"``; ``text`` is a string or a list of strings and
  ``{type, text}`` parts (links, mentions, bold, custom emoji ...), joined to plain text. Link
  URLs (``link`` parts and ``text_link`` ``href``) go to ``extra["links"]``, mentions to
  ``extra["mentions"]``.
* ``type: "service"`` with ``action`` ``phone_call`` / ``group_call`` → ``kind="call"``,
  ``call_type`` ``call`` / ``group_call`` (the export does not say voice or video),
  ``duration_s`` from ``duration_seconds``, ``extra["discard_reason"]`` (missed, busy, hangup,
  disconnect) and ``extra["missed"]``. Every other action → ``kind="system"`` with a readable
  sentence ("Alice invited Bob"); ``extra["action"]`` keeps the action name.
* ``edited_unixtime``/``edited`` → ``edited=True`` and ``extra["edited_at"]``; old versions
  write ``edited: "1970-01-01T.."`` for "never edited", which is not an edit.
* ``forwarded_from``, ``forwarded_from_id``, ``saved_from``, ``reply_to_message_id``,
  ``reply_to_peer_id``, ``via_bot``, ``author`` (channel signature), ``media_type``,
  ``mime_type``, ``file_name``, ``duration_seconds``, ``sticker_emoji``, contact, location,
  poll question, self-destruct period: copied into ``extra``.
* Media (``photo``, ``file``, ``thumbnail``, ``contact_vcard``) are paths relative to the export
  folder. Each is linked to the file acquired beside ``result.json`` at that exact relative path
  (``source.siblings``; its stored digest is used, nothing is re-hashed). A path the siblings do
  not hold is an attachment with empty ``sha256`` and a ``missing_attachment`` warning. Telegram's
  placeholders "(File not included. Change data exporting settings to download.)" and "(File
  unavailable, please try again later)" mean ``media_omitted=True`` (reason in
  ``extra["media_omitted_reason"]``).

Locators and damage
-------------------
``source.locator`` is the JSON path of the message: ``$.messages[17]``,
``$.chats.list[3].messages[17]``, ``$.left_chats.list[0].messages[2]``. A damaged or truncated
file yields every message before the damage and one ``damaged_json`` warning naming the last
position reached; if nothing at all could be read a :class:`ParseError` names the file and the
position. A single message of an unexpected shape is skipped with an ``unreadable_message``
warning, never silently. Nothing in the file is ever fetched or executed (links stay text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, Final

import ijson

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._telegram_common import CALL_ACTIONS, PLATFORM, call_text, is_placeholder, parse_iso, service_text
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.clock import FoldPolicy, LocalClock, describe_offset
from cyberevidence.parsers.kit.epochs import unix_seconds
from cyberevidence.parsers.kit.jsonread import Builder, GuardedReader, JsonGuard, duplicate_message
from cyberevidence.parsers.kit.media import SiblingMedia
from cyberevidence.parsers.kit.notes import assumed_timezone

MEDIA_KEYS: Final = ("photo", "file", "thumbnail", "contact_vcard")
#: Message keys copied to ``extra`` when they hold a scalar.
SCALAR_EXTRAS: Final = (
    "forwarded_from",
    "forwarded_from_id",
    "saved_from",
    "reply_to_message_id",
    "reply_to_peer_id",
    "via_bot",
    "author",
    "media_type",
    "mime_type",
    "file_name",
    "file_size",
    "duration_seconds",
    "sticker_emoji",
    "performer",
    "title",
    "self_destruct_period_seconds",
    "live_location_period_seconds",
    "inviter",
    "message_id",
    "period",
)
DICT_EXTRAS: Final = ("contact_information", "location_information")
_OPENERS: Final = ("start_map", "start_array")
_CLOSERS: Final = ("end_map", "end_array")

# -- sniffing -------------------------------------------------------------------------------

_CHAT_TYPES = (
    "personal_chat|private_group|private_supergroup|public_supergroup|private_channel|public_channel"
    "|bot_chat|saved_messages|replies"
)
_SNIFF_FULL = re.compile(rb'"personal_information"\s*:\s*\{[^{}]{0,4000}"user_id"\s*:')
_SNIFF_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_SNIFF_FIELDS = re.compile(rb'"(?:from_id|actor_id|date_unixtime)"\s*:')
_SNIFF_TYPE = re.compile(rb'"type"\s*:\s*"(?:' + _CHAT_TYPES.encode() + rb')"')


def sniff(source: SourceFile, head: bytes) -> bool:
    """A JSON object whose first 64 KiB show Telegram's own keys. Never raises."""
    try:
        body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        if body.lstrip()[:1] != b"{":
            return False
        if _SNIFF_FULL.search(body):
            return True
        if _SNIFF_MESSAGES.search(body):
            return bool(_SNIFF_FIELDS.search(body) or _SNIFF_TYPE.search(body))
        return False
    except Exception:  # a sniffer must never break detection
        return False


# -- helpers --------------------------------------------------------------------------------


class _Damaged(Exception):
    """The JSON stream could not be read any further."""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _join_text(value: Any) -> tuple[str, list[str], list[str]]:
    """Plain text, link URLs and mentions from ``text`` (a string or a list of parts)."""
    if isinstance(value, str):
        return value, [], []
    if not isinstance(value, list):
        return "", [], []
    out: list[str] = []
    links: list[str] = []
    mentions: list[str] = []
    for part in value:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Mapping):
            text = _str(part.get("text"))
            out.append(text)
            kind = part.get("type")
            if kind in ("link", "url") and text:
                links.append(text)
            elif kind == "text_link" and isinstance(part.get("href"), str):
                links.append(part["href"])
            elif kind in ("mention", "mention_name") and text:
                mentions.append(text)
    return "".join(out), links, mentions


def _entities(value: Any) -> tuple[list[str], list[str]]:
    if not isinstance(value, list):
        return [], []
    _, links, mentions = _join_text(value)
    return links, mentions


def _user_number(value: Any) -> int | None:
    """The numeric user id in ``user123`` (new) or ``123`` (old); None for channels/chats."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.startswith("user") and value[4:].isdigit():
        return int(value[4:])
    return None


def _id_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value)
    return ""


@dataclass(slots=True)
class _Chat:
    path: str
    left: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def thread(self, fallback: str) -> str:
        name = self.meta.get("name")
        if isinstance(name, str) and name:
            return name
        kind, ident = _id_text(self.meta.get("type")), _id_text(self.meta.get("id"))
        if ident:
            return f"{kind or 'chat'} {ident}"
        return fallback


@dataclass(frozen=True, slots=True)
class _When:
    timestamp: datetime
    ambiguous: bool = False
    note: str = ""


# -- the reader -----------------------------------------------------------------------------


class JsonReader:
    """Streams one ``result.json`` into events."""

    def __init__(self, source: SourceFile, ctx: ParseContext) -> None:
        self.source = source
        self.ctx = ctx
        self.file = source.name
        self.linker = SiblingMedia(source.siblings)
        self.here = "$"
        self.owner: int | None = None
        self.owner_name = ""
        self.events = 0
        self.chats_seen = 0
        self.local_converted = 0
        self.zone_evidence: tuple[str, str] | None = None  # (message, locator)
        self.zone_warned = False
        self.local_warned = False
        self.clock = LocalClock(ctx.options.timezone, FoldPolicy.BY_ORDER)
        self._it: Iterator[tuple[str, Any]] | None = None
        self.guard = JsonGuard()
        #: (code, message, JSON path) found while reading the current value, flushed after it.
        self.notes: list[tuple[str, str, str]] = []

    # warnings ---------------------------------------------------------------------------

    def warn(self, code: str, message: str, locator: str = "") -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=locator, file=self.file)

    # the event stream -------------------------------------------------------------------

    def _next(self) -> tuple[str, Any]:
        assert self._it is not None
        try:
            ev, val = next(self._it)
            if self.guard.fixes and isinstance(val, str):
                val = self.guard.resolve_str(val, self.here, self.notes)
            return ev, val
        except StopIteration:
            raise _Damaged("the file ends before the JSON is complete (truncated?)") from None
        except ijson.JSONError as exc:
            detail = exc.args[0] if exc.args else exc
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", errors="replace")
            first = str(detail).strip().splitlines()[0][:200] if str(detail).strip() else type(exc).__name__
            raise _Damaged(f"the JSON is damaged ({first})") from None
        except UnicodeDecodeError as exc:  # ijson's yajl2_c backend decodes strings itself
            raise _Damaged(f"the JSON holds bytes that are not UTF-8 ({exc.reason} at byte {exc.start})") from None

    def _build(self, event: str, value: Any) -> Any:
        if event not in _OPENERS:
            return value
        builder = Builder(self.here)
        builder.event(event, value)
        depth = 1
        while depth:
            ev, val = self._next()
            builder.event(ev, val)
            if ev in _OPENERS:
                depth += 1
            elif ev in _CLOSERS:
                depth -= 1
        for path, key, values in builder.duplicates:
            self.notes.append(("duplicate_key", duplicate_message(key, values), f"{path}.{key}"))
        return builder.value

    def _flush(self, locator: str) -> Iterator[ParseWarning]:
        """The guard's and the builder's notes (huge numbers, lone surrogates, duplicate keys ...) at ``locator``."""
        notes, self.notes = self.notes, []
        for code, message, path in notes:
            where = f" (at {path})" if path and path != locator else ""
            yield from self.warn(code, message + where, locator)

    def _skip(self, event: str) -> None:
        if event not in _OPENERS:
            return
        depth = 1
        while depth:
            ev, _ = self._next()
            if ev in _OPENERS:
                depth += 1
            elif ev in _CLOSERS:
                depth -= 1

    def run(self) -> Iterator[Event | ParseWarning]:
        with open(self.source.path, "rb") as fh:
            yield from self._run(fh)

    def _run(self, fh: BinaryIO) -> Iterator[Event | ParseWarning]:
        if fh.read(3) != b"\xef\xbb\xbf":
            fh.seek(0)
        self._it = iter(ijson.basic_parse(GuardedReader(fh, self.guard), use_float=True))
        try:
            ev, _ = self._next()
            if ev != "start_map":
                raise ParseError(
                    "this JSON is not a Telegram Desktop export (its top level is not an object)",
                    file=self.file,
                    locator="$",
                    hint="Export the chat again from Telegram Desktop with format 'Machine-readable JSON'.",
                )
            yield from self._top()
        except _Damaged as exc:
            if not self.events:
                raise ParseError(
                    f"nothing could be read: {exc}",
                    file=self.file,
                    locator=self.here,
                    hint="Check that the file is complete; copy it again from the export folder.",
                ) from None
            yield from self.warn(
                "damaged_json",
                f"{exc}; the {self.events} event(s) before this point were read, nothing after it",
                self.here,
            )
        if self.notes:
            yield from self._flush("")
        yield from self._zone_report()

    # structure --------------------------------------------------------------------------

    def _top(self) -> Iterator[Event | ParseWarning]:
        chat = _Chat("$")
        owner_after_chats = False
        while True:
            ev, key = self._next()
            if ev == "end_map":
                break
            ev, val = self._next()
            self.here = f"$.{key}"
            if key == "personal_information":
                info = self._build(ev, val)
                if isinstance(info, Mapping):
                    owner_after_chats = self.events > 0
                    self._set_owner(info)
            elif key in ("chats", "left_chats") and ev == "start_map":
                yield from self._container(f"$.{key}", left=key == "left_chats")
            elif key == "messages" and ev == "start_array":
                self.chats_seen += 1
                yield from self._messages(chat, "$.messages")
            elif key in ("name", "type", "id"):
                chat.meta[key] = self._build(ev, val)
            else:
                self._skip(ev)
        if owner_after_chats:
            yield from self.warn(
                "owner_after_messages",
                "personal_information comes after the messages in this file, so the direction of those messages was not set",
                "$.personal_information",
            )

    def _set_owner(self, info: Mapping[str, Any]) -> None:
        uid = info.get("user_id")
        if isinstance(uid, int) and not isinstance(uid, bool):
            self.owner = uid
        names = [n for n in (info.get("first_name"), info.get("last_name")) if isinstance(n, str) and n]
        self.owner_name = " ".join(names)

    def _container(self, path: str, left: bool) -> Iterator[Event | ParseWarning]:
        while True:
            ev, key = self._next()
            if ev == "end_map":
                return
            ev, _ = self._next()
            if key != "list" or ev != "start_array":
                self._skip(ev)
                continue
            index = 0
            while True:
                ev, _ = self._next()
                if ev == "end_array":
                    break
                item = f"{path}.list[{index}]"
                self.here = item
                if ev == "start_map":
                    self.chats_seen += 1
                    yield from self._chat(_Chat(item, left=left))
                else:
                    self._skip(ev)
                    yield from self.warn("unreadable_chat", "this entry of the chat list is not an object; skipped", item)
                index += 1

    def _chat(self, chat: _Chat) -> Iterator[Event | ParseWarning]:
        while True:
            ev, key = self._next()
            if ev == "end_map":
                return
            ev, val = self._next()
            if key == "messages" and ev == "start_array":
                yield from self._messages(chat, f"{chat.path}.messages")
            elif key in ("name", "type", "id"):
                chat.meta[key] = self._build(ev, val)
            else:
                self._skip(ev)

    def _messages(self, chat: _Chat, path: str) -> Iterator[Event | ParseWarning]:
        self.clock.reset()
        if self.notes:
            yield from self._flush(chat.path)
        index = 0
        while True:
            ev, val = self._next()
            if ev == "end_array":
                return
            locator = f"{path}[{index}]"
            self.here = locator
            msg = self._build(ev, val)
            index += 1
            if not isinstance(msg, Mapping):
                yield from self.warn("unreadable_message", "this entry of the message list is not an object; skipped", locator)
                continue
            try:
                yield from self._message(msg, chat, locator)
            except (TypeError, ValueError, AttributeError, OverflowError) as exc:
                yield from self.warn("unreadable_message", f"this message has an unexpected shape ({exc}); skipped", locator)
            if self.notes:
                yield from self._flush(locator)

    # one message ------------------------------------------------------------------------

    def _message(self, msg: Mapping[str, Any], chat: _Chat, locator: str) -> Iterator[Event | ParseWarning]:
        utc, extra_time, pending = self._time(msg, locator)
        if utc is None:
            yield from pending
            yield from self.warn("no_time", "this message has no readable date (date_unixtime or date); skipped", locator)
            return
        service = msg.get("type") == "service"
        name = msg.get("actor") if service else msg.get("from")
        ident = msg.get("actor_id") if service else msg.get("from_id")
        sender = _str(name) or _id_text(ident)
        event = Event(
            timestamp=utc.timestamp,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(self.source.sha256, locator),
            sender=sender,
            thread=chat.thread(self.file),
            time_ambiguous=utc.ambiguous,
            time_note=utc.note,
        )
        extra = event.extra
        extra.update(extra_time)
        if _id_text(ident):
            extra["from_id"] = _id_text(ident)
        if _id_text(msg.get("id")):
            extra["message_id"] = msg.get("id")
        if _id_text(chat.meta.get("id")):
            extra["chat_id"] = chat.meta.get("id")
        if isinstance(chat.meta.get("type"), str):
            extra["chat_type"] = chat.meta["type"]
        if chat.left:
            extra["left_chat"] = True
        if msg.get("type") not in ("message", "service"):
            extra["entry_type"] = _id_text(msg.get("type"))
        if self.owner is not None:
            extra["export_owner_id"] = f"user{self.owner}"
            number = _user_number(ident)
            if number is not None or _id_text(ident):
                event.direction = "outgoing" if number == self.owner else "incoming"
        text, links, mentions = _join_text(msg.get("text"))
        e_links, e_mentions = _entities(msg.get("text_entities"))
        links = list(dict.fromkeys(links + e_links))
        mentions = list(dict.fromkeys(mentions + e_mentions))
        if links:
            extra["links"] = links
        if mentions:
            extra["mentions"] = mentions
        if service:
            self._service(event, msg, sender, text)
        else:
            event.text = text
        for key in SCALAR_EXTRAS:
            value = msg.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool) and key not in extra:
                extra[key] = value
        for key in DICT_EXTRAS:
            if isinstance(msg.get(key), Mapping):
                extra[key] = dict(msg[key])
        self._rich(msg, extra)
        yield from self._edited(msg, event, locator)
        yield from self._media(msg, event, locator)
        yield from pending
        self.events += 1
        yield event

    def _service(self, event: Event, msg: Mapping[str, Any], actor: str, text: str) -> None:
        action = _str(msg.get("action"))
        event.extra["action"] = action
        if action in CALL_ACTIONS:
            event.kind = "call"
            event.call_type = CALL_ACTIONS[action]
            reason = _str(msg.get("discard_reason"))
            duration = msg.get("duration_seconds")
            if isinstance(duration, int | float) and not isinstance(duration, bool) and duration >= 0:
                event.duration_s = int(duration)
            if reason:
                event.extra["discard_reason"] = reason
            event.extra["missed"] = reason == "missed"
            event.text = call_text(action, reason, event.duration_s)
        else:
            event.kind = "system"
            event.text = service_text(msg, actor)
            if text:
                event.text = f"{event.text}: {text}"

    @staticmethod
    def _rich(msg: Mapping[str, Any], extra: dict[str, Any]) -> None:
        poll = msg.get("poll")
        if isinstance(poll, Mapping) and isinstance(poll.get("question"), str):
            extra["poll_question"] = poll["question"]
            answers = poll.get("answers")
            if isinstance(answers, list):
                extra["poll_answers"] = [
                    a.get("text") for a in answers if isinstance(a, Mapping) and isinstance(a.get("text"), str)
                ]
        todo = msg.get("todo_list")
        if isinstance(todo, Mapping) and isinstance(todo.get("title"), str):
            extra["todo_title"] = todo["title"]
        buttons = msg.get("inline_bot_buttons")
        if isinstance(buttons, list):
            flat = [b for row in buttons if isinstance(row, list) for b in row if isinstance(b, Mapping)]
            extra["buttons"] = [{"text": _str(b.get("text")), "data": _str(b.get("data"))} for b in flat]
        members = msg.get("members")
        if isinstance(members, list):
            extra["members"] = [m if isinstance(m, str) else None for m in members]

    # time ---------------------------------------------------------------------------------

    def _time(self, msg: Mapping[str, Any], locator: str) -> tuple[_When | None, dict[str, Any], list[ParseWarning]]:
        extra: dict[str, Any] = {}
        notes: list[ParseWarning] = []
        shown = msg.get("date")
        utc = unix_seconds(msg.get("date_unixtime")) if "date_unixtime" in msg else None
        local = parse_iso(shown)
        if isinstance(shown, str):
            extra["shown_time"] = shown
        if utc is not None:
            self.clock.note_instant(utc)
            if local is not None and local.tzinfo is None:
                self._observe(local, utc, locator)
            return _When(utc), extra, notes
        if local is None:
            return None, extra, notes
        if local.tzinfo is not None:
            aware = local.astimezone(timezone.utc)
            self.clock.note_instant(aware)
            return _When(aware), extra, notes
        self.local_converted += 1
        if not self.local_warned:
            self.local_warned = True
            notes.extend(self._local_warning(locator))
        converted = self.clock.convert(local)
        if converted.gap:
            notes.extend(self.warn("nonexistent_time", converted.note, locator))
        elif converted.fold:
            notes.extend(self.warn("ambiguous_time", converted.note, locator))
        return _When(converted.utc, converted.ambiguous, converted.note), extra, notes

    def _local_warning(self, locator: str) -> Iterator[ParseWarning]:
        opts = self.ctx.options
        if opts.timezone_assumed:
            yield assumed_timezone(
                opts.timezone, file=self.file, locator=locator,
                why="This export states some times only as the exporting computer's local time.",
            )  # fmt: skip
        else:
            yield from self.warn(
                "local_times",
                "this export states some times only as the exporting computer's local time; they were read as "
                f"{opts.timezone.key}, the zone given",
                locator,
            )

    def _observe(self, local: datetime, utc: datetime, locator: str) -> None:
        """A message with both fields shows the exporting computer's offset at that instant."""
        if self.zone_evidence is not None:
            return
        offset = local - utc.replace(tzinfo=None)
        expected = utc.astimezone(self.ctx.options.timezone).utcoffset()
        if expected is not None and offset != expected:
            self.zone_evidence = (
                f"this export's local times are {describe_offset(offset)} at {utc:%Y-%m-%d %H:%M}Z (a message carries both "
                f"'date' and 'date_unixtime'), but {self.ctx.options.timezone.key} was {describe_offset(expected)} then",
                locator,
            )

    def _epoch_placeholder(self, shown: str, locator: str) -> None:
        if self.zone_evidence is not None:
            return
        local = parse_iso(shown)
        if local is None or local.tzinfo is not None:
            return
        offset = local - datetime(1970, 1, 1)
        if abs(offset) > timedelta(hours=15):
            return
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        expected = epoch.astimezone(self.ctx.options.timezone).utcoffset()
        if expected is not None and offset != expected:
            self.zone_evidence = (
                f"this export writes 'never edited' as {shown}, the start of 1970 in the exporting computer's zone, so that "
                f"computer was at {describe_offset(offset)} then; {self.ctx.options.timezone.key} was "
                f"{describe_offset(expected)}",
                locator,
            )

    def _zone_report(self) -> Iterator[ParseWarning]:
        if self.zone_evidence is None or not self.local_converted or self.zone_warned:
            return
        self.zone_warned = True
        message, locator = self.zone_evidence
        yield from self.warn(
            "timezone_mismatch",
            f"{message}. The {self.local_converted} time(s) this file gives only as local time were converted with "
            f"{self.ctx.options.timezone.key} and may be off by the difference: parse again with --timezone set to the "
            "exporting computer's zone",
            locator,
        )

    # edits and media ----------------------------------------------------------------------

    def _edited(self, msg: Mapping[str, Any], event: Event, locator: str) -> Iterator[ParseWarning]:
        edited_utc = unix_seconds(msg.get("edited_unixtime")) if "edited_unixtime" in msg else None
        shown = msg.get("edited")
        if edited_utc is not None:
            event.edited = True
            event.extra["edited_at"] = edited_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(shown, str):
            local = parse_iso(shown)
            if local is not None and local.year <= 1970:
                self._epoch_placeholder(shown, locator)
            elif local is not None:
                event.edited = True
                event.extra["edited_at_local"] = shown
        return iter(())

    def _media(self, msg: Mapping[str, Any], event: Event, locator: str) -> Iterator[ParseWarning]:
        missing: list[str] = []
        for key in MEDIA_KEYS:
            path = msg.get(key)
            if not isinstance(path, str) or not path:
                continue
            if is_placeholder(path):
                event.media_omitted = True
                event.extra.setdefault("media_omitted_reason", path)
                continue
            att = self.linker.attachment(path)
            if not att.sha256:
                missing.append(att.name)
            event.attachments.append(
                att if att.sha256 else Attachment(att.name, "", _str(msg.get("mime_type")) if key == "file" else "")
            )
        if missing:
            where = (
                "the files acquired beside result.json do not include it"
                if self.linker.supplied
                else "no files were acquired beside result.json (add the whole export folder to link media)"
            )
            names = ", ".join(repr(m) for m in missing)
            yield from self.warn("missing_attachment", f"the message names {names}; {where}", locator)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Stream a Telegram Desktop ``result.json`` (single chat or whole account)."""
    yield from JsonReader(source, ctx).run()


PARSER = ParserInfo(
    name="telegram_json",
    platform=PLATFORM,
    description="Telegram Desktop JSON export (result.json): one chat or the whole account, every format version",
    formats=(
        "Telegram Desktop 'Export chat history' JSON (result.json)",
        "Telegram Desktop 'Export Telegram data' JSON (result.json, all chats)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/json", "text/plain"),
    limits=(
        "Direction is set only when the export names its owner (whole-account exports). Times given only as local time "
        "(exports before late 2021) depend on --timezone. Media are linked only when the export's files were acquired "
        "at the relative paths result.json names. Sections without messages (contacts, sessions, stories, profile "
        "pictures) are not turned into events. A damaged file is read up to the damage."
    ),
    references=("https://github.com/telegramdesktop/tdesktop/tree/dev/Telegram/SourceFiles/export",),
    identity_keys=("from_id",),
    fixtures=("telegram/*/result.json",),
    corpus_seeds=("telegram/chatanalytics_DM_*.json", "telegram/chm_telegram_2021-0*.json"),
)
