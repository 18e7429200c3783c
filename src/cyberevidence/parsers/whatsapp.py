"""WhatsApp chat exports: Android and iOS ``.txt``, the "with media" ``.zip``, an unpacked folder.

This module states the rules it applies; ``docs/formats/whatsapp.md`` says the same for readers
who do not read code. Each rule is applied to the whole file, never guessed line by line.

Inputs
------
* ``.txt`` as exported (CRLF or LF, mixed; UTF-8 with or without BOM). Read as a stream in two
  passes: pass 1 collects date-order evidence in O(style groups) memory, pass 2 builds events.
  Invalid UTF-8 is replaced (U+FFFD) and each such line gets an ``invalid_utf8`` warning.
* ``.zip`` "with media": the chat text is ``_chat.txt``, else ``WhatsApp Chat with X.txt`` (or a
  localised name), else the only ``.txt`` whose first lines are WhatsApp headers; ``__MACOSX/`` and
  ``._*`` members are never taken for the chat. Members rejected by :class:`SafeZip` (``..``
  paths, links, encryption) become ``rejected_member`` warnings. Every accepted member, the chat
  text included, is passed to ``ctx.derive`` (hashed and kept with the zip as parent).
  **Events from a zip point at the zip itself**: ``source = SourceRef(<sha256 of the zip>,
  "_chat.txt:line N")`` (the member path inside the zip, then the line). The zip is the artefact
  that was acquired and parsed, so the case's per-artefact event counts and custody entries stay
  about one object; the chat text member is still derived, so its own digest is recorded with
  the zip as its parent. Warnings about the text use the same locator.
* An unpacked export folder: ``source.siblings`` (files acquired beside the ``.txt``) supply the
  media. ``<attached: X>`` and ``X (file attached)`` are linked to the file of that exact name.

Header lines
------------
``[date, time] body`` (iOS) or ``date, time - body`` (Android; an en dash also occurs). Dates
are ``a.b.c``, ``a/b/c`` or ``a-b-c`` with a 2- or 4-digit year, or year first (``2023/5/4``);
the comma after the date is optional; times are 24 h or 12 h (``AM``/``am``/``a. m.``, after a
space, U+202F, U+00A0 or ``_``), seconds optional. U+200E/U+200F marks may appear anywhere in the
header; a ``.`` may follow the time (``13:34. - ``). Two-digit years are 20yy (WhatsApp dates
from 2009, so 19yy is never right). A line that has the shape of a header but an impossible date
or time is kept as text, with a warning. An hour 13-23 written with p.m. (``13:37:00 p.m.``, a
24-hour clock with a redundant marker) is read as the 24-hour time it shows; the event gets
``time_ambiguous`` and a note, and a ``clock_conflict`` warning names the line (with a.m. such a
time is impossible). A continuation line that starts with a date and a time but lacks the header
layout (``15/12/2025, 10:34:00 AM Name: ...``: no brackets, no `` - ``) stays text of the message
above, with a ``header_lookalike`` warning naming it. An empty chat text is refused with a
:class:`ParseError` that says it is empty.

Date order (one stated rule for the whole file)
-----------------------------------------------
1. ``ctx.options.date_order`` when given ("date order dmy given by the user").
2. A header whose first field has 4 digits is year/month/day.
3. Otherwise header lines are grouped by style (bracketed or not, date separator, year digits)
   and each group is decided by the first tier that decides it:

   * tier 1: a line whose first field is above 12 can only be day-first, one whose second field is
     above 12 only month-first. If both occur in one group, each such line is read the only way it
     can be and the rest of the group by the tiers below (``mixed_date_order`` warning).
   * tier 1b: an attachment name that carries a date (iOS ``00000010-PHOTO-2020-11-02-...``,
     Android ``IMG-20201102-WA0001``) matching only one reading of its header line decides.
   * tier 2 (chronology): over consecutive header lines of the group, count how often time goes
     backwards under day-first and under month-first; the reading with strictly fewer wins.
   * tier 3: ``.``-separated dates are day-first (no WhatsApp locale writes month.day.year).
   * if day and month are interchangeable on every line (``1/1/21``), nothing needs deciding.
   * otherwise :class:`DateOrderAmbiguousError` is raised ("pass --date-order dmy or mdy").

The decision is recorded once as a ``date_order`` warning (informational). Events whose date
depended on tier 2 or 3 get ``time_ambiguous`` and a ``time_note`` naming the rule.

Time zone and DST
-----------------
Local times are converted with ``ctx.options.timezone`` (``assumed_timezone`` warning when it
is the default). In a DST *fold* (the repeated hour) messages are the first pass (fold=0) until
the local clock steps backwards inside the repeated interval, and the second pass (fold=1) from
that message on; the note then says "resolved by message order". Without a backward step the
earlier instant is kept and the note says "unresolved: earlier instant assumed" (plus one
``ambiguous_time`` warning per fold). A time in a DST *gap* does not exist: it is converted with
the offset in force before the change, flagged, noted and warned (``nonexistent_time``).

Who said it: messages and system notices
----------------------------------------
The body after the header is split at the first ``": "`` (or a ``":"`` ending the line):
before it is the sender as shown (an iOS ``~ `` prefix for non-contacts is removed; the raw
name is kept in ``extra["sender_raw"]``). Without ``": "`` the line is a system notice
(``kind="system"``, ``sender=""``), e.g. "Alice added Bob", "You were added", and also the
malformed ``John Doe:.``. Group events whose wording contains ": " (a group subject) are system
notices too. After a "Name: " the text is still a system notice when it is (a) an
end-to-end-encryption notice (iOS writes the chat's name before it), (b) a notice nobody types
(message timer changed, disappearing messages on/off, phone number changed, security code
changed, contact blocked) whose actor is that same name or "You", or (c) on iOS, a text that
begins with U+200E (WhatsApp's own mark) and is such a notice or a group event ("X added Y",
"X left"), or (d) without the mark, a text in which that same name opens a whole group-notice
phrase: "X created group ...", "X added you", "X removed you", "X left", "X changed the subject
...", "X changed this group's icon", "X changed the group description", "X joined using this
group's invite link" (so "X: I left", "X: You left", "X: Bob left" and "X: X left early" stay
messages). The name is then kept as ``extra["shown_sender"]``, not as a sender, so the notice is
not counted as a message from that person. So ``+123 45 6789: +123 45 6789 updated the message
timer...`` (read as a message by some other tools) is a system notice; its own text still names
who changed the timer. "Bob: Alice added you" without the mark stays Bob's message. iOS call
entries ("Missed voice call", "Video call, 5 min") are ``kind="call"``.

Text and markers
----------------
Text is kept as written; continuation lines are joined with "\\n"; blank lines at the end of a
message are dropped and counted in ``extra["trailing_blank_lines"]``; U+200E marks are removed and
counted in ``extra["lrm_removed"]``. Flags: ``media_omitted`` (``<Media omitted>``, "image
omitted" ... and localised forms), ``deleted`` ("This message was deleted", "You deleted this
message" ...), ``edited`` (``<This message was edited>`` ...). ``<attached: X>`` and ``X (file
attached)`` become attachments (``sha256`` empty, plus a ``missing_attachment`` warning, when the
export does not include the file). Polls keep their text and get ``extra["poll"] = True``.
A header-shaped line whose date style differs from the header before it and which goes back in
time is still a message, flagged ``extra["style_change"]`` with a ``style_change`` warning: it may
be text pasted inside the previous message (some tools read it so; we keep it visible instead).

Events: ``platform="whatsapp"``, ``thread`` = the chat name from the file name ("WhatsApp Chat
with X.txt", "WhatsApp Chat - X.zip", localised forms), else the file name: a display label only,
never part of the event id (the export states no conversation id; overlapping exports of one chat
are recognised by their content, see docs/dedupe.md); ``source`` locator
``line N`` is the 1-based line of the message's header; ``timestamp`` is aware UTC.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Final

from cyberevidence.archive import SafeMember, SafeZip, is_zip
from cyberevidence.errors import ParseError, Setting, UnsafeArchiveError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._limits_whatsapp import whatsapp_export_limits
from cyberevidence.parsers._whatsapp_dates import (
    HEADER_START,
    LINE_START_RE,
    LOOKALIKE_RE,
    DateEvidence,
    DateOrderOutcome,
    DateShape,
    Decision,
    HeaderScanner,
    ReadDate,
    UtcConverter,
    decide_date_order,
    read_date,
    redundant_meridiem,
)
from cyberevidence.parsers._whatsapp_lines import CHUNK, MAX_LINE_BYTES, iter_text_blocks
from cyberevidence.parsers._whatsapp_text import (
    LRM,
    Body,
    BodySplitter,
    may_have_markers,
    read_call,
    read_markers,
    thread_from_name,
)
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.parsers.kit.inputs import source_is_zip

PLATFORM: Final = "whatsapp"
#: ``extra["thread_from"]`` of an event whose ``thread`` is only a file name (docs/dedupe.md).
THREAD_FROM_FILE_NAME: Final = "file name"
#: The identity text of a media message, whichever way the export words it (docs/dedupe.md).
MEDIA_IDENTITY: Final = "\x00media message"
#: At most this many individual warnings per repetitive kind; then one summary warning.
MAX_REPEATED_WARNINGS: Final = 1000
#: A fold window left open this many messages after its last repeated-hour message is closed.
FOLD_WINDOW_SLACK: Final = 1000
SNIFF_LINES: Final = 40

Opener = Callable[[], AbstractContextManager[BinaryIO]]


# -- sniffing -------------------------------------------------------------------------------


def looks_like_chat(head: bytes) -> bool:
    """True when one of the first lines of ``head`` is a WhatsApp header line with a valid date."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    scanner = HeaderScanner()
    lines = text.split("\n", SNIFF_LINES)[:SNIFF_LINES]
    return any(line[:1] in HEADER_START and scanner.plausible(line.rstrip("\r")) for line in lines)


