"""DiscordChatExporter (Tyrrrz) JSON exports of one channel, DM or group DM.

``docs/formats/discord_chat_exporter.md`` says the same for readers who do not read code.

This is a third-party tool's format, not Discord's own data package (``discord`` parser). Unlike
the package it holds **every participant's** messages.

Input
-----
One ``.json`` file: ``guild`` {id, name}, ``channel`` {id, type, name, category, topic},
``dateRange``, ``messages`` [...], ``messageCount``. The file is **streamed** with ``ijson``: one
message object is held at a time. ``guild`` and ``channel`` come before ``messages`` in every
version of the tool; if a file puts them after, events already made keep an empty channel name.

What each message becomes
-------------------------
* ``platform="discord"``, ``thread`` = the channel id (as in the ``discord`` parser, so the same
  channel from both sources lines up), ``extra["channel_name"]`` (plus ``guild_name`` for a
  server channel, ``channel_type``).
* ``sender`` = ``author.name`` (the Discord user name); ``extra["author_id"]``,
  ``extra["author_nickname"]`` (when it differs), ``extra["author_is_bot"]``. A people file links
  ``discord:<name>`` or ``discord:<id>``. The export does not say who made it, so ``direction``
  is left to the people file.
* ``timestamp`` (ISO 8601 with offset) → UTC; a time without an offset is read in
  ``ctx.options.timezone`` (``assumed_timezone`` warning when that is the default).
* ``type``: ``Default`` and ``Reply`` → ``kind="message"`` (any message with a ``reference``
  keeps ``extra["reply_to"]`` = ``reference.messageId``, whatever its type says); ``Call`` → ``kind="call"``,
  ``call_type="call"``, ``duration_s`` = ``callEndedTimestamp`` − ``timestamp`` (``None`` and
  ``extra["call_ended"] = False`` when the call has no end); every other type
  (``ChannelPinnedMessage``, ``GuildMemberJoin``, ``RecipientAdd``, ``ChannelNameChange`` ...) →
  ``kind="system"``, with the author as ``sender`` (the one who did it) and the type in
  ``extra["message_type"]``.
* ``content`` → ``text`` as written. ``timestampEdited`` → ``edited=True`` and
  ``extra["edited_at"]``. ``isPinned`` → ``extra["pinned"]``. ``attachments`` → attachments named
  ``fileName`` (``sha256`` empty; the URL in ``extra["attachment_urls"]``; nothing is downloaded;
  one ``missing_attachment`` warning per file counts them). ``reactions`` → ``extra["reactions"]``
  (``emoji`` and ``count``; the export gives no time for a reaction, so they are not events).
  ``mentions`` → ``extra["mentions"]`` (user names); ``stickers``/``embeds`` are counted in
  ``extra``.

Checks
------
A message id seen twice in the file: both are kept (the file holds both) and a
``duplicate_message_id`` warning names the second. ``messageCount`` different from the number of
messages read: ``count_mismatch`` warning. A message of the wrong shape or with an unreadable
time is skipped with a located warning. A damaged file yields every message before the damage and
one ``damaged_json`` warning. Locator: ``$.messages[17]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

import ijson

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._discord_common import PLATFORM, id_text, parse_stamp
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.jsonread import Builder, GuardedReader, JsonGuard, duplicate_message
from cyberevidence.parsers.kit.notes import assumed_timezone

_HEAD: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"guild"\s*:\s*\{')
_MESSAGE_TYPES: Final = frozenset({"Default", "Reply"})


def sniff(source: SourceFile, head: bytes) -> bool:
    """A JSON object opening with ``"guild": {`` and holding ``"channel"`` and ``"messages"``. Never raises."""
    try:
        return _HEAD.match(head) is not None and b'"channel"' in head and b'"messages"' in head
    except Exception:
        return False


# -- streaming the top level ----------------------------------------------------------------


def _top_level(fh: BinaryIO, notes: list[tuple[str, str, str]] | None = None) -> Iterator[tuple[str, Any, int]]:
    """(key, value, index) for each top-level value; each ``messages`` item separately as ``("message", obj, i)``.

    The bytes pass through a :class:`~cyberevidence.parsers.kit.jsonread.JsonGuard` (huge numbers,
    lone surrogates, over-long strings) and objects are built with duplicate keys noted; the
    notes for a value are in ``notes`` (code, message, JSON path) when it is yielded.
    """
    guard = JsonGuard()
    found = notes if notes is not None else []
    builder: Builder | None = None
    depth = 0
    key = ""
    index = -1
    for prefix, event, value in ijson.parse(GuardedReader(fh, guard), use_float=True):
        if guard.fixes and isinstance(value, str):
            value = guard.resolve_str(value, "", found)
        if builder is None:
            if prefix == "messages.item" and event in ("start_map", "start_array"):
                key, index = "message", index + 1
            elif "." not in prefix and prefix and prefix != "messages" and event in ("start_map", "start_array"):
                key = prefix
            elif "." not in prefix and prefix and prefix != "messages" and event not in ("map_key", "end_map", "end_array"):
                yield prefix, value, -1
                continue
            elif prefix == "messages.item":
                index += 1
                yield "message", value, index
                continue
            else:
                continue
            builder, depth = Builder(f"$.messages[{index}]" if key == "message" else f"$.{key}"), 0
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            for path, dup, values in builder.duplicates:
                found.append(("duplicate_key", duplicate_message(dup, values), f"{path}.{dup}"))
            yield key, builder.value, index if key == "message" else -1
            builder = None


# -- reading --------------------------------------------------------------------------------


@dataclass
class _Reader:
    source: SourceFile
    ctx: ParseContext
    channel: dict[str, Any] = field(default_factory=dict)
    guild: dict[str, Any] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)
    naive_seen: bool = False
    links: int = 0

    def warn(self, code: str, message: str, locator: str = "") -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=locator, file=self.source.name)

    def run(self) -> Iterator[Event | ParseWarning]:
        read = 0
        declared: Any = None
        last = "$"
        try:
            notes: list[tuple[str, str, str]] = []
            with open(self.source.path, "rb") as fh:
                for key, value, i in _top_level(fh, notes):
                    if notes:
                        where = f"$.messages[{i}]" if key == "message" else f"$.{key}"
                        for code, message, path in notes:
                            yield from self.warn(code, message + (f" (at {path})" if path and path != where else ""), where)
                        notes.clear()
                    if key == "guild" and isinstance(value, dict):
                        self.guild = value
                    elif key == "channel" and isinstance(value, dict):
                        self.channel = value
                    elif key == "messageCount":
                        declared = value
                    elif key == "message":
                        last = f"$.messages[{i}]"
                        read += 1
                        yield from self.message(value, last)
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            if not read and not self.channel:
                raise ParseError(f"not a readable DiscordChatExporter JSON file ({exc})", file=self.source.name) from None
            yield ParseWarning(
                "damaged_json",
                f"the file is damaged after {read} message(s) ({exc}); the messages before it were read",
                locator=last,
                file=self.source.name,
            )
        if _whole(declared) is not None and _whole(declared) != read:
            yield ParseWarning(
                "count_mismatch",
                f"the file says messageCount {_whole(declared)} but holds {read} message(s); all {read} were read",
                locator="$.messageCount",
                file=self.source.name,
            )
        if self.links:
            yield ParseWarning(
                "missing_attachment",
                f"{self.links} attachment(s) are named in the export but their files were not read with it; the URLs "
                "are kept in extra['attachment_urls'] and nothing was downloaded",
                file=self.source.name,
            )
        if self.naive_seen and self.ctx.options.timezone_assumed:
            yield assumed_timezone(self.ctx.options.timezone, file=self.source.name, what="times without an offset")

    def message(self, msg: Any, loc: str) -> Iterator[Event | ParseWarning]:
        if not isinstance(msg, dict):
            yield from self.warn("unreadable_entry", "expected a message object; skipped", loc)
            return
        tz = self.ctx.options.timezone
        stamp = parse_stamp(msg.get("timestamp"), tz)
        if stamp is None:
            yield from self.warn("unreadable_time", f"the timestamp {msg.get('timestamp')!r} could not be read; skipped", loc)
            return
        author = _obj(msg.get("author"))
        mtype = id_text(msg.get("type")) or "Default"
        content = msg.get("content")
        ev = Event(
            timestamp=stamp.utc,
            platform=PLATFORM,
            kind="message" if mtype in _MESSAGE_TYPES else "call" if mtype == "Call" else "system",
            source=SourceRef(self.source.sha256, loc),
            sender=id_text(author.get("name")) or id_text(author.get("id")),
            text=content if isinstance(content, str) else "",
            thread=id_text(self.channel.get("id")),
        )
        if stamp.local:
            self.naive_seen = True
            ev.extra["shown_time"] = id_text(msg.get("timestamp"))
        if stamp.ambiguous:
            ev.time_ambiguous, ev.time_note = True, stamp.note
        extra = ev.extra
        mid = id_text(msg.get("id"))
        if mid:
            extra["message_id"] = mid
            if mid in self.seen_ids:
                yield from self.warn(
                    "duplicate_message_id",
                    f"message id {mid} appears more than once in the file; both copies are kept as the file holds them",
                    loc,
                )
            self.seen_ids.add(mid)
        if mtype not in ("Default",):
            extra["message_type"] = mtype
        for key, out in (("id", "author_id"), ("discriminator", "author_discriminator")):
            if id_text(author.get(key)):
                extra[out] = id_text(author[key])
        nick = id_text(author.get("nickname"))
        if nick and nick != ev.sender:
            extra["author_nickname"] = nick
        if author.get("isBot") is True:
            extra["author_is_bot"] = True
        self._channel_extra(extra)
        ref = msg.get("reference")
        if isinstance(ref, dict) and id_text(ref.get("messageId")):
            extra["reply_to"] = id_text(ref["messageId"])
        if mtype == "Call":
            ev.call_type = "call"
            ended = parse_stamp(msg.get("callEndedTimestamp"), tz)
            if ended is not None:
                ev.duration_s = max(0, round((ended.utc - stamp.utc).total_seconds()))
                extra["call_ended_at"] = ended.utc.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            else:
                extra["call_ended"] = False
        edited = parse_stamp(msg.get("timestampEdited"), tz)
        if edited is not None:
            ev.edited = True
            extra["edited_at"] = edited.utc.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        if msg.get("isPinned") is True:
            extra["pinned"] = True
        atts = [a for a in _list(msg.get("attachments")) if isinstance(a, dict)]
        if atts:
            ev.attachments = [Attachment(id_text(a.get("fileName")) or id_text(a.get("url"))) for a in atts]
            extra["attachment_urls"] = [id_text(a.get("url")) for a in atts]
            self.links += len(atts)
        reactions = []
        for r in _list(msg.get("reactions")):
            if isinstance(r, dict):
                emoji = _obj(r.get("emoji"))
                count = r.get("count")
                reactions.append({"emoji": id_text(emoji.get("name")), "count": _whole(count)})
        if reactions:
            extra["reactions"] = reactions
        mentions = [id_text(m.get("name")) for m in _list(msg.get("mentions")) if isinstance(m, dict)]
        if mentions:
            extra["mentions"] = mentions
        for key in ("stickers", "embeds"):
            if isinstance(msg.get(key), list) and msg[key]:
                extra[key] = len(msg[key])
        yield ev

    def _channel_extra(self, extra: dict[str, Any]) -> None:
        name = id_text(self.channel.get("name"))
        if name:
            extra["channel_name"] = name
        if id_text(self.channel.get("type")):
            extra["channel_type"] = id_text(self.channel["type"])
        guild = id_text(self.guild.get("name"))
        if guild and id_text(self.guild.get("id")) not in ("", "0"):
            extra["guild_name"] = guild


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A JSON array, or an empty list for anything else (``true``, a number, an object)."""
    return value if isinstance(value, list) else []


def _whole(value: Any) -> int | None:
    """A count as a whole number; ``None`` for booleans, NaN, infinities and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return int(value)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse one DiscordChatExporter JSON export."""
    yield from _Reader(source, ctx).run()


PARSER = ParserInfo(
    name="discord_chat_exporter",
    platform=PLATFORM,
    description="DiscordChatExporter JSON export of a Discord channel, DM or group DM (all participants' messages)",
    formats=("DiscordChatExporter .json",),
    sniff=sniff,
    parse=parse,
    media_types=("application/json", "text/plain"),
    limits=(
        "A third-party tool's export: it does not say who made it, so direction comes from the people file. Reactions "
        "have no time and are kept as counts on the message. Attachment files are not linked (URLs only); nothing is "
        "downloaded. The HTML, CSV and text formats of the tool are not read."
    ),
    references=("https://github.com/Tyrrrz/DiscordChatExporter",),
    identity_keys=("author_id",),
    fixtures=("discord_chat_exporter/*.json",),
    corpus_seeds=("discord/*.json",),
)
