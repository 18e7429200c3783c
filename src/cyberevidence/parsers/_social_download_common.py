"""Helpers shared by the Snapchat, TikTok, Google Takeout and LinkedIn download parsers.

* :func:`inputs` gives the members a parser wants, whether the source is the zip as downloaded
  (each member derived through :func:`~cyberevidence.parsers._download.iter_zip_members`) or one
  file of the unpacked download (then the file itself is the input).
* :func:`load_json` reads a JSON member; a malformed one becomes a located warning.
* :func:`from_epoch` reads a numeric epoch whose unit (s, ms, µs) is decided by its magnitude.
* :class:`LocalClock` turns a zone-less wall-clock time into UTC with :mod:`cyberevidence.timeutil`,
  flagging DST folds and gaps and warning once that the zone was assumed.
* :func:`read_csv` reads CSV with the stdlib module; a preamble of notes before the header is skipped
  and counted; cells are text and are never evaluated (``=cmd()`` stays the text ``=cmd()``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from cyberevidence.archive import SafeZip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._download import Member, MemberPatterns, iter_zip_members, source_is_zip
from cyberevidence.parsers._json_safe import load as load_document
from cyberevidence.parsers._text import lf_line_ends
from cyberevidence.parsers.base import ParseContext, SourceFile
from cyberevidence.parsers.kit.notes import assumed_timezone
from cyberevidence.timeutil import localize

#: The largest JSON member read whole (the platforms keep these files far smaller).
JSON_LIMIT = 512 * 1024 * 1024
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read: a zip member (``path`` set) or the source file itself (``path`` empty)."""

    path: str
    name: str
    opener: Callable[[], io.BufferedIOBase]

    @property
    def prefix(self) -> str:
        """Locator prefix: ``"<member path>:"`` inside a zip, nothing for a single file."""
        return f"{self.path}:" if self.path else ""

    @property
    def basename(self) -> str:
        return (self.path or self.name).rsplit("/", 1)[-1]

    def read_bytes(self, limit: int = JSON_LIMIT) -> bytes:
        with self.opener() as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise UnsafeArchiveError(f"{self.path or self.name!r} is larger than {limit} bytes")
        return data


def single_input(source: SourceFile) -> Input:
    """The source file itself, read as one :class:`Input` (a file of an unpacked download)."""

    def open_file() -> io.BufferedIOBase:
        return open(source.path, "rb")

    return Input("", source.name, open_file)


def inputs(source: SourceFile, ctx: ParseContext, wanted: MemberPatterns, zf: SafeZip | None) -> Iterator[Input | ParseWarning]:
    """The wanted members of ``zf`` (derived first), or the single file ``source`` when ``zf`` is None."""
    if zf is None:
        yield single_input(source)
        return
    for item in iter_zip_members(zf, source, ctx, wanted):
        if isinstance(item, Member):
            yield Input(item.path, source.name, item.open)
        else:
            yield item


def each_input(
    source: SourceFile,
    ctx: ParseContext,
    wanted: MemberPatterns,
    read: Callable[[Input], Iterator[Event | ParseWarning]],
    missing: ParseWarning,
) -> Iterator[Event | ParseWarning]:
    """``read`` the single file, or each wanted member of the zip; ``missing`` when the zip holds none."""
    if not source_is_zip(source):
        yield from read(single_input(source))
        return
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        found = False
        for got in inputs(source, ctx, wanted, zf):
            if isinstance(got, ParseWarning):
                yield got
                continue
            found = True
            yield from read(got)
        if not found:
            yield missing


def member_list(zf: SafeZip) -> list[str]:
    """Member paths without macOS resource forks and dot files (for "not read" summaries)."""
    out = []
    for m in zf.members:
        base = m.path.rsplit("/", 1)[-1]
        if m.path.startswith("__MACOSX/") or base.startswith(".") or m.path.endswith("/"):
            continue
        out.append(m.path)
    return out