def sniff(source: SourceFile, head: bytes) -> bool:
    """Content-based: a header line near the top, or a zip whose chat text has one. Never raises."""
    try:
        if is_zip(head):
            return _sniff_zip(source)
        return bool(head) and looks_like_chat(head[:16384])
    except Exception:  # a sniffer must never break detection
        return False


def _sniff_zip(source: SourceFile) -> bool:
    with SafeZip(source.path) as zf:
        try:
            return choose_chat_member(zf) is not None
        except ParseError:  # several chat texts: still WhatsApp; parse() explains the problem
            return True


# -- choosing the chat text in a zip --------------------------------------------------------


def _member_head(zf: SafeZip, member: SafeMember, n: int = 8192) -> bytes:
    with zf.open(member) as raw, io.BufferedReader(raw) as fh:
        return fh.read(n)


def _is_resource_fork(path: str) -> bool:
    return path.startswith("__MACOSX/") or posixpath.basename(path).startswith("._")


def choose_chat_member(zf: SafeZip) -> SafeMember | None:
    """``_chat.txt``, else ``WhatsApp Chat with X.txt``, else the only ``.txt`` that reads as a chat."""
    ranked: dict[int, list[SafeMember]] = {}
    for m in zf.members:
        base = posixpath.basename(m.path)
        if not base.lower().endswith(".txt") or _is_resource_fork(m.path):
            continue
        rank = 0 if base == "_chat.txt" else 1 if thread_from_name(base) else 2
        ranked.setdefault(rank, []).append(m)
    for rank in sorted(ranked):
        chats = [m for m in ranked[rank] if looks_like_chat(_member_head(zf, m))]
        if len(chats) == 1:
            return chats[0]
        if len(chats) > 1:
            names = ", ".join(m.path for m in chats)
            raise ParseError(
                f"the zip holds several chat texts ({names})",
                file=str(zf.path),
                hint="Unzip it and add each chat's folder separately.",
            )
    return None


