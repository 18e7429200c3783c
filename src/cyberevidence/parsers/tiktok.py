"""TikTok "Download your data" (JSON): ``user_data.json`` / ``user_data_tiktok.json``.

``docs/formats/tiktok.md`` states the same rules for readers who do not read code.

Inputs
------
The zip as downloaded (member ``**/user_data.json`` or ``**/user_data_tiktok.json``, found
case-insensitively, derived before it is read; ``__MACOSX/._user_data.json`` is never taken), or
the unpacked ``user_data.json`` itself. The TXT flavour of the download is not read.

Key spellings
-------------
Keys are compared without case, spaces, dashes or underscores, and the spellings seen in the wild
are all accepted: the direct messages are under ``Direct Messages`` (older) or ``Direct Message``
(newer), then ``Chat History`` or ``Direct Messages``, then ``ChatHistory``: an object whose keys
are ``"Chat History with <user>:"`` and whose values are lists of ``{Date, From, Content}``. The
message text is ``Content``; some files (the public fake sample among them) write ``comment``
instead; which key was used is reported once (``text_key`` warning).

Events
------
* each DM is a ``message`` (``platform="tiktok"``): ``sender`` = From, ``thread`` = the user named
  in "Chat History with <user>:", ``recipients`` = the other party. The account holder is
  ``Profile.Profile Information.ProfileMap.userName``; with it, direction is ``outgoing`` when From is
  the holder and ``incoming`` otherwise (the file says who wrote each message).
* ``Comment.Comments.CommentsList`` (the holder's own comments, ``{Date, Comment}``): ``comment``
  events, ``outgoing``, ``thread`` = "TikTok comments" (the export does not say on which video).
* ``App Settings.Block.BlockList`` (``{Date, UserName}``): a ``system`` event "blocked by the account
  holder" per user, ``thread`` = that user.

Time zone
---------
DM, comment and block dates are written ``2023-01-01 12:00:00`` with **no zone**, and TikTok does
not document one (the same file writes login times with an explicit ``UTC``, which suggests but
does not prove that the others are UTC too). They are therefore read as local times in the given
zone, with an ``assumed_timezone`` warning when it is the default (pass ``--timezone UTC`` if the
examiner establishes that they are UTC); DST folds and gaps are flagged on the event and warned.

Locators are JSON paths: ``user_data.json:$['Direct Messages']['Chat History']['ChatHistory']
['Chat History with bob:'][3]``. A malformed entry is skipped with a warning at its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Final

from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers._social_download_common import DownloadClock, get_key, norm_key, text_of
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.inputs import Input, MemberPatterns, each_input, read_json, zip_has

PLATFORM: Final = "tiktok"
USER_DATA = MemberPatterns(("**/user_data.json", "**/user_data_tiktok.json"))
SNIFF_MARKERS: Final = (
    b'"Chat History with ',
    b'"ChatHistory"',
    b'"LoginHistoryList"',
    b'"ItemFavoriteList"',
    b'"FansList"',
    b'"ProfileMap"',
    b'"VideoBrowsingHistory',
    b'"Tiktok Shopping"',
)
THREAD_RX = re.compile(r"^\s*chat\s*history\s*with\s+(.*?)\s*:?\s*$", re.IGNORECASE)
DATE_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
COMMENTS_THREAD: Final = "TikTok comments"


def sniff(source: SourceFile, head: bytes) -> bool:
    """The zip holds user_data.json, or a JSON object that carries TikTok's own key names. Never raises."""
    try:
        if zip_has(source, head, USER_DATA):
            return True
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return start == b"{" and sum(m in head for m in SNIFF_MARKERS) >= 2
    except Exception:
        return False


