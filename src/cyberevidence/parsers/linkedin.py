"""LinkedIn data download: ``messages.csv``, ``Connections.csv`` and ``Profile.csv``.

``docs/formats/linkedin.md`` states the same rules for readers who do not read code.

Inputs
------
* the zip as downloaded (``Basic_LinkedInDataExport_….zip`` or ``Complete_…``), members found
  case-insensitively wherever the layout puts them (``**/messages.csv``, ``**/Connections.csv``,
  ``**/Profile.csv``); each member read is derived (hashed and kept with the zip as parent);
* one file of the unpacked download: ``messages.csv`` or ``Connections.csv`` (a ``Profile.csv``
  acquired beside it is read for the account holder's name).

CSV is read with the stdlib :mod:`csv` module; every cell is kept as text, so a cell such as
``=HYPERLINK(…)`` is the text ``=HYPERLINK(…)`` and is never evaluated. LinkedIn writes a
preamble of notes before the header of some files (``Notes:`` then a quoted paragraph and a blank
line): those lines are skipped and one informational ``skipped_notes`` warning says how many.

messages.csv
------------
Columns ``CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO, RECIPIENT PROFILE
URLS, DATE, SUBJECT, CONTENT, FOLDER``. One row is one ``message`` event (``platform="linkedin"``):
``sender`` = FROM, ``recipients`` = TO split at commas, ``text`` = CONTENT (with SUBJECT, when
present, kept in ``extra["subject"]``), ``thread`` = CONVERSATION TITLE, else the conversation id.
DATE is ``2023-03-01 10:00:00 UTC``; a date without ``UTC`` is read as local time in the given zone
(``assumed_timezone`` warning; DST folds and gaps flagged). Direction is set only from the file:
``outgoing`` when FOLDER is ``SENT`` or FROM is the account holder's name from Profile.csv
(First Name + Last Name), otherwise ``incoming`` when the owner is known; else left to the people
file. A row that cannot be read (no date, bad date, broken quoting) is skipped with a warning
located ``<member>:line N``.

Connections.csv
---------------
``First Name, Last Name, Email Address, Company, Position, Connected On`` (``15 Mar 2009``). Each
row is a ``connection`` event (not counted as a contact) meaning "these two accounts were connected on this date":
``thread`` = the connection's name (so it becomes the ``person``), no sender (LinkedIn does not say
who invited whom), ``extra`` keeps the other columns and ``status="connected"``. Only the date is
given, so the event is at 00:00 of that day in the given zone, ``time_ambiguous`` with a note.

A download without messages.csv (LinkedIn's "Basic" archive, or the corpus sample) still gives its
connections, plus one ``no_messages`` warning: "this LinkedIn download has no messages.csv". Other
members (Ad_Targeting.csv, Inferences_about_you.csv …) are not evidence of contact: they are not
read and one ``not_read`` warning lists them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Final

from cyberevidence.archive import SafeZip
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers._social_download_common import CsvTable, DownloadClock, date_only, parse_utc_text, read_csv
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.parsers.kit.inputs import (
    Input,
    MemberPatterns,
    inputs,
    member_list,
    single_input,
    zip_has,
    zip_or_file,
)

PLATFORM: Final = "linkedin"
MESSAGES = MemberPatterns(("**/messages.csv",))
CONNECTIONS = MemberPatterns(("**/connections.csv",))
PROFILE = MemberPatterns(("**/profile.csv",))
WANTED = MemberPatterns(("**/messages.csv", "**/connections.csv", "**/profile.csv"))
MESSAGE_COLUMNS: Final = frozenset({"CONVERSATION ID", "FROM", "DATE", "CONTENT"})
CONNECTION_COLUMNS: Final = frozenset({"First Name", "Last Name", "Connected On"})
PROFILE_COLUMNS: Final = frozenset({"First Name", "Last Name"})
DATE_FORMATS: Final = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M UTC", "%Y-%m-%dT%H:%M:%SZ")
LOCAL_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
CONNECTED_FORMATS: Final = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y")


def _has(columns: frozenset[str]) -> Callable[[list[str]], bool]:
    def check(cells: list[str]) -> bool:
        upper = {c.upper() for c in cells}
        return {c.upper() for c in columns} <= upper

    return check


is_messages_header = _has(MESSAGE_COLUMNS)
is_connections_header = _has(CONNECTION_COLUMNS)
is_profile_header = _has(PROFILE_COLUMNS)


def _csv_kind(head: bytes) -> str:
    """'messages', 'connections' or '' from the first lines of a CSV (a notes preamble allowed)."""
    table = read_csv(head, lambda c: is_messages_header(c) or is_connections_header(c))
    if table is None:
        return ""
    return "messages" if is_messages_header(table.header) else "connections"


def sniff(source: SourceFile, head: bytes) -> bool:
    """A zip with messages.csv or Connections.csv, or a CSV whose header is one of them. Never raises."""
    try:
        if zip_has(source, head, MESSAGES) or zip_has(source, head, CONNECTIONS):
            return True
        if not head or head[:2] == b"PK":
            return False
        return bool(_csv_kind(head[:16384]))
    except Exception:
        return False


class _Reader:
    def __init__(self, source: SourceFile, ctx: ParseContext) -> None:
        self.source = source
        self.ctx = ctx
        self.clock = DownloadClock(ctx, source.name, "LinkedIn wrote some message dates without a zone.")
        self.owner = ""

    def warn(self, code: str, message: str, locator: str = "") -> ParseWarning:
        return ParseWarning(code, message, locator=locator, file=self.source.name)

    def _table(self, item: Input, is_header: Callable[[list[str]], bool], what: str) -> Iterator[ParseWarning | CsvTable]:
        table = read_csv(item.read_bytes(), is_header)
        if table is None:
            yield self.warn("unreadable_csv", f"{item.path or item.name}: no {what} header was found; nothing read", item.prefix)
            return
        if table.preamble:
            n = len(table.preamble)
            yield self.warn(
                "skipped_notes",
                f"{n} line(s) of notes before the header of {item.basename} were skipped "
                f"(they begin {table.preamble[0][:40]!r}); they hold no records",
                f"{item.prefix}line 1",
            )
        yield table

    # Profile ---------------------------------------------------------------------------------

    def profile(self, item: Input) -> Iterator[ParseWarning]:
        for got in self._table(item, is_profile_header, "Profile.csv"):
            if isinstance(got, ParseWarning):
                yield got
                continue
            for _line, row, _extra in got.rows:
                name = " ".join(p for p in (row.get("First Name", "").strip(), row.get("Last Name", "").strip()) if p)
                if name:
                    self.owner = name
                    yield self.warn("owner", f"the account holder is {name!r} (from {item.basename})", item.prefix)
                break

    # messages.csv ----------------------------------------------------------------------------

    def messages(self, item: Input) -> Iterator[Event | ParseWarning]:
        for got in self._table(item, is_messages_header, "messages.csv"):
            if isinstance(got, ParseWarning):
                yield got
                continue
            cols = {c.upper(): c for c in got.header}
            for line, row, overflow in got.rows:
                loc = f"{item.prefix}line {line}"
                if overflow == ["\x00csv-error"]:
                    yield self.warn("unreadable_row", "this row's quoting is broken; skipped", loc)
                    continue
                cell = {k: row.get(v, "") for k, v in cols.items()}
                event = self._message(cell, loc)
                if isinstance(event, ParseWarning):
                    yield event
                    continue
                if overflow:
                    event.extra["overflow_cells"] = overflow
                    message = f"this row has {len(overflow)} cell(s) more than the header; kept in extra"
                    yield self.warn("extra_cells", message, loc)
                yield from self.clock.drain()
                yield event

    def _message(self, cell: dict[str, str], loc: str) -> Event | ParseWarning:
        shown = cell.get("DATE", "").strip()
        utc = parse_utc_text(shown, DATE_FORMATS)
        extra: dict[str, object] = {}
        ambiguous, note = False, ""
        if utc is None:
            naive = _naive(shown, LOCAL_FORMATS)
            if naive is None:
                return self.warn("unreadable_date", f"the DATE {shown!r} could not be read; row skipped", loc)
            conv = self.clock.convert(naive, loc)
            utc, ambiguous, note = conv.utc, conv.ambiguous, conv.note
            extra["shown_time"] = shown
        sender = cell.get("FROM", "").strip()
        recipients = [r.strip() for r in cell.get("TO", "").split(",") if r.strip()]
        folder = cell.get("FOLDER", "").strip()
        for key, name in (("SUBJECT", "subject"), ("CONVERSATION ID", "conversation_id"), ("FOLDER", "folder")):
            if cell.get(key, "").strip():
                extra[name] = cell[key]
        for key, name in (("SENDER PROFILE URL", "sender_profile_url"), ("RECIPIENT PROFILE URLS", "recipient_profile_urls")):
            if cell.get(key, "").strip():
                extra[name] = cell[key]
        event = Event(
            timestamp=utc,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(self.source.sha256, loc),
            sender=sender,
            recipients=recipients,
            text=cell.get("CONTENT", ""),
            thread=cell.get("CONVERSATION TITLE", "").strip() or cell.get("CONVERSATION ID", "").strip(),
            time_ambiguous=ambiguous,
            time_note=note,
            extra=extra,
        )
        if folder.upper() == "SENT" or (self.owner and sender == self.owner):
            event.direction = "outgoing"
        elif self.owner:
            event.direction = "incoming"
        return event

    # Connections.csv -------------------------------------------------------------------------

    def connections(self, item: Input) -> Iterator[Event | ParseWarning]:
        for got in self._table(item, is_connections_header, "Connections.csv"):
            if isinstance(got, ParseWarning):
                yield got
                continue
            for line, row, overflow in got.rows:
                loc = f"{item.prefix}line {line}"
                if overflow == ["\x00csv-error"]:
                    yield self.warn("unreadable_row", "this row's quoting is broken; skipped", loc)
                    continue
                shown = row.get("Connected On", "").strip()
                day = _naive(shown, CONNECTED_FORMATS)
                name = " ".join(p for p in (row.get("First Name", "").strip(), row.get("Last Name", "").strip()) if p)
                if day is None:
                    yield self.warn("unreadable_date", f"the 'Connected On' date {shown!r} could not be read; row skipped", loc)
                    continue
                if not name:
                    yield self.warn("no_name", "this connection has no name; skipped", loc)
                    continue
                conv = date_only(day, self.ctx, shown)
                extra: dict[str, object] = {"status": "connected", "connected_on": shown}
                for key in ("Email Address", "Company", "Position", "URL"):
                    if row.get(key, "").strip():
                        extra[key.lower().replace(" ", "_")] = row[key]
                yield Event(
                    timestamp=conv.utc,
                    platform=PLATFORM,
                    kind="connection",
                    source=SourceRef(self.source.sha256, loc),
                    text=f"LinkedIn connection: {name}",
                    thread=name,
                    time_ambiguous=True,
                    time_note=conv.note,
                    extra=extra,
                )


def _naive(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _parse_zip(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    reader = _Reader(source, ctx)
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        found: dict[str, list[Input]] = {"profile": [], "messages": [], "connections": []}
        for item in inputs(source, ctx, WANTED, zf):
            if isinstance(item, ParseWarning):
                yield item
                continue
            kind = "profile" if PROFILE.matches(item.path) else "messages" if MESSAGES.matches(item.path) else "connections"
            found[kind].append(item)
        for item in found["profile"][:1]:
            yield from reader.profile(item)
        for item in found["messages"]:
            yield from reader.messages(item)
        if not found["messages"]:
            yield reader.warn(
                "no_messages",
                "this LinkedIn download has no messages.csv, so it holds no messages (only what is listed below); "
                "to get messages, request the download again with 'Messages' selected, or the full archive",
            )
        for item in found["connections"]:
            yield from reader.connections(item)
        skipped = [p for p in member_list(zf) if not WANTED.matches(p)]
        if skipped:
            yield reader.warn(
                "not_read",
                f"{len(skipped)} file(s) of this download are not evidence of contact and were not read: " + ", ".join(skipped),
            )


def _parse_file(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    reader = _Reader(source, ctx)
    with open(source.path, "rb") as fh:
        head = fh.read(65536)
    kind = _csv_kind(head)
    if not kind:
        raise ParseError(
            "no messages.csv or Connections.csv header was found",
            file=source.name,
            hint="Add the LinkedIn download zip as it came, or its messages.csv.",
        )
    profile = next((s for n, s in source.siblings.items() if n.casefold() == "profile.csv"), None)
    if profile is not None and kind == "messages":

        def open_profile() -> io.BufferedIOBase:
            return open(profile.path, "rb")

        yield from reader.profile(Input("", profile.name, open_profile))
    item = single_input(source)
    if kind == "messages":
        yield from reader.messages(item)
    else:
        yield from reader.connections(item)


#: Parse a LinkedIn download zip, or its messages.csv / Connections.csv.
parse = zip_or_file(_parse_zip, _parse_file)


PARSER = ParserInfo(
    name="linkedin",
    platform=PLATFORM,
    description="LinkedIn data download: messages.csv (messages), Connections.csv (connections), Profile.csv (owner)",
    formats=(
        "LinkedIn data download .zip",
        "LinkedIn messages.csv",
        "LinkedIn Connections.csv",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "text/csv", "text/plain"),
    limits=(
        "Attachments named in messages are not linked. Invitations.csv is not read. Connections carry only a date "
        "(shown at 00:00, flagged). Direction needs FOLDER=SENT or a Profile.csv in the same download."
    ),
    fixtures=("linkedin/*.zip", "linkedin/*.csv"),
    corpus_seeds=("linkedin/*.zip",),
    strength=Strength.GENERIC_STRUCTURE,
)
