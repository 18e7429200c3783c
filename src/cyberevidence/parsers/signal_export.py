"""Signal chats exported as text: signal-export's ``chat.md`` (and older ``.txt``) and ``data.json``.

This module states the rules it applies; ``docs/formats/signal_export.md`` says the same for
readers who do not read code.

Inputs
------
* **Markdown / text** (``chat.md`` written by carderne/signal-export, older ``index.md``, and
  text files of the same shape such as chat-miner's sample). A message starts with a header line
  ``[YYYY-MM-DD HH:MM:SS] Sender: text`` – the date may be followed by a comma and the seconds
  may be missing (``[2019-12-24, 12:23] Jane Doe: Hello``); any other line continues the message
  before it (joined with ``"\\n"``; blank lines at the end of a message are dropped). Lines before
  the first header are kept as ``unparsed_line`` warnings. UTF-8 (BOM allowed); invalid bytes are
  replaced with U+FFFD and warned (``invalid_utf8``).
* **JSON** (``data.json``): one JSON object per line (JSON Lines, as signal-export writes it) or a
  JSON array of the same objects, each with ``date`` (ISO 8601), ``sender``, ``body`` and
  optionally ``quote``, ``reactions``, ``attachments``, ``sticker``, ``deleted``. A line that is
  not such an object is an ``unparsed_line`` warning.

Time
----
signal-export writes the **local wall-clock time of the computer that made the export**, with no
zone. Local times are converted with ``ctx.options.timezone`` (``assumed_timezone`` warning when
it is the case default). A JSON ``date`` that carries an offset is used as it is. Minute-only
headers keep second 0. In a DST *fold* (the repeated hour) the file's own order decides: messages
are the first pass until the local clock steps backwards inside the repeated hour, the second
pass from that message on ("resolved by message order"); with no backward step the earlier
instant is kept ("unresolved: earlier instant assumed") and an ``ambiguous_time`` warning is
recorded. A time in a DST *gap* is converted with the offset in force before the change, flagged
and warned (``nonexistent_time``). Every such event is ``time_ambiguous`` with a ``time_note``.

Who, thread, direction
----------------------
``Me`` is how signal-export names the account owner: such messages are ``outgoing`` (the export
states it). ``No-Sender`` (signal-export's placeholder) becomes an empty sender with
``extra["sender_raw"]``. Other senders are shown names (not phone numbers); their direction is
left to the people file. The export does not name the chat inside the file, so the ``thread`` is
the only sender other than ``Me``/``No-Sender`` when there is exactly one (a one-to-one chat);
otherwise the file's name. In a one-to-one chat, outgoing messages get that person as recipient.

Content
-------
The markup signal-export adds is read back and removed from the text: the two trailing spaces
it appends to a body; a leading quote block (``> ...`` lines) into ``extra["quote"]``; a
reactions line ``(- Name: emoji, ... -)`` into ``extra["reactions"]``; a sticker line
``(( emoji ))`` into ``extra["sticker"]``; attachment links ``![name](./media/file)`` /
``[name](./media/file)`` at the end into :class:`Attachment` (linked to a sibling file of that
base name when acquired with the chat, else ``sha256`` empty and ``missing_attachment``).
``(This message was deleted)`` sets ``deleted``. Call lines written by signal-export ("Incoming
voice call (accepted)", "Missed video call", "Outgoing call" ...) are ``kind="call"`` with
``call_type`` and the direction they state. signal-export removes backticks from bodies; that
loss cannot be undone.

Events: ``platform="signal"``; locator ``line N`` (1-based line of the header, or of the JSON line;
``$[i]`` for a JSON array).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any, Final
from urllib.parse import unquote

from cyberevidence.errors import ParseError, Setting
from cyberevidence.events import FIELD_TRUNCATED, MAX_FIELD_CHARS, Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._msgdb_common import Warnings
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.parsers.kit.jsonread import load as load_document
from cyberevidence.parsers.kit.notes import assumed_timezone
from cyberevidence.timeutil import is_fold, is_gap, localize

PLATFORM: Final = "signal"
ME: Final = "Me"
NO_SENDER: Final = "No-Sender"
MAX_FILE: Final = 1024 * 1024 * 1024

HEADER_RE: Final = re.compile(
    r"\[(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?P<comma>,?) (?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\] "
    r"(?P<who>.*?): ?(?P<body>.*)"
)
SECONDS_RE: Final = re.compile(rb"\[\d{4}-\d{2}-\d{2}(,?) \d{2}:\d{2}(:\d{2})?\] [^\r\n]*?:")
ATTACH_RE: Final = re.compile(r"!?\[([^\]\n]*)\]\(\./([^)\n]*)\)\s*$")
REACTIONS_RE: Final = re.compile(r"\n\(- (.*) -\)\s*$")
STICKER_RE: Final = re.compile(r"\n\(\( (.*) \)\)\s*$")
CALL_RE: Final = re.compile(
    r"(?P<dir>Incoming|Outgoing|Missed) (?:(?P<type>voice|video|group) )?call(?: \((?P<detail>[^)]*)\))?", re.I
)
DURATION_RE: Final = re.compile(r"(?:(\d+)m )?(\d+)s")
DELETED: Final = "(This message was deleted)"


# -- sniffing -------------------------------------------------------------------------------


#: Wording only WhatsApp writes into a chat text: with any of it in the head, the file is not Signal's.
WHATSAPP_MARKS: Final = (
    "\u200e".encode(),
    b"<Media omitted>",
    b"<attached: ",
    b"end-to-end encrypted",
    b" omitted\r",
    b" omitted\n",
)


def _sniff_text(source: SourceFile, head: bytes) -> bool:
    """The rule in docs/detection.md ("Signal or WhatsApp?"): year-first ``-`` bracketed headers only;
    a signal-export mark (``.md`` name, the two trailing spaces, a ``Me:`` sender) says Signal; WhatsApp's
    own wording or file name says WhatsApp; otherwise only the comma form without seconds
    (``[2019-12-24, 12:23]``, chat-miner's Signal sample) is Signal, since WhatsApp also writes
    ``[2019-04-16 02:09]`` and ``[2019-04-16 02:09:11]``."""
    lines = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 60)[:60]
    headers = [m for ln in lines if (m := SECONDS_RE.match(ln))]
    if not headers:
        return False
    starts = [ln for ln in lines if ln[:1] == b"["]
    # every bracketed line near the top must be a signal-export header (year-first, '-' separators)
    if len(headers) != len(starts):
        return False
    name = source.name.lower()
    if name.endswith(".md") or any(m.string.rstrip(b"\r").endswith(b"  ") or b"] Me:" in m.group(0) for m in headers):
        return True
    if name == "_chat.txt" or name.startswith("whatsapp chat") or any(mark in head for mark in WHATSAPP_MARKS):
        return False
    return all(m.group(1) == b"," and not m.group(2) for m in headers)


def _sniff_json(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        text = text[1:].lstrip()
    if not text.startswith(b'{"date": "'):
        return False
    first = text.split(b"\n", 1)[0]
    return all(k in first for k in (b'"sender": ', b'"body": ')) and any(
        k in first for k in (b'"reactions": ', b'"attachments": ', b'"quote": ')
    )


def sniff(source: SourceFile, head: bytes) -> bool:
    """signal-export's markdown/text headers, or its data.json objects. Never raises."""
    try:
        return bool(head) and (_sniff_json(head) or _sniff_text(source, head))
    except Exception:  # a sniffer must never break detection
        return False


# -- records --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    locator: str
    local: datetime | None
    aware: datetime | None
    shown_time: str
    sender: str
    body: str
    quote: str = ""
    reactions: list[list[str]] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    sticker: str = ""
    deleted: bool = False


def _strip_markup(body: str) -> tuple[str, str, list[list[str]], list[tuple[str, str]], str]:
    """(text, quote, reactions, attachments, sticker) from a chat.md body."""
    quote = ""
    if body.startswith("\n\n> ") or body.startswith("\n> "):
        lines = body.lstrip("\n").split("\n")
        q: list[str] = []
        while lines and lines[0].startswith("> "):
            q.append(lines.pop(0)[2:])
        quote = "\n".join(q)
        while lines and lines[0] == "":
            lines.pop(0)
        body = "\n".join(lines)
    # signal-export writes: body + "  ", then the reactions line, then the sticker line, then the links
    attachments: list[tuple[str, str]] = []
    while True:
        m = ATTACH_RE.search(body)
        if m is None:
            break
        attachments.insert(0, (m.group(1), unquote(m.group(2))))
        body = body[: m.start()]
    sticker = ""
    m = STICKER_RE.search(body)
    if m:
        sticker, body = m.group(1), body[: m.start()]
    reactions: list[list[str]] = []
    m = REACTIONS_RE.search(body)
    if m:
        for part in m.group(1).split(", "):
            name, sep, emoji = part.rpartition(": ")
            if sep:
                reactions.append([name, emoji])
        body = body[: m.start()]
    body = body.removesuffix("  ")
    return body, quote, reactions, attachments, sticker


def _md_records(source: SourceFile, w: Warnings, out: list[ParseWarning]) -> list[_Record]:
    records: list[_Record] = []
    current: list[str] = []
    head: re.Match[str] | None = None
    head_line = 0

    def close() -> None:
        if head is None:
            return
        while current and current[-1].strip() == "":
            current.pop()
        body = "\n".join([head.group("body"), *current])
        text, quote, reactions, atts, sticker = _strip_markup(body)
        shown = head.group(0)[1 : head.group(0).index("]")]
        local = datetime(
            int(head.group("y")), int(head.group("mo")), int(head.group("d")),
            int(head.group("h")), int(head.group("mi")), int(head.group("s") or 0),
        )  # fmt: skip
        deleted = text == DELETED
        records.append(
            _Record(
                f"line {head_line}",
                local,
                None,
                shown,
                head.group("who"),
                "" if deleted else text,
                quote,
                reactions,
                atts,
                sticker,
                deleted,
            )
        )

    with open(source.path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            line = raw.rstrip(b"\n").rstrip(b"\r")
            if n == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                text = line.decode("utf-8", errors="replace")
                msg = "this line is not valid UTF-8; undecodable bytes were replaced by U+FFFD"
                _put(out, w.make("invalid_utf8", msg, f"line {n}"))
            m = HEADER_RE.fullmatch(text) if text[:1] == "[" else None
            if m is not None and not _valid_date(m):
                _put(out, w.make("invalid_date", "header-shaped line with an impossible date or time; kept as text", f"line {n}"))
                m = None
            if m is not None:
                close()
                head, head_line, current = m, n, []
            elif head is None:
                if text.strip():
                    _put(out, w.make("unparsed_line", "text before the first message header", f"line {n}"))
            else:
                current.append(text)
    close()
    return records


def _valid_date(m: re.Match[str]) -> bool:
    try:
        y, mo, d, h, mi, sec = (int(m.group(k) or 0) for k in ("y", "mo", "d", "h", "mi", "s"))
        datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return False
    return True


def _put(out: list[ParseWarning], item: ParseWarning | None) -> None:
    if item is not None:
        out.append(item)


def _json_objects(source: SourceFile, w: Warnings, out: list[ParseWarning]) -> Iterator[tuple[str, Any]]:
    with open(source.path, "rb") as fh:
        start = fh.read(1024).lstrip(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"["):
        if source.size > MAX_FILE:
            raise ParseError(f"the JSON array is {source.size} bytes, above the {MAX_FILE}-byte limit", file=source.name)
        try:
            data, notes = load_document(source.path.read_bytes().decode("utf-8-sig", errors="replace"), source.name)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"the file is not valid JSON: {exc}", file=source.name) from exc
        for note in notes:
            _put(out, w.make(note.code, note.message, note.locator))
        if not isinstance(data, list):
            raise ParseError("expected a JSON array of messages", file=source.name)
        for i, obj in enumerate(data):
            yield f"$[{i}]", obj
        return
    with open(source.path, "rb") as fh:
        n = 0
        while raw := fh.readline(MAX_FIELD_CHARS + 1):
            n += 1
            if len(raw) > MAX_FIELD_CHARS and not raw.endswith(b"\n"):
                lost = 0
                while (more := fh.readline(MAX_FIELD_CHARS)) and not more.endswith(b"\n"):
                    lost += len(more)
                lost += len(more)
                msg = (
                    f"this line is longer than the {MAX_FIELD_CHARS:,} bytes read for one record "
                    f"({len(raw) + lost:,} bytes); it was not read (it is only in the stored file)"
                )
                _put(out, w.make(FIELD_TRUNCATED, msg, f"line {n}"))
                continue
            line = raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
            if not line:
                continue
            try:
                obj, notes = load_document(line, source.name, f"line {n}: ")
            except (ValueError, RecursionError):
                _put(out, w.make("unparsed_line", "this line is not a JSON object", f"line {n}"))
                continue
            for note in notes:
                _put(out, w.make(note.code, note.message, note.locator))
            yield f"line {n}", obj


def _list(value: object) -> list[Any]:
    """A JSON array, or an empty list for anything else (``true``, a number, an object)."""
    return value if isinstance(value, list) else []


def _json_records(source: SourceFile, w: Warnings, out: list[ParseWarning]) -> list[_Record]:
    records: list[_Record] = []
    for loc, obj in _json_objects(source, w, out):
        if not isinstance(obj, dict) or not isinstance(obj.get("date"), str):
            _put(out, w.make("unparsed_line", "not a message object with a 'date'", loc))
            continue
        try:
            moment = datetime.fromisoformat(obj["date"])
        except ValueError:
            _put(out, w.make("invalid_date", f"date {obj['date']!r} is not ISO 8601", loc))
            continue
        local, aware = (None, moment) if moment.tzinfo is not None else (moment, None)
        body = str(obj.get("body") or "").removesuffix("  ")
        quote = str(obj.get("quote") or "").strip("\n")
        quote = "\n".join(q[2:] if q.startswith("> ") else q for q in quote.split("\n")) if quote else ""
        reactions = [[str(r[0]), str(r[1])] for r in _list(obj.get("reactions")) if isinstance(r, list | tuple) and len(r) >= 2]
        reactions += [
            [str(r.get("name", "")), str(r.get("emoji", ""))] for r in _list(obj.get("reactions")) if isinstance(r, dict)
        ]
        atts = [
            (str(a.get("name") or ""), unquote(str(a.get("path") or "")))
            for a in _list(obj.get("attachments"))
            if isinstance(a, dict)
        ]
        sticker = obj.get("sticker")
        sticker_text = str(sticker.get("emoji") or "") if isinstance(sticker, dict) else str(sticker or "")
        deleted = bool(obj.get("deleted"))
        records.append(
            _Record(
                loc,
                local,
                aware,
                obj["date"],
                str(obj.get("sender") or ""),
                "" if deleted else body,
                quote,
                reactions,
                atts,
                sticker_text,
                deleted,
            )
        )
    return records


# -- time -----------------------------------------------------------------------------------


def _resolve_times(records: list[_Record], ctx: ParseContext, w: Warnings, out: list[ParseWarning]) -> dict[int, tuple[int, str]]:
    """fold choice and note per record index for local times in a DST fold (message-order rule)."""
    tz = ctx.options.timezone
    decided: dict[int, tuple[int, str]] = {}
    i = 0
    while i < len(records):
        rec = records[i]
        if rec.local is None or not is_fold(rec.local, tz):
            i += 1
            continue
        group = [i]
        j = i + 1
        while j < len(records) and records[j].local is not None and is_fold(records[j].local, tz):  # type: ignore[arg-type]
            group.append(j)
            j += 1
        step = next((g for a, g in pairwise(group) if records[g].local < records[a].local), None)  # type: ignore[operator]
        for g in group:
            local = records[g].local
            where = f"local time {local:%Y-%m-%d %H:%M:%S} occurred twice in {tz.key} (the clocks went back)"
            if step is not None:
                fold = 1 if g >= step else 0
                which = "second" if fold else "first"
                decided[g] = (fold, f"{where}; read as the {which} occurrence, resolved by message order: "
                                    f"the local clock steps back at {records[step].locator}")  # fmt: skip
            else:
                decided[g] = (0, f"{where}; unresolved: earlier instant assumed")
        if step is None:
            _put(out, w.make(
                "ambiguous_time",
                f"{len(group)} message(s) fall in the repeated hour when the clocks went back in {tz.key} and their "
                "order does not show which pass they belong to; the earlier instant is assumed",
                records[i].locator,
            ))  # fmt: skip
        i = j
    return decided


# -- events ---------------------------------------------------------------------------------


def _call(text: str) -> tuple[str, str, int | None, str] | None:
    m = CALL_RE.fullmatch(text.strip())
    if m is None:
        return None
    word = m.group("dir").lower()
    direction = "outgoing" if word == "outgoing" else "incoming"
    detail = m.group("detail") or ""
    duration = None
    d = DURATION_RE.search(detail)
    if d:
        duration = int(d.group(1) or 0) * 60 + int(d.group(2))
    return direction, (m.group("type") or "voice").lower(), duration, ("missed" if word == "missed" else detail)


def _events(
    source: SourceFile, ctx: ParseContext, records: list[_Record], w: Warnings, out: list[ParseWarning]
) -> Iterator[Event | ParseWarning]:
    tz = ctx.options.timezone
    others = {r.sender for r in records} - {ME, NO_SENDER, ""}
    thread = next(iter(others)) if len(others) == 1 else source.name
    folds = _resolve_times(records, ctx, w, out)
    for i, rec in enumerate(records):
        extra: dict[str, Any] = {"shown_time": rec.shown_time}
        ambiguous, note = False, ""
        if rec.aware is not None:
            moment = rec.aware
        else:
            assert rec.local is not None
            fold, note = folds.get(i, (0, ""))
            if note:
                ambiguous = True
            elif is_gap(rec.local, tz):
                ambiguous = True
                note = (f"local time {rec.local:%Y-%m-%d %H:%M:%S} does not exist in {tz.key} (the clocks went forward); "
                        "converted with the offset in force before the change")  # fmt: skip
                _put(out, w.make("nonexistent_time", note, rec.locator))
            moment = localize(rec.local, tz, fold=fold).utc
        sender = rec.sender
        if sender == NO_SENDER:
            extra["sender_raw"], sender = sender, ""
        event = Event(
            timestamp=moment,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(source.sha256, rec.locator),
            sender=sender,
            text=rec.body,
            thread=thread,
            time_ambiguous=ambiguous,
            time_note=note,
            deleted=rec.deleted,
            # The export states no conversation id (the thread may be the file name): recognised
            # from content at ingest, like a WhatsApp text export (docs/dedupe.md).
            conversation="",
        )
        if sender == ME:
            event.direction = "outgoing"
            event.recipients = [thread] if len(others) == 1 else []
        call = _call(rec.body)
        if call is not None:
            event.kind, event.call_type, event.duration_s = "call", call[1], call[2]
            event.direction = "outgoing" if call[0] == "outgoing" else "incoming"
            extra["missed"] = call[3] == "missed"
            if call[3]:
                extra["call_detail"] = call[3]
        if rec.quote:
            extra["quote"] = rec.quote
        if rec.reactions:
            extra["reactions"] = rec.reactions
        if rec.sticker:
            extra["sticker"] = rec.sticker
        event.attachments = [_link(source, name, path, rec.locator, w, out) for name, path in rec.attachments]
        event.extra = extra
        yield from out
        out.clear()
        yield event


def _link(source: SourceFile, name: str, path: str, loc: str, w: Warnings, out: list[ParseWarning]) -> Attachment:
    base = posixpath.basename(path)
    for candidate in (base, name):
        sib = source.siblings.get(candidate) if candidate else None
        if sib is not None:
            return Attachment(name or base, sib.sha256, sib.media_type)
    _put(out, w.make("missing_attachment", f"the message links the file {path!r}, which was not acquired with the chat", loc))
    return Attachment(name or base, "")


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a signal-export ``chat.md`` / text export or ``data.json``."""
    with open(source.path, "rb") as fh:
        head = fh.read(65536)
    w = Warnings(source.name)
    out: list[ParseWarning] = []
    records = _json_records(source, w, out) if _sniff_json(head) else _md_records(source, w, out)
    if not records:
        raise ParseError(
            "no Signal message was found (expected lines like '[2022-01-03 12:34:56] Name: text' or "
            "data.json objects with date, sender and body)",
            file=source.name,
            hint="Check that this is a signal-export chat.md or data.json, or name another parser.",
            setting=Setting.FORMAT,
        )
    if ctx.options.timezone_assumed and any(r.aware is None for r in records):
        yield assumed_timezone(
            ctx.options.timezone, file=source.name, why="signal-export writes the time of the computer that made the export."
        )
    yield from _events(source, ctx, records, w, out)
    yield from out
    yield from w.summaries()


PARSER = ParserInfo(
    name="signal_export",
    platform=PLATFORM,
    description="Signal chats exported by signal-export (chat.md, data.json) and text exports of the same shape",
    formats=("signal-export chat.md / .txt ('[YYYY-MM-DD HH:MM(:SS)] Name: text')", "signal-export data.json (JSON Lines)"),
    sniff=sniff,
    parse=parse,
    media_types=("text/plain", "text/markdown", "application/json"),
    limits=(
        "Times are the exporting computer's local time (give --timezone). Senders are display names, not numbers. "
        "The chat's name is not in the file: a one-to-one chat is named after the other sender, a group after the file. "
        "Backticks removed by signal-export cannot be restored; a text line shaped exactly like a header starts a new message."
    ),
    strength=Strength.NARROW_SHAPE,
    references=("https://github.com/carderne/signal-export",),
    fixtures=("signal/*.md", "signal/*.json"),
    corpus_seeds=("signal/*.txt",),
)