def without_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates (from ``"\\ud800"`` escapes in hostile JSON) replaced by U+FFFD.

    ``json.loads`` accepts such escapes, but the text cannot be encoded as UTF-8, so it could never
    be hashed, indexed or exported. Dicts and lists are walked; other values are returned as they are.
    """
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    return value


def may_hold_surrogates(raw: bytes | str) -> bool:
    """Cheap test: could ``json.loads(raw)`` produce a lone surrogate (an escaped ``\\uD800``-``\\uDFFF``)?"""
    probe = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return _SURROGATE_ESCAPE.search(probe) is not None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def load_json(item: Input) -> tuple[Any, list[ParseWarning]]:
    """Parse a JSON member: (document, warnings). On failure the document is None and the warnings
    say why (``unreadable_json``, located); otherwise they hold any ``duplicate_key`` / ``huge_number``
    found (see :mod:`cyberevidence.parsers._json_safe`)."""
    try:
        raw = item.read_bytes()
    except UnsafeArchiveError as exc:
        return None, [ParseWarning("unreadable_member", str(exc), locator=item.path, file=item.name)]
    try:
        doc, notes = load_document(raw.decode("utf-8-sig", errors="replace"), item.name, item.prefix)
        return (without_surrogates(doc) if may_hold_surrogates(raw) else doc), notes
    except json.JSONDecodeError as exc:
        where = f"{item.prefix}line {exc.lineno} column {exc.colno}"
        message = f"{item.path or item.name} is not valid JSON ({exc.msg}); nothing in it could be read"
        return None, [ParseWarning("unreadable_json", message, locator=where, file=item.name)]
    except RecursionError:
        return None, [
            ParseWarning(
                "unreadable_json", f"{item.path or item.name} is nested too deeply to read", locator=item.path, file=item.name
            )
        ]


def norm_key(key: object) -> str:
    """A key compared without case, spaces, dashes or underscores ("Chat History" == "ChatHistory")."""
    return "".join(ch for ch in str(key).casefold() if ch not in " _-")


def get_key(obj: object, *names: str) -> Any:
    """``obj[k]`` for the first key whose normalised spelling is one of ``names`` (or None)."""
    if not isinstance(obj, dict):
        return None
    wanted = [norm_key(n) for n in names]
    found = {norm_key(k): k for k in obj}
    for w in wanted:
        if w in found:
            return obj[found[w]]
    return None


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


# -- times ------------------------------------------------------------------------------------

EPOCH_UNITS = (("s", 1e11, 1), ("ms", 1e14, 1_000), ("us", 1e17, 1_000_000))


def from_epoch(value: object) -> tuple[datetime, str] | None:
    """An epoch number (int, float or digit string) as aware UTC, and the unit chosen by magnitude.

    Below 10^11 it is seconds (10^11 s is the year 5138), below 10^14 milliseconds, below 10^17
    microseconds; anything else, negative or non-numeric gives None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
        number: int | float = int(value)
    elif isinstance(value, int | float):
        number = value
    else:
        return None
    if number < 0 or number != number:
        return None
    for unit, bound, per_second in EPOCH_UNITS:
        if number < bound:
            if isinstance(number, int):
                whole, rest = divmod(number, per_second)
                return EPOCH + timedelta(seconds=whole, microseconds=rest * 1_000_000 // per_second), unit
            return EPOCH + timedelta(seconds=number / per_second), unit
    return None


def parse_utc_text(value: object, formats: tuple[str, ...]) -> datetime | None:
    """``value`` read with the first matching ``strptime`` format, as aware UTC (the formats name UTC)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


@dataclass(slots=True)
class Converted:
    utc: datetime
    ambiguous: bool = False
    note: str = ""


class LocalClock:
    """Zone-less wall-clock times to UTC in ``ctx.options.timezone`` (folds and gaps made explicit)."""

    def __init__(self, ctx: ParseContext, file: str, why: str) -> None:
        self.tz = ctx.options.timezone
        self.assumed = ctx.options.timezone_assumed
        self.file = file
        self.why = why
        self.used = False
        self.pending: list[ParseWarning] = []

    def convert(self, naive: datetime, locator: str) -> Converted:
        self.used = True
        zone = self.tz.key
        first = localize(naive, self.tz, fold=0)
        if first.in_fold:
            note = (
                f"local time {naive:%Y-%m-%d %H:%M:%S} occurred twice in {zone} (the clocks went back); "
                "unresolved: earlier instant assumed"
            )
            self.pending.append(ParseWarning("ambiguous_time", note, locator=locator, file=self.file))
            return Converted(first.utc, True, note)
        if first.in_gap:
            note = (
                f"local time {naive:%Y-%m-%d %H:%M:%S} does not exist in {zone} (the clocks went forward); "
                "converted with the offset in force before the change"
            )
            self.pending.append(ParseWarning("nonexistent_time", note, locator=locator, file=self.file))
            return Converted(first.utc, True, note)
        return Converted(first.utc)

    def drain(self) -> Iterator[ParseWarning]:
        """Warnings so far; the first call after a conversion adds the assumed-zone warning."""
        if self.used and self.assumed:
            self.assumed = False
            yield assumed_timezone(self.tz, file=self.file, what="these times", whose="the account", why=self.why)
        pending, self.pending = self.pending, []
        yield from pending


def date_only(day: datetime, ctx: ParseContext, shown: str) -> Converted:
    """A date without a time: 00:00 local time of that day, flagged and noted (the time is unknown)."""
    tz = ctx.options.timezone
    utc = localize(day, tz).utc
    note = f"the export gives only the date ({shown}); the time of day is unknown and is shown as 00:00 {tz.key}"
    return Converted(utc, True, note)


# -- CSV --------------------------------------------------------------------------------------


@dataclass(slots=True)
class CsvTable:
    header: list[str]
    header_line: int
    preamble: list[str]
    rows: Iterator[tuple[int, dict[str, str], list[str]]]


def read_csv(data: bytes, is_header: Callable[[list[str]], bool], max_preamble: int = 20) -> CsvTable | None:
    """Find the header (the first line ``is_header`` accepts within ``max_preamble`` lines) and read on.

    Rows are ``(line number of the row's first line, {column: cell}, overflow cells)``. Cells are
    plain strings from :mod:`csv`; nothing is evaluated. None when no header is found.
    """
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines[: max_preamble + 1]):
        try:
            cells = next(csv.reader([line]))
        except (StopIteration, csv.Error):
            continue
        if is_header([c.strip() for c in cells]):
            header = [c.strip() for c in cells]
            return CsvTable(header, i + 1, [ln.rstrip("\r\n") for ln in lines[:i]], _rows(lines[i + 1 :], header, i + 2))
    return None


def _rows(lines: list[str], header: list[str], first_line: int) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    stream = _Counting(lines)
    reader = csv.reader(stream)
    while True:
        start = stream.consumed + first_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start, {}, ["\x00csv-error"]
            continue
        if not cells or all(not c for c in cells):
            continue
        cells = [lf_line_ends(c) for c in cells]  # a CRLF inside a quoted cell is a line end, not content
        row = dict(zip(header, cells, strict=False))
        yield start, row, cells[len(header) :]


class _Counting:
    """A line iterator that counts how many physical lines the csv reader has taken."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.consumed = 0

    def __iter__(self) -> _Counting:
        return self

    def __next__(self) -> str:
        if self.consumed >= len(self.lines):
            raise StopIteration
        line = self.lines[self.consumed]
        self.consumed += 1
        return line