def _path(parts: list[str | int]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f"[{p!r}]"
    return out


def _child(obj: object, *names: str) -> tuple[str, Any] | None:
    """The first (key, value) of ``obj`` whose normalised key is one of ``names``."""
    if not isinstance(obj, dict):
        return None
    for key, value in obj.items():
        if norm_key(key) in names:
            return key, value
    return None


def thread_name(key: str) -> str:
    m = THREAD_RX.match(key)
    return m.group(1) if m else key.strip()


class _Reader:
    def __init__(self, source: SourceFile, ctx: ParseContext, item: Input) -> None:
        self.source = source
        self.item = item
        self.clock = DownloadClock(ctx, source.name, "TikTok writes these dates without a zone and does not document one.")
        self.owner = ""
        self.text_keys: dict[str, int] = {}

    def warn(self, code: str, message: str, parts: list[str | int] | None = None) -> ParseWarning:
        locator = self.item.prefix + (_path(parts) if parts is not None else "")
        return ParseWarning(code, message, locator=locator, file=self.source.name)

    def run(self) -> Iterator[Event | ParseWarning]:
        data, problems = read_json(self.item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        if not isinstance(data, dict):
            yield self.warn("unexpected_shape", "the file is not a JSON object; nothing read", [])
            return
        profile = get_key(get_key(get_key(data, "Profile"), "Profile Information", "Profile Info"), "ProfileMap")
        owner = get_key(profile, "userName")
        if isinstance(owner, str) and owner.strip():
            self.owner = owner.strip()
        else:
            yield self.warn("no_owner", "no Profile userName was found, so the direction of messages is not set", [])
        yield from self._dms(data)
        yield from self._comments(data)
        yield from self._blocks(data)
        for key, n in self.text_keys.items():
            if key != "content":
                yield self.warn("text_key", f"{n} message(s) carry their text under {key!r} instead of 'Content'; read as text")

    # direct messages ---------------------------------------------------------------------------

    def _dms(self, data: dict[str, Any]) -> Iterator[Event | ParseWarning]:
        root = _child(data, "directmessages", "directmessage")
        if root is None:
            yield self.warn("no_messages", "this TikTok download has no 'Direct Messages' section", [])
            return
        mid = _child(root[1], "chathistory", "directmessages")
        hist = _child(mid[1], "chathistory") if mid is not None else None
        if mid is None or hist is None or not isinstance(hist[1], dict):
            yield self.warn(
                "unexpected_shape", "the 'Direct Messages' section has no ChatHistory object; no messages read", [root[0]]
            )
            return
        base: list[str | int] = [root[0], mid[0], hist[0]]
        for key, messages in hist[1].items():
            where = [*base, key]
            other = thread_name(key)
            if messages is None:
                continue
            if not isinstance(messages, list):
                yield self.warn("unexpected_shape", "this chat is not a list of messages; skipped", where)
                continue
            for i, msg in enumerate(messages):
                yield from self._dm(msg, other, [*where, i])

    def _dm(self, msg: object, other: str, where: list[str | int]) -> Iterator[Event | ParseWarning]:
        if not isinstance(msg, dict):
            yield self.warn("unreadable_message", "this message is not an object; skipped", where)
            return
        when = self._time(msg, where)
        if when is None:
            yield self.warn(
                "unreadable_date", f"this message's Date {text_of(get_key(msg, 'Date'))!r} could not be read; skipped", where
            )
            return
        sender = text_of(get_key(msg, "From")).strip()
        text_key = next((k for k in msg if norm_key(k) in ("content", "comment", "text")), None)
        if text_key is not None:
            self.text_keys[text_key.casefold()] = self.text_keys.get(text_key.casefold(), 0) + 1
        event = self._event(when, "message", sender, text_of(msg.get(text_key)) if text_key else "", other, where)
        if self.owner:
            if sender == self.owner:
                event.direction = "outgoing"
                event.recipients = [other]
            else:
                event.direction = "incoming"
                event.recipients = [self.owner]
        yield from self.clock.drain()
        yield event

    # comments and blocks ----------------------------------------------------------------------

    def _comments(self, data: dict[str, Any]) -> Iterator[Event | ParseWarning]:
        root = _child(data, "comment", "comments")
        mid = _child(root[1], "comments") if root else None
        found = _child(mid[1], "commentslist") if mid else None
        if root is None or mid is None or found is None or not isinstance(found[1], list):
            return
        for i, item in enumerate(found[1]):
            where: list[str | int] = [root[0], mid[0], found[0], i]
            if not isinstance(item, dict):
                yield self.warn("unreadable_comment", "this comment is not an object; skipped", where)
                continue
            when = self._time(item, where)
            if when is None:
                yield self.warn("unreadable_date", "this comment's Date could not be read; skipped", where)
                continue
            event = self._event(when, "comment", self.owner, text_of(get_key(item, "Comment", "comment")), COMMENTS_THREAD, where)
            event.direction = "outgoing"
            yield from self.clock.drain()
            yield event

    def _blocks(self, data: dict[str, Any]) -> Iterator[Event | ParseWarning]:
        settings = _child(data, "appsettings")
        block = _child(settings[1], "block", "blocklist") if settings else None
        found = _child(block[1], "blocklist") if block else None
        if settings is None or block is None or found is None or not isinstance(found[1], list):
            return
        for i, item in enumerate(found[1]):
            where: list[str | int] = [settings[0], block[0], found[0], i]
            user = text_of(get_key(item, "UserName")).strip() if isinstance(item, dict) else ""
            when = self._time(item, where) if isinstance(item, dict) else None
            if when is None or not user:
                yield self.warn(
                    "unreadable_block", "this entry of the block list has no readable Date or UserName; skipped", where
                )
                continue
            event = self._event(when, "system", "", f"{user} was blocked by the account holder", user, where)
            event.extra["action"] = "blocked"
            event.extra["user"] = user
            yield from self.clock.drain()
            yield event

    # shared -----------------------------------------------------------------------------------

    def _time(self, item: dict[str, Any], where: list[str | int]) -> tuple[datetime, bool, str, str] | None:
        shown = get_key(item, "Date")
        if not isinstance(shown, str):
            return None
        text = shown.strip()
        if text.upper().endswith(" UTC"):
            for fmt in DATE_FORMATS:
                try:
                    return datetime.strptime(text[:-4].strip(), fmt).replace(tzinfo=timezone.utc), False, "", shown
                except ValueError:
                    continue
            return None
        for fmt in DATE_FORMATS:
            try:
                naive = datetime.strptime(text, fmt)
            except ValueError:
                continue
            conv = self.clock.convert(naive, self.item.prefix + _path(where))
            return conv.utc, conv.ambiguous, conv.note, shown
        return None

    def _event(
        self, when: tuple[datetime, bool, str, str], kind: str, sender: str, text: str, thread: str, where: list[str | int]
    ) -> Event:
        utc, ambiguous, note, shown = when
        return Event(
            timestamp=utc,
            platform=PLATFORM,
            kind=kind,
            source=SourceRef(self.source.sha256, self.item.prefix + _path(where)),
            sender=sender,
            text=text,
            thread=thread,
            time_ambiguous=ambiguous,
            time_note=note,
            extra={"shown_time": shown},
        )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a TikTok JSON download (the zip, or user_data.json)."""

    def read(item: Input) -> Iterator[Event | ParseWarning]:
        return _Reader(source, ctx, item).run()

    missing = ParseWarning("no_user_data", "this zip holds no user_data.json; nothing read", file=source.name)
    yield from each_input(source, ctx, USER_DATA, read, missing)


PARSER = ParserInfo(
    name="tiktok",
    platform=PLATFORM,
    description="TikTok 'Download your data' (JSON): direct messages, the account holder's comments, blocked users",
    formats=("TikTok data download .zip (JSON)", "TikTok user_data.json / user_data_tiktok.json"),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/json", "text/plain"),
    limits=(
        "Dates carry no zone and TikTok does not document one: read in the given zone (default assumed, with a warning). "
        "Videos shared in DMs are not in the export (only the text). The TXT flavour of the download is not read. "
        "Followers, following, likes and watch history are not turned into events."
    ),
    fixtures=("tiktok/*.zip", "tiktok/*.json"),
    corpus_seeds=("tiktok/*.zip",),
)