# -- pass 1 ---------------------------------------------------------------------------------


_MISS: Final[Any] = object()

#: A line that is not header-shaped (its first character cannot start a header) and not blank.
_TEXT_LINE_RE: Final = re.compile(r"(?m)^(?![0-9\[\u200e\u200f])[^\n]*?\S")


def collect_evidence(opener: Opener) -> DateEvidence:
    """Pass 1: date-order evidence per style group, O(groups) memory.

    Header lines are found by one ``finditer`` over each block of text (:data:`LINE_START_RE`, on the
    block with an LF put before it); only their date and time strings are looked at, each distinct
    string parsed once. A date that can be read only one way adds nothing after its first line but
    a count (its group's first lines are already recorded), so its later lines are only counted.
    """
    evidence = DateEvidence()
    scanner = HeaderScanner()
    add, parts, groups = evidence.add_at, scanner.parts, evidence.groups
    dates, bdates, times = scanner.caches()
    text_line = _TEXT_LINE_RE.search
    with opener() as fh:
        for block in iter_text_blocks(fh.read):
            text = block.text
            n, pos = block.first, 0
            for m in LINE_START_RE.finditer("\n" + text):
                bracket, dtext, _, ttext, look, _ = m.groups()
                if look is not None:
                    continue
                shape = (bdates if bracket else dates).get(dtext)
                tod = times.get(ttext, -2)
                if shape is not None and tod >= 0 and shape.recorded:
                    groups[shape.style].lines += 1
                    continue
                start = m.start()  # the line's start in ``text`` (the LF before it in "\n" + text)
                n += text.count("\n", pos, start)
                pos = start
                if shape is None or tod == -2:
                    found = parts(bracket, dtext, ttext, m.end() - 1 - start)
                    if found is None:
                        continue
                    shape, tod = found[0], found[1]
                if tod < 0:
                    continue
                add(n, text, start, (shape, tod, 0))
                if (shape.as_dmy and shape.year_first) or (not shape.year_first and shape.as_dmy != shape.as_mdy):
                    shape.recorded = True
            if not evidence.text_lines and text_line(text) is not None:
                evidence.text_lines = 1
    return evidence


