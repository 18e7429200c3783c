"""Telegram Desktop "Export chat history" in HTML (``messages.html``, ``messages2.html`` ...).

``docs/formats/telegram_html.md`` says the same for readers who do not read code.

Input
-----
One page at a time (Telegram writes at most 1000 messages per page, a few MB). The page is
parsed with BeautifulSoup and lxml; scripts, styles and links are never run or fetched. Pages
larger than :data:`MAX_PAGE_BYTES` are refused (a real page is far smaller).

Messages
--------
* ``div.message.default`` is a message. Its sender is ``div.from_name``; a ``joined`` message
  (same sender within 15 minutes) has none and takes the sender of the message before it
  (``extra["sender_inherited"]``). " via @bot" after the name goes to ``extra["via_bot"]``.
* ``div.text`` is the text (``<br>`` → newline, links kept as text, their URLs in
  ``extra["links"]``). ``div.forwarded`` → ``extra["forwarded_from"]`` (and its date as shown);
  ``div.reply_to`` → ``extra["reply_to_message_id"]`` (from ``#go_to_messageN``), or
  ``extra["reply_to_other_chat"]``; ``div.signature`` → ``extra["author"]``.
* Media links (``photo_wrap``, ``video_file_wrap``, ``sticker_wrap``, ``animated_wrap`` and the
  generic ``media`` blocks) are paths relative to the export folder and are linked to the file
  acquired beside the page at that relative path (``source.siblings``, stored digest reused); a
  link to an ``http(s)`` address (e.g. a map) is kept in ``extra["links"]``, never fetched. The
  description "Not included, change data exporting settings to download." (or "Exceeds maximum
  size" / "Unavailable") means ``media_omitted=True``.
* A call (``media_call``) is ``kind="call"``, ``call_type="call"``; its status states the
  direction ("Incoming", "Outgoing", "Missed", "Cancelled", "Declined"), which is used, and
  "(N seconds)" gives ``duration_s``.
* ``div.message.service`` blocks carry **no time** in this format. Date separators ("23 August
  2023") are skipped; every other service notice is reported as an ``untimed_service`` warning
  with its text and locator instead of being placed on the timeline at a guessed time.

Time (one stated rule per page)
-------------------------------
``div.date.details`` has ``title="24.11.2025 18:03:11 UTC+00:00"``: the local time of the
computer that made the export, and an offset. Telegram Desktop writes the **standard (winter)
offset of that computer's zone**, not the offset in force on that date (it asks Qt for the zone's
``StandardTime`` name), so a summer message in London shows ``UTC+00:00`` though the clock read
BST, and the corpus' Los Angeles sample shows ``UTC-08:00`` in August. Therefore:

1. If the titles of the page show **more than one offset**, the offsets change with the date, so
   they are the offsets in force: each time is read with its own offset (no assumption).
2. If they all show **one offset** and ``ctx.options.timezone``'s standard offset on that date is
   that offset, the local time is read in that zone, DST included (fold: first pass unless the
   order of messages shows the second; gap: offset before the change; both flagged). When the
   zone is only the case default an ``assumed_timezone`` warning says so.
3. Otherwise (the zone does not fit the offset) the time is read with the stated offset, and
   each event is ``time_ambiguous`` with a note: if summer time was in force where the export was
   made, the true instant is earlier by the DST difference (usually one hour).
4. Titles without an offset (older versions) are local times read in ``ctx.options.timezone``.

The rule used is recorded once per page as an ``html_time_rule`` warning.

Events: ``platform="telegram"``, ``thread`` = the page header (the chat name), ``source`` locator
``#message123`` (the element id), else ``div.message[N]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Final
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._telegram_common import PLATFORM
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.clock import FoldPolicy, LocalClock, describe_offset
from cyberevidence.parsers.kit.media import SiblingMedia
from cyberevidence.parsers.kit.notes import assumed_timezone

MAX_PAGE_BYTES: Final = 64 * 1024 * 1024

_TITLE_RE: Final = re.compile(
    r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*UTC\s*([+-])(\d{1,2}):?(\d{2}))?"
)
_DATE_SEPARATOR_RE: Final = re.compile(
    r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"
)
_REPLY_RE: Final = re.compile(r"go_to_message(-?\d+)")
_VIA_RE: Final = re.compile(r"^(.*?)\s+via @([A-Za-z0-9_]{1,64})$", re.S)
_SECONDS_RE: Final = re.compile(r"\((\d+) seconds?\)")
_BR: Final = "\ue000"
_OMITTED: Final = ("Not included", "Exceeds maximum size", "Unavailable")
_MEDIA_LINK_CLASSES: Final = ("photo_wrap", "video_file_wrap", "sticker_wrap", "animated_wrap", "media")

_SNIFF_HEADER = re.compile(rb'<div class="page_header"')
_SNIFF_BODY = re.compile(rb'class="(?:message (?:default|service)|history|page_body chat_page)')


def sniff(source: SourceFile, head: bytes) -> bool:
    """A Telegram Desktop chat page: its page header and message/history markers. Never raises."""
    try:
        return bool(_SNIFF_HEADER.search(head) and _SNIFF_BODY.search(head))
    except Exception:  # a sniffer must never break detection
        return False


# -- small readers --------------------------------------------------------------------------


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "").split()


def _child_div(parent: Tag, cls: str) -> Tag | None:
    for child in parent.children:
        if isinstance(child, Tag) and child.name == "div" and cls in _classes(child):
            return child
    return None


def _text_of(tag: Tag) -> str:
    """Visible text with ``<br>`` as newlines and the export's indentation removed."""
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name == "br":
            parts.append(_BR)
        elif type(node) is NavigableString:  # not comments, CDATA, scripts or styles
            parent = node.parent
            if parent is not None and parent.name in ("script", "style"):
                continue
            parts.append(str(node))
    return "".join(parts).strip().replace(_BR, "\n")


