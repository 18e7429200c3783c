"""Snapchat "My Data" download: ``chat_history.json`` (both layouts) and ``friends.json``.

``docs/formats/snapchat.md`` states the same rules for readers who do not read code.

Inputs
------
The zip as downloaded (``mydata~<number>.zip``; members ``**/chat_history.json`` and
``**/friends.json`` found case-insensitively in ``json/`` or wherever the layout puts them, each
derived before it is read), or one unpacked ``chat_history.json`` / ``friends.json``. The HTML
flavour of the download is not read.

chat_history.json, old layout (until about 2022)
------------------------------------------------
``{"Received Saved Chat History": [{From, Media Type, Created, Text}], "Sent Saved Chat History":
[{To, Media Type, Created, Text}]}`` (also the unsaved ``Received/Sent Chat History`` spellings).
The list says the direction: received ⇒ ``incoming`` with ``sender`` = From, ``thread`` = From;
sent ⇒ ``outgoing`` with ``recipients`` = [To], ``thread`` = To (the file does not name the
account holder, so ``sender`` stays empty).

chat_history.json, per-conversation layout (newer)
--------------------------------------------------
``{"<conversation id or username>": [{From, Media Type, Created, Content, Conversation Title,
IsSender, Created(microseconds), IsSaved, Media IDs}]}``. ``sender`` = From, ``thread`` =
Conversation Title (group chats) or the key; IsSender true ⇒ ``outgoing`` (and the key is the
recipient of a one-to-one chat), false ⇒ ``incoming``.

Times
-----
``Created`` is ``2021-01-01 12:00:00 UTC``. ``Created(microseconds)``, despite its name, very often
holds *milliseconds*. Its unit is decided by magnitude (below 10^11 seconds, below 10^14
milliseconds, below 10^17 microseconds); the decision is kept per event in
``extra["created_unit"]`` and summarised once per file by a ``created_unit`` warning (how many
values were read as ms and as µs). The precise value is used when it agrees with ``Created`` to
within a second; when they disagree, ``Created`` is used, the event is ``time_ambiguous`` with a
note and a ``time_mismatch`` warning, and both values are kept in ``extra``. A message with
neither is skipped with a warning.

Text and media
--------------
Text (``Text`` or ``Content``) is kept exactly as written (HTML entities such as ``&#39;`` are not
decoded). ``Media Type`` is kept in ``extra["media_type"]`` and ``Media IDs`` in
``extra["media_ids"]``; a non-TEXT message without text is ``media_omitted`` (the media files are
not linked to messages).

friends.json
------------
Lists of ``{Username, Display Name, Creation Timestamp, Last Modified Timestamp, Source}``. Each
entry becomes one event at its ``Creation Timestamp`` (no time is invented: an entry without one
is skipped with a warning); ``Last Modified Timestamp`` and Source are kept in ``extra``; ``thread``
= Username (so it becomes the ``person``); ``extra["list"]`` names the list:

* ``Friends`` → ``friend_request`` (status "friends"); ``Friend Requests Sent`` → ``friend_request``,
  ``outgoing``; ``Pending Requests`` → ``friend_request``, ``incoming`` with ``sender`` = Username;
* ``Blocked Users``, ``Deleted Friends``, ``Ignored Snapchatters`` → ``system`` (a fact about the
  relationship, not contact). Snapchat does not document whether the Creation Timestamp of a blocked
  user is when the block was made; the Last Modified Timestamp is kept beside it;
* other lists (``Hidden Friend Suggestions``, ``Shortcuts`` …) are counted in a ``not_read`` warning.

Locators: ``json/chat_history.json:$['Received Saved Chat History'][3]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers._social_download_common import get_key, norm_key, parse_utc_text, text_of
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.epochs import epoch_any_unit
from cyberevidence.parsers.kit.inputs import Input, MemberPatterns, each_input, read_json, zip_has

PLATFORM: Final = "snapchat"
CHAT = MemberPatterns(("**/chat_history.json",))
FRIENDS = MemberPatterns(("**/friends.json",))
WANTED = MemberPatterns(("**/chat_history.json", "**/friends.json"))
SNAP_MARKERS = MemberPatterns(("**/snap_history.json", "**/account.json", "**/memories_history.json", "**/chat_history.json"))
UTC_FORMATS: Final = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S")
OLD_KEYS: Final = {
    "receivedsavedchathistory": "incoming",
    "sentsavedchathistory": "outgoing",
    "receivedchathistory": "incoming",
    "sentchathistory": "outgoing",
}
FRIEND_LISTS: Final = {
    "friends": ("friend_request", "friends", "unknown"),
    "friendrequestssent": ("friend_request", "request_sent", "outgoing"),
    "pendingrequests": ("friend_request", "request_received", "incoming"),
    "blockedusers": ("system", "blocked", "unknown"),
    "deletedfriends": ("system", "deleted", "unknown"),
    "ignoredsnapchatters": ("system", "ignored", "unknown"),
}
CHAT_HEAD_MARKERS: Final = (b"Saved Chat History", b'"Conversation Title"', b'"IsSender"', b'"Created(microseconds)"')
FRIEND_HEAD_MARKERS: Final = (b'"Friend Requests Sent"', b'"Blocked Users"', b'"Deleted Friends"', b'"Pending Requests"')


def sniff(source: SourceFile, head: bytes) -> bool:
    """A zip with chat_history.json or friends.json (plus another Snapchat file), or their JSON. Never raises."""
    try:
        if zip_has(source, head, CHAT) or (zip_has(source, head, FRIENDS) and zip_has(source, head, SNAP_MARKERS)):
            return True
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
            return False
        if any(m in head for m in CHAT_HEAD_MARKERS) and b'"Media Type"' in head:
            return True
        return any(m in head for m in FRIEND_HEAD_MARKERS) and b'"Username"' in head
    except Exception:
        return False


def _path(parts: list[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f"[{p!r}]" for p in parts)


class _Reader:
    def __init__(self, source: SourceFile, ctx: ParseContext, item: Input) -> None:
        self.source = source
        self.item = item
        self.units: dict[str, int] = {}

    def warn(self, code: str, message: str, parts: list[str | int] | None = None) -> ParseWarning:
        return ParseWarning(code, message, locator=self.item.prefix + _path(parts or []), file=self.source.name)

    def loc(self, parts: list[str | int]) -> str:
        return self.item.prefix + _path(parts)

    def run(self) -> Iterator[Event | ParseWarning]:
        data, problems = read_json(self.item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        if not isinstance(data, dict):
            yield self.warn("unexpected_shape", "the file is not a JSON object; nothing read")
            return
        base = self.item.basename.casefold()
        keys = {norm_key(k) for k in data}
        is_friends = base == "friends.json" or (base != "chat_history.json" and bool(keys & FRIEND_LISTS.keys()))
        if is_friends:
            yield from self._friends(data)
        else:
            yield from self._chats(data)

    # chat_history.json -------------------------------------------------------------------------

    def _chats(self, data: dict[str, Any]) -> Iterator[Event | ParseWarning]:
        old = [k for k in data if norm_key(k) in OLD_KEYS]
        if old:
            yield self.warn("layout", "chat_history.json in the old layout (Received/Sent Saved Chat History)")
            for key in old:
                direction = OLD_KEYS[norm_key(key)]
                yield from self._list(data[key], [key], direction, None)
        else:
            yield self.warn("layout", f"chat_history.json in the per-conversation layout ({len(data)} conversation(s))")
            for key, messages in data.items():
                yield from self._list(messages, [key], None, key)
        if self.units:
            summary = ", ".join(
                f"{n} as {'milliseconds' if u == 'ms' else 'microseconds' if u == 'us' else 'seconds'}"
                for u, n in sorted(self.units.items())
            )
            yield self.warn(
                "created_unit",
                "the field 'Created(microseconds)' was read by magnitude (below 10^14: milliseconds, below 10^17: "
                f"microseconds): {summary}",
            )

    def _list(
        self, messages: object, where: list[str | int], direction: str | None, conv: str | None
    ) -> Iterator[Event | ParseWarning]:
        if not isinstance(messages, list):
            yield self.warn("unexpected_shape", "this conversation is not a list of messages; skipped", where)
            return
        for i, msg in enumerate(messages):
            at: list[str | int] = [*where, i]
            if not isinstance(msg, dict):
                yield self.warn("unreadable_message", "this message is not an object; skipped", at)
                continue
            yield from self._message(msg, at, direction, conv)

    def _time(self, msg: dict[str, Any], at: list[str | int]) -> tuple[datetime, dict[str, Any], str, list[ParseWarning]] | None:
        shown = get_key(msg, "Created")
        coarse = parse_utc_text(shown, UTC_FORMATS)
        precise_raw = next((v for k, v in msg.items() if norm_key(k).startswith("created(")), None)
        extra: dict[str, Any] = {}
        warnings: list[ParseWarning] = []
        if isinstance(shown, str):
            extra["shown_time"] = shown
        precise = epoch_any_unit(precise_raw) if precise_raw is not None else None
        if precise_raw is not None and precise is None:
            warnings.append(
                self.warn("unreadable_time", f"'Created(microseconds)' value {precise_raw!r} is not an epoch number", at)
            )
        if precise is not None:
            moment, unit = precise
            self.units[unit] = self.units.get(unit, 0) + 1
            extra["created_unit"] = unit
            extra["created_precise"] = precise_raw
            if coarse is None or abs((moment - coarse).total_seconds()) < 1:
                return moment, extra, "", warnings
            note = (
                f"'Created' ({shown}) and 'Created(microseconds)' ({precise_raw}, read as {unit}) disagree by "
                f"{abs((moment - coarse).total_seconds()):.0f} s; 'Created' was used"
            )
            warnings.append(self.warn("time_mismatch", note, at))
            return coarse, extra, note, warnings
        if coarse is None:
            return None
        return coarse, extra, "", warnings

    def _message(
        self, msg: dict[str, Any], at: list[str | int], direction: str | None, conv: str | None
    ) -> Iterator[Event | ParseWarning]:
        when = self._time(msg, at)
        if when is None:
            yield self.warn(
                "unreadable_date", f"this message has no readable 'Created' time ({get_key(msg, 'Created')!r}); skipped", at
            )
            return
        utc, extra, note, warnings = when
        yield from warnings
        media_type = text_of(get_key(msg, "Media Type")).strip()
        text = text_of(get_key(msg, "Content") if get_key(msg, "Content") is not None else get_key(msg, "Text"))
        if media_type:
            extra["media_type"] = media_type
        media_ids = get_key(msg, "Media IDs")
        if media_ids:
            extra["media_ids"] = text_of(media_ids)
        saved = get_key(msg, "IsSaved")
        if isinstance(saved, bool):
            extra["saved"] = saved
        event = Event(
            timestamp=utc,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(self.source.sha256, self.loc(at)),
            text=text,
            time_ambiguous=bool(note),
            time_note=note,
            extra=extra,
            media_omitted=bool(media_type) and media_type.upper() != "TEXT" and not text,
        )
        if conv is None:  # old layout: the list names the direction
            if direction == "incoming":
                event.sender = text_of(get_key(msg, "From")).strip()
                event.thread = event.sender
            else:
                to = text_of(get_key(msg, "To")).strip()
                event.recipients = [to] if to else []
                event.thread = to
            event.direction = "incoming" if direction == "incoming" else "outgoing"
        else:
            event.sender = text_of(get_key(msg, "From")).strip()
            title = get_key(msg, "Conversation Title")
            event.thread = text_of(title).strip() if title else conv
            is_sender = get_key(msg, "IsSender")
            if is_sender is True:
                event.direction = "outgoing"
                if not title:
                    event.recipients = [conv]
            elif is_sender is False:
                event.direction = "incoming"
        yield event

    # friends.json ------------------------------------------------------------------------------

    def _friends(self, data: dict[str, Any]) -> Iterator[Event | ParseWarning]:
        skipped: list[str] = []
        for key, entries in data.items():
            rule = FRIEND_LISTS.get(norm_key(key))
            if rule is None:
                if isinstance(entries, list) and entries:
                    skipped.append(f"{key} ({len(entries)})")
                continue
            if not isinstance(entries, list):
                yield self.warn("unexpected_shape", f"'{key}' is not a list; skipped", [key])
                continue
            kind, status, direction = rule
            for i, entry in enumerate(entries):
                at: list[str | int] = [key, i]
                if not isinstance(entry, dict):
                    yield self.warn("unreadable_entry", "this entry is not an object; skipped", at)
                    continue
                user = text_of(get_key(entry, "Username")).strip()
                shown = get_key(entry, "Creation Timestamp")
                utc = parse_utc_text(shown, UTC_FORMATS)
                if not user or utc is None:
                    yield self.warn(
                        "unreadable_entry",
                        f"this entry has no Username or no readable Creation Timestamp ({shown!r}); skipped",
                        at,
                    )
                    continue
                display = text_of(get_key(entry, "Display Name")).strip()
                extra: dict[str, Any] = {"list": key, "status": status, "shown_time": shown}
                for field, name in (
                    ("Display Name", "display_name"),
                    ("Last Modified Timestamp", "last_modified"),
                    ("Source", "source"),
                ):
                    value = get_key(entry, field)
                    if value:
                        extra[name] = text_of(value)
                label = f"{user} ({display})" if display else user
                event = Event(
                    timestamp=utc,
                    platform=PLATFORM,
                    kind=kind,
                    source=SourceRef(self.source.sha256, self.loc(at)),
                    text=f"{key}: {label}",
                    thread=user,
                    extra=extra,
                )
                if direction == "outgoing":
                    event.direction = "outgoing"
                    event.recipients = [user]
                elif direction == "incoming":
                    event.direction = "incoming"
                    event.sender = user
                yield event
        if skipped:
            yield self.warn(
                "not_read", "these friends.json lists are not evidence of contact and were not read: " + ", ".join(skipped)
            )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a Snapchat My Data download (the zip, chat_history.json or friends.json)."""

    def read(item: Input) -> Iterator[Event | ParseWarning]:
        return _Reader(source, ctx, item).run()

    missing = ParseWarning(
        "no_chat_history", "this zip holds no chat_history.json or friends.json; nothing read", file=source.name
    )
    yield from each_input(source, ctx, WANTED, read, missing)


PARSER = ParserInfo(
    name="snapchat",
    platform=PLATFORM,
    description="Snapchat My Data download (JSON): chat_history.json in both layouts, friends.json",
    formats=(
        "Snapchat My Data .zip (JSON)",
        "Snapchat chat_history.json (Received/Sent Saved Chat History)",
        "Snapchat chat_history.json (per conversation)",
        "Snapchat friends.json",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/json", "text/plain"),
    limits=(
        "Only chats the export contains (older downloads hold saved chats only). Chat media files are not linked to "
        "messages. snap_history.json (snaps sent and received, without content) and the HTML flavour are not read. "
        "HTML entities in texts are kept as written."
    ),
    fixtures=("snapchat/*.zip", "snapchat/*.json", "snapchat/*/chat_history.json"),
)