# -- pass 2 ---------------------------------------------------------------------------------


class _Pending:
    """A message whose header has been read; continuation lines are still arriving.

    A plain class with slots (not a dataclass): one is made per message, and ``cont`` stays
    ``None`` for the usual one-line message instead of allocating an empty list.
    """

    __slots__ = ("body", "body_start", "clock_note", "cont", "line", "line_no", "shape", "tod")

    def __init__(self, line_no: int, line: str, shape: DateShape, tod: int, body_start: int, body: Body) -> None:
        self.line_no = line_no
        self.line = line
        self.shape = shape
        self.tod = tod
        self.body_start = body_start
        self.body = body
        self.cont: list[str] | None = None
        self.clock_note = ""

    def add_line(self, line: str) -> None:
        if self.cont is None:
            self.cont = [line]
        else:
            self.cont.append(line)

    def add_lines(self, segment: str) -> None:
        """Lines joined by LF, taken as one slice of the block."""
        if self.cont is None:
            self.cont = segment.split("\n")
        else:
            self.cont.extend(segment.split("\n"))


@dataclass(slots=True)
class _FoldWindow:
    """Messages around one repeated (DST fold) interval, held back until it is decided."""

    end: datetime
    first_line: int
    last_local: datetime | None = None
    step_line: int = 0
    members: list[tuple[Event, datetime, int]] = field(default_factory=list)
    buffer: list[Event | ParseWarning] = field(default_factory=list)
    since_member: int = 0


@dataclass(frozen=True, slots=True)
class ChatTarget:
    """What pass 2 reads and how it names things."""

    opener: Opener
    file: str
    event_sha: str
    thread: str
    locator_prefix: str = ""
    media: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    media_supplied: bool = False