def _own_text(tag: Tag) -> str:
    """Text of ``tag`` without its child elements (e.g. a name without its date span)."""
    return "".join(str(c) for c in tag.children if type(c) is NavigableString).strip()


@dataclass(frozen=True, slots=True)
class Shown:
    """A ``title`` as written: local wall time and the stated offset (None when absent)."""

    local: datetime
    offset: timedelta | None
    raw: str


def read_title(title: str) -> Shown | None:
    m = _TITLE_RE.match(title)
    if m is None:
        return None
    d, mo, y, h, mi, s = (int(g) if g else 0 for g in m.groups()[:6])
    try:
        local = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    offset = None
    if m.group(7):
        minutes = int(m.group(8)) * 60 + int(m.group(9))
        if minutes > 18 * 60:
            return None
        offset = timedelta(minutes=minutes if m.group(7) == "+" else -minutes)
    return Shown(local, offset, title.split("\n")[0].strip())


def _standard_offset(tz: ZoneInfo, local: datetime) -> timedelta | None:
    aware = local.replace(tzinfo=tz)
    off, dst = aware.utcoffset(), aware.dst()
    if off is None:
        return None
    return off - (dst or timedelta(0))


# -- the reader -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    thread: str
    rule: str = ""
    offsets: set[timedelta | None] = field(default_factory=set)
    #: ``None``: the page header names the chat (its identity); ``""``: the thread is the file name,
    #: a display label only (docs/dedupe.md).
    conversation: str | None = None


