"""Unix mailboxes (``.mbox``, Gmail/Google Takeout ``.mbox``, Thunderbird folders), streamed.

The file is never loaded whole (a Takeout mbox can be tens of GB) and :mod:`mailbox` is not
used (it is slow on big files and splits on any ``From `` line). Rules:

* Read in binary chunks of 1 MiB. The first message starts at the start of the file (after a
  UTF-8 byte-order mark, if any). A later message starts at a line beginning ``From `` (the
  envelope line) that is shaped like one: ``From <sender> <date>`` where the date has a
  ``hh:mm`` time and a four-digit year, or Mozilla's dateless ``From -`` (also ``From <addr@host>``
  alone). After a blank line (LF or CRLF) that shape is enough; a ``From `` line not after a
  blank line also needs the strict shape (``From <sender> <asctime date>`` or ``From -``) and a
  header line next (Gmail Takeout and Mozilla omit the blank line), with an
  ``mbox_missing_blank_line`` warning. Any other ``From `` line (e.g. an unquoted ``From Russia
  with love`` in a body) is body text, with an ``mbox_from_in_body`` warning. Both name the line.
* The envelope line is not part of the message; it is kept in ``extra["mbox_from"]``, and its
  date is the fallback time when the message has neither a usable Date nor a Received time.
* The blank line before the next envelope line is the separator and is removed.
* ``>From `` quoting (mboxrd): in the body, one ``>`` is removed from lines matching
  ``^>+From `` (so ``>From `` becomes ``From ``, ``>>From `` becomes ``>From ``).
  (In an mboxo file an original ``>From `` line cannot be told apart; this is the stated choice.)
* A leading UTF-8 byte-order mark is not part of the first message (``extra["mbox_bom"]``).
* Blank lines before the first envelope line (some exports start with one) are skipped, with an
  ``mbox_leading_blank_lines`` warning; the sniffer skips them too, and needs no file extension.
* A file that does not start with ``From `` gets an ``mbox_no_envelope`` warning; its text up to
  the first envelope line is read as message[0].
* Each message is parsed like an ``.eml`` (:mod:`._email_mime`); Gmail's ``X-GM-THRID`` becomes
  the thread and ``X-Gmail-Labels`` ``extra["gmail_labels"]``.

Locators: ``message[N] line L`` (N from 0, L the 1-based line of its envelope line); attachments
are stored as ``message[N]/attachment[i]/<name>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import BinaryIO, Final

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._email_mime import parse_message
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.parsers.email_message import MESSAGE_SUFFIXES, header_names

CHUNK: Final = 1 << 20
_FROM_AT_LINE_START = re.compile(rb"\nFrom ")
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_ENVELOPE_DATE = re.compile(
    rb"((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +\w{3} +\d{1,2} +\d{1,2}:\d{2}(?::\d{2})? +(?:[+-]\d{4} +)?\d{4})"
)

_ENVELOPE = re.compile(rb"From \S+ +" + _ENVELOPE_DATE.pattern + rb"\s*$")
#: Mozilla/Thunderbird ``From -`` (or ``From <addr@host>``) with no date
_ENVELOPE_NO_DATE = re.compile(rb"From (?:-|[^\s@]+@\S+)\s*$")
#: after a blank line: ``From <sender> <anything with a hh:mm time and a 4-digit year>``
_ENVELOPE_LOOSE = re.compile(rb"From \S+ +(?=.*\b\d{1,2}:\d{2}\b)(?=.*\b\d{4}\b).*$")
BOM: Final = b"\xef\xbb\xbf"


def sniff(source: SourceFile, head: bytes) -> bool:
    try:
        head = head[len(BOM) :] if head.startswith(BOM) else head
        head = head[_leading_blank(head) :]
        if not head.startswith(b"From ") or source.name.lower().endswith(MESSAGE_SUFFIXES):
            return False
        names = header_names(head[:65536].split(b"\n", 1)[1] if b"\n" in head else b"")
        return bool(names)
    except Exception:
        return False


_LEADING_BLANK = re.compile(rb"(?:[ \t]*\r?\n)+")


def _leading_blank(data: bytes) -> int:
    """Length of the blank lines at the start of ``data`` (0 when it does not start with one)."""
    m = _LEADING_BLANK.match(data)
    return m.end() if m else 0


def split_mbox(fh: BinaryIO, chunk: int = CHUNK) -> Iterator[tuple[int, bytes, list[tuple[int, str]]]]:
    """Yield ``(line number of the envelope line, message bytes incl. envelope line, odd From lines)``.

    ``odd From lines`` are ``(1-based line, what)`` for ``From `` lines that are not plain envelope
    lines after a blank line: ``what`` is ``"start"`` (an envelope line without the blank line
    before it: it starts the message), ``"body"`` (not after a blank line, kept as body text) or
    ``"body_after_blank"`` (after a blank line but not shaped like an envelope line: body text).
    Memory: one message plus one chunk.
    """
    buf = bytearray()
    msg_start, msg_line, scan = 0, 1, 0
    odd: list[tuple[int, str]] = []
    first = True
    while True:
        data = fh.read(chunk)
        buf += data
        if first:
            first = False
            skip = _leading_blank(bytes(buf[:65536]))
            if skip and buf[skip : skip + 5] == b"From ":  # blank lines before the first envelope line
                odd.append((buf.count(b"\n", 0, skip), "leading_blank"))
                msg_line += buf.count(b"\n", 0, skip)
                msg_start = scan = skip
        resume = -1
        for m in _FROM_AT_LINE_START.finditer(buf, scan):
            p = m.start()
            after_blank = p == 0 or buf[p - 1 : p] == b"\n" or buf[p - 2 : p] == b"\n\r"
            eol1 = buf.find(b"\n", p + 1)
            eol2 = buf.find(b"\n", eol1 + 1) if eol1 >= 0 else -1
            if eol2 < 0 and data:  # the envelope-shape test needs two whole lines: next chunk
                resume = p
                break
            line_text = bytes(buf[p + 1 : eol1 if eol1 >= 0 else len(buf)])
            next_line = bytes(buf[eol1 + 1 : eol2 if eol2 >= 0 else len(buf)]) if eol1 >= 0 else b""
            if after_blank:
                starts = looks_like_envelope_after_blank(line_text)
            else:
                starts = eol1 >= 0 and looks_like_envelope(line_text, next_line)
            if not starts:
                line = msg_line + buf.count(b"\n", msg_start, p) + 1
                odd.append((line, "body_after_blank" if after_blank else "body"))
                continue
            message = bytes(buf[msg_start : p + 1])
            yield msg_line, message, odd
            odd = [] if after_blank else [(msg_line + message.count(b"\n"), "start")]
            msg_line += message.count(b"\n")
            msg_start = p + 1
        if not data:
            break
        if msg_start:
            resume -= msg_start
            del buf[:msg_start]
            msg_start = 0
        scan = resume if resume >= 0 else max(len(buf) - 5, 0)  # a "\nFrom " cut by the chunk end is found next time
    if len(buf) > msg_start:
        yield msg_line, bytes(buf[msg_start:]), odd


def looks_like_envelope_after_blank(line: bytes) -> bool:
    """After a blank line: ``From <sender> <date-ish>`` or a dateless ``From -`` / ``From <addr@host>``."""
    line = line.rstrip(b"\r")
    return bool(_ENVELOPE_LOOSE.match(line) or _ENVELOPE_NO_DATE.match(line))


def looks_like_envelope(line: bytes, next_line: bytes) -> bool:
    """``From <sender> <asctime date>`` (or ``From -``) followed by a header line: an envelope line
    even without a blank line before it."""
    line = line.rstrip(b"\r")
    return bool(_ENVELOPE.match(line) or _ENVELOPE_NO_DATE.match(line)) and bool(_HEADER_LINE.match(next_line))


def _strip_message(raw: bytes) -> tuple[bytes, bytes]:
    """(envelope line, message bytes without it, without the separator blank line)."""
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if raw.startswith(b"From "):
        nl = raw.find(b"\n")
        envelope, body = (raw, b"") if nl < 0 else (raw[:nl].rstrip(b"\r"), raw[nl + 1 :])
    else:
        envelope, body = b"", raw
    if body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    elif body.endswith(b"\n\n"):
        body = body[:-1]
    if b">From " in body:
        body = _QUOTED_FROM.sub(rb"\1", body)
    return envelope, body


def envelope_time(envelope: bytes) -> datetime | None:
    m = _ENVELOPE_DATE.search(envelope)
    if not m:
        return None
    text = re.sub(rb" +", b" ", m.group(1)).decode("ascii")
    for fmt in ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M %Y", "%a %b %d %H:%M:%S %z %Y"):
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    count = 0
    with open(source.path, "rb") as fh:
        for n, (line_no, raw, odd) in enumerate(split_mbox(fh)):
            count += 1
            locator = f"message[{n}] line {line_no}"
            for odd_line, what in odd:
                if what == "leading_blank":
                    yield ParseWarning(
                        "mbox_leading_blank_lines",
                        f"{odd_line} blank line(s) before the first envelope ('From ') line; skipped",
                        locator=f"message[{n}] line 1",
                        file=source.name,
                    )
                elif what == "start":
                    yield ParseWarning(
                        "mbox_missing_blank_line",
                        f"line {odd_line}: an envelope ('From ') line not after a blank line; read as the start of message[{n}]",
                        locator=f"message[{n}] line {odd_line}",
                        file=source.name,
                    )
                else:
                    why = (
                        "is not shaped like an envelope line ('From <sender> <date>')"
                        if what == "body_after_blank"
                        else "does not follow a blank line"
                    )
                    yield ParseWarning(
                        "mbox_from_in_body",
                        f"line {odd_line} begins 'From ' but {why}; kept as body text of message[{n}]",
                        locator=f"message[{n}] line {odd_line}",
                        file=source.name,
                    )
            envelope, body = _strip_message(raw)
            extra: dict[str, object] = {}
            if n == 0 and raw.startswith(BOM):
                extra["mbox_bom"] = True
            fallback = None
            if envelope:
                text = envelope.decode("utf-8", "replace")
                extra["mbox_from"] = text
                when = envelope_time(envelope)
                if when is not None:
                    fallback = (when, "the mbox envelope ('From ') line time, read as UTC")
            else:
                yield ParseWarning(
                    "mbox_no_envelope",
                    "the file does not start with a 'From ' line; its start is read as a message",
                    locator=locator,
                    file=source.name,
                )
            if not body.strip():
                yield ParseWarning(
                    "empty_message", "an envelope line with no message after it", locator=locator, file=source.name
                )
                continue
            yield from parse_message(
                body, source=source, ctx=ctx, locator=locator, member_prefix=f"message[{n}]", fallback_time=fallback, extra=extra
            )
    if count == 0:
        yield ParseWarning("no_messages", "the mailbox is empty", file=source.name)


PARSER = ParserInfo(
    name="mbox",
    platform="email",
    description="Unix mailbox (.mbox), incl. Gmail/Google Takeout (X-GM-THRID thread, X-Gmail-Labels), streamed",
    formats=(".mbox", ".mbx", "mbox (no extension)"),
    sniff=sniff,
    parse=parse,
    media_types=("application/mbox",),
    limits="Messages are split at envelope-shaped 'From ' lines (after a blank line, or before a header line); "
    "'>From ' is unquoted one level. MMDF (^A^A^A^A) mailboxes are not read. "
    "A single message larger than memory cannot be read.",
    strength=Strength.NARROW_SHAPE,
    references=("RFC 4155", "https://support.google.com/accounts/answer/3024190"),
    fixtures=("email/*.mbox", "email/Inbox"),
    corpus_seeds=("email/mbox/*",),
)