class ChatReader:
    """Pass 2: lines to events, with the decisions of pass 1."""

    def __init__(self, target: ChatTarget, ctx: ParseContext, outcome: DateOrderOutcome) -> None:
        self.t = target
        self.decisions: dict[int, Decision] = outcome.decisions
        self.tz = ctx.options.timezone
        self.conv = UtcConverter(self.tz)
        self.scanner = HeaderScanner()
        self.parts = self.scanner.parts
        self.locator = f"{target.locator_prefix}line "
        self.split = BodySplitter()
        self.out: list[Event | ParseWarning] = []
        self.window: _FoldWindow | None = None
        self.counts: dict[str, int] = {}
        self.prev_style = -1
        self.prev_utc: datetime | None = None

    # warnings ---------------------------------------------------------------------------

    def warn(self, code: str, message: str, line_no: int = 0) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n > MAX_REPEATED_WARNINGS:
            return
        locator = f"{self.t.locator_prefix}line {line_no}" if line_no else ""
        self._put(ParseWarning(code, message, locator=locator, file=self.t.file))

    def _summaries(self) -> Iterator[ParseWarning]:
        for code, n in self.counts.items():
            if n > MAX_REPEATED_WARNINGS:
                extra = n - MAX_REPEATED_WARNINGS
                msg = f"{extra} more '{code}' warning(s) like the ones above were not listed one by one"
                yield ParseWarning(code, msg, file=self.t.file)

    def _put(self, item: Event | ParseWarning) -> None:
        (self.window.buffer if self.window is not None else self.out).append(item)

    # the line loop ----------------------------------------------------------------------

    def run(self) -> Iterator[Event | ParseWarning]:
        """Read the blocks: one ``finditer`` per block finds every line that starts like a header (or
        a look-alike); the plain lines between two such lines are continuation text, taken as one
        slice. The result is the line-by-line rule exactly (``tests/parsers/test_whatsapp_golden.py``).
        """
        pending: _Pending | None = None
        out = self.out
        finditer, parts, split, finish = LINE_START_RE.finditer, self.parts, self.split.split, self._finish
        decisions = self.decisions
        dates, bdates, times = self.scanner.caches()
        with self.t.opener() as fh:
            for block in iter_text_blocks(fh.read):
                for bad in block.bad:
                    self.warn("invalid_utf8", "this line is not valid UTF-8; undecodable bytes were replaced by U+FFFD", bad)
                for long_line, lost in block.long:
                    self.warn(
                        "long_line",
                        f"this line is longer than WhatsApp allows; its first {MAX_LINE_BYTES} bytes are in the event and "
                        f"the remaining {lost} bytes are only in the stored file",
                        long_line,
                    )
                text = block.text
                n, pos = block.first, 0
                for m in finditer("\n" + text):
                    start = m.start()  # the line's start in ``text`` (the LF before it in "\n" + text)
                    if start > pos:  # plain lines before this one: text of the pending message
                        if pending is not None:
                            pending.add_lines(text[pos : start - 1])
                        else:
                            self._plain(text[pos : start - 1], n)
                        n += text.count("\n", pos, start)
                    bracket, dtext, _, ttext, look, _ = m.groups()
                    end = m.end() - 1
                    eol = text.find("\n", end)
                    if eol < 0:
                        eol = len(text)
                    line = text[start:eol]
                    header = None
                    if look is None:
                        # Distinct date and time strings are few: look them up before calling parts().
                        shape = (bdates if bracket else dates).get(dtext, _MISS)
                        tod = times.get(ttext, -2) if shape is not _MISS else -2
                        if shape is _MISS or tod == -2 or shape is None:
                            found = parts(bracket, dtext, ttext, end - start)
                        else:
                            found = (shape, tod, end - start)
                        if found is not None:
                            shape, tod, body_start = found
                            if not shape.read_done:
                                decision = decisions.get(shape.style)
                                shape.read = read_date(shape, decision) if decision is not None else None
                                shape.read_done = True
                            if shape.read is None or tod < 0:
                                self._invalid_header(n)
                            else:
                                header = _Pending(n, line, shape, tod, body_start, split(line[body_start:]))
                                if tod >= 46800 and ("p" in ttext or "P" in ttext):  # 13:00 or later
                                    self._clock_check(header)
                    if header is not None:
                        if pending is not None:
                            finish(pending)
                        pending = header
                    elif pending is not None:
                        if LOOKALIKE_RE.match(line):
                            self._lookalike(n, line, pending.line_no)
                        pending.add_line(line)
                    else:
                        self._unparsed(n, line)
                    if out:
                        yield from out
                        out.clear()
                    n += 1
                    pos = eol + 1
                if pos <= len(text):
                    if pending is not None:
                        pending.add_lines(text[pos:])
                    else:
                        self._plain(text[pos:], n)
                if out:
                    yield from out
                    out.clear()
        if pending is not None:
            self._finish(pending)
        self._close_window()
        yield from out
        out.clear()
        yield from self._summaries()

    def _plain(self, segment: str, n: int) -> None:
        """Lines before the first message header (``segment``: lines joined by LF, the first is line ``n``)."""
        for offset, line in enumerate(segment.split("\n")):
            self._unparsed(n + offset, line)

    def _invalid_header(self, n: int) -> None:
        message = "this line looks like a message header but its date or time is impossible; it is kept as text"
        self.warn("invalid_header", message, n)

    def _clock_check(self, pending: _Pending) -> None:
        """An hour 13-23 written with p.m.: read as the 24-hour time it shows, and say so."""
        head = pending.line[: pending.body_start]
        shown = redundant_meridiem(head)
        if shown:
            pending.clock_note = (
                f"the header writes {shown!r}: an hour above 12 with a 12-hour marker; read as the 24-hour time it "
                "shows (the marker is redundant), so the phone's clock format is in doubt"
            )
            self.warn("clock_conflict", pending.clock_note, pending.line_no)

    def _lookalike(self, n: int, line: str, header_line: int) -> None:
        shown = line if len(line) <= 80 else line[:77] + "..."
        self.warn(
            "header_lookalike",
            f"this line starts with a date and time but not in a header layout (no ' - ' after the time, no brackets): "
            f"{shown!r}; it is kept as text of the message on line {header_line}. Check the original: it may be a "
            "separate message",
            n,
        )

    def _unparsed(self, n: int, line: str) -> None:
        shown = line if len(line) <= 80 else line[:77] + "..."
        self.warn(
            "unparsed_line", f"this line comes before the first message header and is not part of any message: {shown!r}", n
        )

    # building an event ------------------------------------------------------------------

    def _finish(self, p: _Pending) -> None:
        shape, tod = p.shape, p.tod
        date = shape.read
        assert date is not None
        notes: list[str] = []
        if date.inferred:
            notes.append(self.decisions[shape.style].note)
        if p.clock_note:
            notes.append(p.clock_note)
        base = shape.base
        if base is not None and self.window is None:
            # The usual case: a day without a DST change, no fold window open.
            event = self._event(p, base + self.conv.delta(tod), notes)
            style, utc = shape.style, event.timestamp
            prev_utc = self.prev_utc
            if prev_utc is not None and style != self.prev_style and utc is not None and utc < prev_utc:
                self._style_check(p, event)  # the rare case: it warns, and moves prev_* on
            else:
                self.prev_style, self.prev_utc = style, utc
            self.out.append(event)
            return
        if not shape.base_done:
            shape.base = self.conv.day_base(date.y, date.mo, date.d)
            shape.base_done = True
        fold_local: datetime | None = None
        if shape.base is not None:
            utc = shape.base + self.conv.delta(tod)
        else:
            local = datetime(date.y, date.mo, date.d) + self.conv.delta(tod)
            slow = self.conv.slow(local)
            utc = slow.utc  # for a fold, replaced in _fold once the pass is known
            if slow.in_fold:
                fold_local = local
            elif slow.in_gap:
                notes.append(self._gap_note(local))
                self.warn("nonexistent_time", notes[-1], p.line_no)
        event = self._event(p, utc, notes)
        if self.window is not None and fold_local is None:
            self._maybe_close_window(date, tod)
        self._style_check(p, event)
        if fold_local is not None:
            self._fold(event, fold_local, p)
        else:
            self._put(event)

    def _event(self, p: _Pending, utc: datetime, notes: list[str]) -> Event:
        kind, sender, text, shown = p.body
        # The header's clock: hh:mm (Android) or hh:mm:ss (iOS). Declared so that the dedupe
        # step can match this event with its exact twin from a database (store/reconcile.py).
        # The thread is the file's name: shown, never used to identify the event or a person.
        extra: dict[str, Any] = {
            "time_precision": "second" if p.line.count(":", 0, p.body_start) >= 2 else "minute",
            "thread_from": THREAD_FROM_FILE_NAME,
        }
        cont = p.cont
        if cont is not None:
            blank = 0
            while cont and not cont[-1]:
                cont.pop()
                blank += 1
            if blank:
                extra["trailing_blank_lines"] = blank
            if cont:
                text = text + "\n" + "\n".join(cont)
        if LRM in text:
            extra["lrm_removed"] = text.count(LRM)
            text = text.replace(LRM, "")
        if sender:
            clean = self.split.info(sender).clean
            if clean != sender:
                extra["sender_raw"] = sender
                sender = clean
        if shown:
            extra["shown_sender"] = self.split.info(shown).clean
        # The export names no conversation: the thread is a label from the file name, never part
        # of the identity; the conversation is recognised from content at ingest.
        source = SourceRef(self.t.event_sha, f"{self.locator}{p.line_no}")
        event = Event(utc, PLATFORM, kind, source, sender, [], text, self.t.thread, extra=extra, conversation="")
        if notes:
            self._mark_ambiguous(event, p, notes)
        if kind == "message" and may_have_markers(text):
            self._apply_markers(event, p.line_no)
        return event

    def _mark_ambiguous(self, event: Event, p: _Pending, notes: list[str]) -> None:
        event.time_ambiguous = True
        event.time_note = "; ".join(notes)
        event.extra["shown_time"] = self._shown_time(p)

    @staticmethod
    def _shown_time(p: _Pending) -> str:
        """The header's date and time exactly as the export shows them."""
        return p.line[: p.body_start].strip(" []-\u2013\u200e\u200f")

    def _apply_markers(self, event: Event, line_no: int) -> None:
        text = event.text
        markers = read_markers(text)
        if markers is not None:
            event.media_omitted = markers.media_omitted
            event.deleted = markers.deleted
            event.edited = markers.edited
            if markers.poll:
                event.extra["poll"] = True
            if markers.attachments:
                event.attachments = [self._link(name, line_no) for name in markers.attachments]
            if markers.media_omitted or markers.attachments:
                # "<Media omitted>" (export without media) and "IMG-….jpg (file attached)" (with
                # media) are the same message: identified as "a media message", caption aside.
                event.identity_text = MEDIA_IDENTITY
        call = read_call(text)
        if call is not None:
            event.kind = "call"
            event.call_type = call.call_type
            event.duration_s = call.duration_s
            event.extra["missed"] = call.missed
            if call.detail:
                event.extra["call_detail"] = call.detail

    def _link(self, name: str, line_no: int) -> Attachment:
        found = self.t.media.get(name)
        if found is not None:
            return Attachment(name, found[0], found[1])
        if self.t.media_supplied:
            self.warn(
                "missing_attachment", f"the message names the attached file {name!r} but the export does not contain it", line_no
            )
        else:
            self.warn(
                "missing_attachment",
                f"the message names the attached file {name!r}; no media files were supplied with this chat text "
                "(add the whole export folder or the zip to link them)",
                line_no,
            )
        return Attachment(name)

    def _style_check(self, p: _Pending, event: Event) -> None:
        """Flag a header in a new date style that goes back in time: possibly pasted text."""
        style, utc = p.shape.style, event.timestamp
        prev_style, prev_utc = self.prev_style, self.prev_utc
        self.prev_style, self.prev_utc = style, utc
        if prev_utc is not None and utc is not None and style != prev_style and utc < prev_utc:
            event.extra["style_change"] = True
            self.warn(
                "style_change",
                "this header writes its date in a different style from the header before it and is dated earlier; "
                "it may be text typed or pasted inside the previous message. It is kept as a separate message: "
                "check the original",
                p.line_no,
            )

    # DST ---------------------------------------------------------------------------------

    def _gap_note(self, local: datetime) -> str:
        return (
            f"local time {local:%Y-%m-%d %H:%M:%S} does not exist in {self.tz.key} (the clocks went forward); "
            f"converted with the offset in force before the change ({self.conv.describe(local, 0)})"
        )

    def _fold(self, event: Event, local: datetime, p: _Pending) -> None:
        line_no = p.line_no
        end = self.conv.fold_end(local)
        if self.window is not None and self.window.end != end:
            self._close_window()
        if self.window is None:
            self.window = _FoldWindow(end, line_no)
        w = self.window
        if not w.step_line and w.last_local is not None and local < w.last_local:
            w.step_line = line_no
        w.last_local = local
        fold = 1 if w.step_line else 0
        event.timestamp = self.conv.slow(local, fold).utc
        event.time_ambiguous = True
        event.extra["shown_time"] = self._shown_time(p)
        w.members.append((event, local, fold))
        w.since_member = 0
        w.buffer.append(event)

    def _maybe_close_window(self, date: ReadDate, tod: int) -> None:
        w = self.window
        assert w is not None
        w.since_member += 1
        local = datetime(date.y, date.mo, date.d) + timedelta(seconds=tod)
        if local >= w.end or w.since_member > FOLD_WINDOW_SLACK:
            self._close_window()

    def _close_window(self) -> None:
        w = self.window
        if w is None:
            return
        self.window = None
        zone = self.tz.key
        for event, local, fold in w.members:
            where = f"local time {local:%Y-%m-%d %H:%M:%S} occurred twice in {zone} (the clocks went back)"
            if w.step_line:
                which = "second" if fold else "first"
                note = (
                    f"{where}; read as the {which} occurrence ({self.conv.describe(local, fold)}), resolved by message order: "
                    f"the local clock steps back at line {w.step_line}"
                )
            else:
                note = f"{where}; unresolved: earlier instant assumed ({self.conv.describe(local, 0)})"
            event.time_note = f"{event.time_note}; {note}" if event.time_note else note
        if not w.step_line:
            self.out.append(
                ParseWarning(
                    "ambiguous_time",
                    f"{len(w.members)} message(s) fall in the repeated hour when the clocks went back in {zone} and "
                    "their order does not show which pass they belong to; the earlier instant is assumed",
                    locator=f"{self.t.locator_prefix}line {w.first_line}",
                    file=self.t.file,
                )
            )
        self.out.extend(w.buffer)