class HtmlReader:
    def __init__(self, source: SourceFile, ctx: ParseContext) -> None:
        self.source = source
        self.ctx = ctx
        self.tz = ctx.options.timezone
        self.file = source.name
        self.linker = SiblingMedia(source.siblings)
        self.clock = LocalClock(self.tz, FoldPolicy.BY_ORDER)
        self.prev_sender = ""
        self.mismatch = False
        self.assumed_done = False

    def warn(self, code: str, message: str, locator: str = "") -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=locator, file=self.file)

    def run(self) -> Iterator[Event | ParseWarning]:
        if self.source.path.stat().st_size > MAX_PAGE_BYTES:
            raise ParseError(
                f"this HTML page is larger than {MAX_PAGE_BYTES // (1024 * 1024)} MiB; Telegram Desktop writes pages of at most "
                "1000 messages",
                file=self.file,
                hint="Check that this is an unmodified Telegram Desktop export page.",
            )
        data = self.source.path.read_bytes()
        try:
            soup = BeautifulSoup(data, "lxml")
        except ValueError as exc:  # lxml refuses some control bytes outright
            raise ParseError(f"the HTML page cannot be read: {exc}", file=self.file) from None
        header = soup.select_one("div.page_header div.text")
        thread = _text_of(header) if header is not None else ""
        page = _Page(thread or self.file, conversation=None if thread else "")
        blocks = [b for b in soup.find_all("div", class_="message") if isinstance(b, Tag)]
        if not blocks and soup.select_one("div.history") is None:
            raise ParseError(
                "no Telegram messages were found on this page (no div.history / div.message)",
                file=self.file,
                hint="Add the chat's messages.html pages, not the export's index or lists pages.",
            )
        for block in blocks:
            title = self._date_div(block)
            if title is not None:
                shown = read_title(str(title.get("title") or ""))
                if shown is not None:
                    page.offsets.add(shown.offset)
        yield from self._rule(page)
        for index, block in enumerate(blocks):
            ident = str(block.get("id") or "")
            locator = f"#{ident}" if ident else f"div.message[{index}]"
            try:
                yield from self._block(block, page, locator)
            except (ValueError, TypeError, AttributeError) as exc:
                yield from self.warn("unreadable_message", f"this message has an unexpected shape ({exc}); skipped", locator)

    # the page's time rule ---------------------------------------------------------------------

    def _rule(self, page: _Page) -> Iterator[ParseWarning]:
        stated = {o for o in page.offsets if o is not None}
        zone = self.tz.key
        if None in page.offsets:
            page.rule = "local"
            yield from self.warn(
                "html_time_rule",
                f"some times on this page carry no UTC offset; they are local times read as {zone}",
            )
        if len(stated) > 1:
            page.rule = page.rule or "stated"
            listed = ", ".join(describe_offset(o) for o in sorted(stated))
            yield from self.warn(
                "html_time_rule",
                f"the times on this page state several UTC offsets ({listed}), so they are the offsets in force on each "
                "date; each time was read with its own offset",
            )
        elif len(stated) == 1:
            page.rule = page.rule or "single"
            (offset,) = stated
            yield from self.warn(
                "html_time_rule",
                f"every time on this page states {describe_offset(offset)}. Telegram Desktop writes the standard (winter) offset "
                f"of the exporting computer's zone, not the offset in force on the date; where {zone}'s standard offset is "
                f"{describe_offset(offset)} the local times were read in {zone} with its summer time, elsewhere with the "
                "stated offset and flagged",
            )

    def _assumed(self) -> Iterator[ParseWarning]:
        if self.assumed_done or not self.ctx.options.timezone_assumed:
            return
        self.assumed_done = True
        yield assumed_timezone(self.tz, file=self.file, what="the page's local times")

    def _instant(self, shown: Shown, page: _Page, locator: str) -> tuple[datetime, bool, str, list[ParseWarning]]:
        notes: list[ParseWarning] = []
        if shown.offset is None:
            notes.extend(self._assumed())
            c = self.clock.convert(shown.local)
            if c.gap or c.fold:
                notes.extend(self.warn("nonexistent_time" if c.gap else "ambiguous_time", c.note, locator))
            return c.utc, c.ambiguous, c.note, notes
        literal = (shown.local - shown.offset).replace(tzinfo=timezone.utc)
        if page.rule == "stated":
            self.clock.note_instant(literal)
            return literal, False, "", notes
        if _standard_offset(self.tz, shown.local) == shown.offset:
            notes.extend(self._assumed())
            c = self.clock.convert(shown.local)
            if c.gap or c.fold:
                notes.extend(self.warn("nonexistent_time" if c.gap else "ambiguous_time", c.note, locator))
            return c.utc, c.ambiguous, c.note, notes
        self.clock.note_instant(literal)
        note = (
            f"read with the stated offset {describe_offset(shown.offset)}, which Telegram Desktop writes as the exporting "
            f"computer's standard offset; {self.tz.key} does not have that standard offset, so if summer time was in force "
            "there the true instant is earlier by the summer-time difference (usually one hour)"
        )
        if not self.mismatch:
            self.mismatch = True
            notes.extend(
                self.warn(
                    "timezone_mismatch",
                    f"this page's offset {describe_offset(shown.offset)} is not the standard offset of {self.tz.key}; times were "
                    "read with the stated offset and flagged. Parse again with --timezone set to the exporting computer's zone",
                    locator,
                )
            )
        return literal, True, note, notes

    # one block --------------------------------------------------------------------------------

    @staticmethod
    def _date_div(block: Tag) -> Tag | None:
        body = _child_div(block, "body")
        if body is None:
            return None
        for child in body.children:
            if isinstance(child, Tag) and child.name == "div" and {"date", "details"} <= set(_classes(child)):
                return child
        return None

    def _block(self, block: Tag, page: _Page, locator: str) -> Iterator[Event | ParseWarning]:
        classes = _classes(block)
        body = _child_div(block, "body")
        if "service" in classes:
            text = _text_of(body) if body is not None else _text_of(block)
            if _DATE_SEPARATOR_RE.fullmatch(text) or not text:
                return
            yield from self.warn(
                "untimed_service",
                f"service notice without a time in the HTML export, not placed on the timeline: {text!r}",
                locator,
            )
            return
        if "default" not in classes or body is None:
            yield from self.warn("unreadable_message", "a message block of an unknown kind; skipped", locator)
            return
        date_div = self._date_div(block)
        shown = read_title(str(date_div.get("title") or "")) if date_div is not None else None
        if shown is None:
            yield from self.warn("no_time", "this message has no readable date title; skipped", locator)
            return
        utc, ambiguous, note, notes = self._instant(shown, page, locator)
        yield from notes
        event = Event(
            timestamp=utc,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(self.source.sha256, locator),
            thread=page.thread,
            conversation=page.conversation,
            time_ambiguous=ambiguous,
            time_note=note,
        )
        extra = event.extra
        extra["shown_time"] = shown.raw
        ident = str(block.get("id") or "")
        if ident.startswith("message") and ident[7:].lstrip("-").isdigit():
            extra["message_id"] = int(ident[7:])
        if "Edited" in str(date_div.get("title") if date_div is not None else ""):
            event.edited = True
        name_div = _child_div(body, "from_name")
        if name_div is not None:
            name = _text_of(name_div)
            m = _VIA_RE.match(name)
            if m:
                name = m.group(1).strip()
                extra["via_bot"] = "@" + m.group(2)
            event.sender = name
            self.prev_sender = name
        else:
            event.sender = self.prev_sender
            if event.sender:
                extra["sender_inherited"] = True
        yield from self._forwarded(body, extra)
        self._reply(body, extra)
        yield from self._media(body, event, locator)
        text_div = body.find("div", class_="text")
        if isinstance(text_div, Tag):
            event.text = _text_of(text_div)
            links = [
                str(a.get("href")) for a in text_div.find_all("a") if str(a.get("href") or "").startswith(("http://", "https://"))
            ]
            if links:
                extra.setdefault("links", []).extend(links)
        signature = body.find("div", class_="signature")
        if isinstance(signature, Tag):
            extra["author"] = _text_of(signature)
        yield event

    @staticmethod
    def _forwarded(body: Tag, extra: dict[str, object]) -> Iterator[ParseWarning]:
        fwd = body.select_one("div.forwarded.body")
        if isinstance(fwd, Tag):
            name_div = fwd.find("div", class_="from_name")
            if isinstance(name_div, Tag):
                extra["forwarded_from"] = _own_text(name_div)
                span = name_div.find("span", class_="date")
                if isinstance(span, Tag) and span.get("title"):
                    extra["forwarded_date_shown"] = str(span.get("title"))
            else:
                extra["forwarded"] = True
        return iter(())

    @staticmethod
    def _reply(body: Tag, extra: dict[str, object]) -> None:
        reply = body.find("div", class_="reply_to")
        if not isinstance(reply, Tag):
            return
        link = reply.find("a")
        m = _REPLY_RE.search(str(link.get("href") or "")) if isinstance(link, Tag) else None
        if m:
            extra["reply_to_message_id"] = int(m.group(1))
        elif "another chat" in _text_of(reply):
            extra["reply_to_other_chat"] = True

    def _media(self, body: Tag, event: Event, locator: str) -> Iterator[ParseWarning]:
        missing: list[str] = []
        for wrap in body.find_all("div", class_="media_wrap"):
            if not isinstance(wrap, Tag):
                continue
            call = wrap.find(class_="media_call")
            if isinstance(call, Tag):
                self._call(call, event)
                continue
            title = wrap.find("div", class_="title")
            if isinstance(title, Tag):
                event.extra["media_title"] = _text_of(title)
            desc = wrap.find("div", class_="description")
            if isinstance(desc, Tag) and _text_of(desc).startswith(_OMITTED):
                event.media_omitted = True
                event.extra["media_omitted_reason"] = _text_of(desc)
            for a in wrap.find_all("a"):
                if not isinstance(a, Tag) or not set(_classes(a)) & set(_MEDIA_LINK_CLASSES):
                    continue
                href = str(a.get("href") or "")
                if href.startswith(("http://", "https://")):
                    event.extra.setdefault("links", []).append(href)
                    continue
                if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                    continue
                att = self.linker.attachment(href)
                if not att.sha256:
                    missing.append(att.name)
                event.attachments.append(att if att.sha256 else Attachment(att.name))
        if missing:
            where = (
                "the files acquired beside this page do not include it"
                if self.linker.supplied
                else "no files were acquired beside this page (add the whole export folder to link media)"
            )
            names = ", ".join(repr(m) for m in missing)
            yield from self.warn("missing_attachment", f"the message links {names}; {where}", locator)

    @staticmethod
    def _call(call: Tag, event: Event) -> None:
        status_div = call.find("div", class_="status")
        status = _text_of(status_div) if isinstance(status_div, Tag) else ""
        event.kind = "call"
        event.call_type = "call"
        first = status.split(" ")[0] if status else ""
        if first in ("Incoming", "Missed", "Declined"):
            event.direction = "incoming"
        elif first in ("Outgoing", "Cancelled"):
            event.direction = "outgoing"
        event.extra["call_status"] = status
        event.extra["missed"] = first in ("Missed", "Cancelled")
        m = _SECONDS_RE.search(status)
        if m:
            event.duration_s = int(m.group(1))
        title = call.find("div", class_="title")
        if isinstance(title, Tag):
            event.extra["call_with"] = _text_of(title)
        if not event.text:
            event.text = f"{status} call" if status else "Call"


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse one Telegram Desktop HTML page (``messages.html``, ``messagesN.html``)."""
    yield from HtmlReader(source, ctx).run()


PARSER = ParserInfo(
    name="telegram_html",
    platform=PLATFORM,
    description="Telegram Desktop HTML chat export (messages.html, messages2.html, ...)",
    formats=("Telegram Desktop 'Export chat history' HTML page (messages*.html)",),
    sniff=sniff,
    parse=parse,
    media_types=("text/html",),
    limits=(
        "Service notices (joins, pins, title changes) have no time in the HTML format and are reported as warnings, not "
        "events. Times: Telegram writes the standard offset of the exporting computer's zone, so summer times are exact "
        "only when --timezone names that zone (see docs/formats/telegram_html.md). No sender ids and no owner: direction "
        "is set only for calls, whose status states it. Prefer the JSON export when both exist."
    ),
    references=("https://github.com/telegramdesktop/tdesktop/tree/dev/Telegram/SourceFiles/export",),
    fixtures=("telegram/*/messages.html",),
)