# -- the parser -----------------------------------------------------------------------------


def _opener_for_path(source: SourceFile) -> Opener:
    def open_it() -> AbstractContextManager[BinaryIO]:
        return open(source.path, "rb", buffering=CHUNK)

    return open_it


def _preamble(ctx: ParseContext, outcome: DateOrderOutcome, file: str) -> Iterator[ParseWarning]:
    opts = ctx.options
    if opts.timezone_assumed:
        yield ParseWarning(
            "assumed_timezone",
            f"local times were read as {opts.timezone.key}, the default, because no timezone was given; "
            "if the phone was set to another zone, parse again with --timezone ZONE (e.g. --timezone Europe/Berlin)",
            file=file,
        )
    yield ParseWarning("date_order", outcome.summary, file=file)
    for conflict in outcome.conflicts:
        yield ParseWarning("mixed_date_order", conflict, file=file)


def _decide(opener: Opener, ctx: ParseContext, file: str) -> DateOrderOutcome:
    evidence = collect_evidence(opener)
    if not evidence.header_lines and not evidence.text_lines:
        raise ParseError(
            "the chat text is empty (no text at all): there are no messages to read",
            file=file,
            hint="An export of a chat with no messages, or a file emptied in copying: check the original export.",
        )
    if not evidence.header_lines:
        raise ParseError(
            "no WhatsApp message header was found (expected lines like '12/09/2020, 23:55 - Name: text' "
            "or '[12.09.20, 23:55:01] Name: text')",
            file=file,
            hint="Check that this is a WhatsApp chat export, or name another parser.",
            setting=Setting.FORMAT,
        )
    return decide_date_order(evidence, ctx.options.date_order, file)


class _SiblingMedia(Mapping[str, tuple[str, str]]):
    """Sibling files as (sha256, media type), looked up by name so only linked files are read."""

    def __init__(self, siblings: Mapping[str, SourceFile]) -> None:
        self._siblings = siblings

    def __getitem__(self, name: str) -> tuple[str, str]:
        sib = self._siblings[name]
        return sib.sha256, sib.media_type

    def __iter__(self) -> Iterator[str]:
        return iter(self._siblings)

    def __len__(self) -> int:
        return len(self._siblings)


def _parse_text(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    opener = _opener_for_path(source)
    outcome = _decide(opener, ctx, source.name)
    media = _SiblingMedia(source.siblings)
    target = ChatTarget(
        opener=opener,
        file=source.name,
        event_sha=source.sha256,
        thread=thread_from_name(source.name) or source.name,
        media=media,
        media_supplied=bool(media),
    )
    yield from _preamble(ctx, outcome, source.name)
    yield from ChatReader(target, ctx, outcome).run()


def _parse_zip(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """The "with media" export: decide the date order first, so a refused file stores nothing."""
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        chat = choose_chat_member(zf)
        if chat is None:
            raise ParseError(
                "this zip holds no WhatsApp chat text (_chat.txt or 'WhatsApp Chat with ….txt')",
                file=source.name,
                hint="Check that this is a WhatsApp export made with 'Export chat'.",
            )

        def open_chat() -> AbstractContextManager[BinaryIO]:
            return open_member(zf, chat)

        outcome = _decide(open_chat, ctx, source.name)
        for raw, reason in zf.rejected:
            yield ParseWarning("rejected_member", f"zip member {raw!r} was not read: {reason}", locator=raw, file=source.name)
        media: dict[str, tuple[str, str]] = {}
        yield from _derive_members(zf, chat, source, ctx, media)
        thread = thread_from_name(source.name) or thread_from_name(posixpath.basename(chat.path)) or source.name
        target = ChatTarget(open_chat, source.name, source.sha256, thread, f"{chat.path}:", media, media_supplied=True)
        yield from _preamble(ctx, outcome, source.name)
        yield from ChatReader(target, ctx, outcome).run()


def _derive_members(
    zf: SafeZip, chat: SafeMember, source: SourceFile, ctx: ParseContext, media: dict[str, tuple[str, str]]
) -> Iterator[ParseWarning]:
    """Hash and keep every accepted member (chat text first); fill ``media`` by path and by file name.

    Resource forks (``__MACOSX/``, ``._*``) are kept as evidence but never linked by file name.
    A member that breaks a safety limit while inflating is skipped with a warning.
    """
    for member in [chat, *(m for m in zf.members if m is not chat)]:
        try:
            with open_member(zf, member) as fh:
                ref = ctx.derive(fh, parent=source, path_in_parent=member.path)
        except UnsafeArchiveError as exc:
            message = f"zip member {member.path!r} could not be read safely: {exc}"
            yield ParseWarning("unreadable_member", message, locator=member.path, file=source.name)
            continue
        if member is chat:
            continue
        media.setdefault(member.path, (ref.sha256, ref.media_type))
        if not _is_resource_fork(member.path):
            media.setdefault(posixpath.basename(member.path), (ref.sha256, ref.media_type))


def open_member(zf: SafeZip, member: SafeMember) -> io.BufferedReader:
    """A buffered, size-bounded stream of one zip member."""
    return io.BufferedReader(zf.open(member), CHUNK)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a WhatsApp export (``.txt``, ``.zip`` or a ``.txt`` with its media beside it)."""
    if source_is_zip(source):
        yield from _parse_zip(source, ctx)
    else:
        yield from _parse_text(source, ctx)


PARSER = ParserInfo(
    name="whatsapp",
    platform=PLATFORM,
    description="WhatsApp chat exports (Android and iOS, any locale's date style), with or without media",
    formats=(
        "WhatsApp chat export .txt (Android)",
        "WhatsApp chat export .txt (iOS)",
        "WhatsApp 'with media' export .zip",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("text/plain", "application/zip"),
    limits=(
        "Dates: ambiguous day/month order is refused unless the file or --date-order decides it (see docs/formats/whatsapp.md). "
        "System notices, media/deleted/edited markers and attachment wording are recognised in English, German, Spanish, "
        "French, Portuguese, Italian and Dutch (best effort outside English); other languages keep their text "
        "but lose the flags. "
        "Calls are recognised in English iOS wording only. A text line shaped exactly like a header is read as a new message "
        "(with a style_change warning when its style and time disagree with its neighbours). Exports in encodings other than "
        "UTF-8 are read with replacement characters and warnings."
    ),
    source_limits=whatsapp_export_limits,
    fixtures=("whatsapp/*.txt", "whatsapp/*.zip", "whatsapp/ios_folder/_chat.txt", "demo/exports/*"),
    corpus_seeds=("whatsapp/chatminer_*.txt", "whatsapp/langchain_*.txt", "whatsapp/*.zip"),
    strength=Strength.SHARED_SHAPE,
)
