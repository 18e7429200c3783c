"""Helpers shared by the Snapchat, TikTok, Google Takeout and LinkedIn download parsers.

* the inputs (a zip as downloaded or one file of the unpacked download) come from
  :mod:`cyberevidence.parsers.kit.inputs`.
* :class:`DownloadClock` turns a zone-less wall-clock time into UTC with the kit's clock
  (earlier instant in a fold), warning for each fold or gap and once that the zone was assumed.
* :func:`read_csv` reads CSV with the stdlib module; a preamble of notes before the header is skipped
  and counted; cells are text and are never evaluated (``=cmd()`` stays the text ``=cmd()``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cyberevidence.events import ParseWarning
from cyberevidence.parsers._text import lf_line_ends
from cyberevidence.parsers.base import ParseContext
from cyberevidence.parsers.kit.clock import Converted, FoldPolicy, LocalClock
from cyberevidence.parsers.kit.notes import assumed_timezone
from cyberevidence.timeutil import localize


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


class DownloadClock:
    """Zone-less times of a download to UTC (kit/clock.py, ``FoldPolicy.EARLIER``), with their warnings.

    Each fold or gap gives an ``ambiguous_time`` / ``nonexistent_time`` warning; the first
    :meth:`drain` after a conversion adds the ``assumed_timezone`` warning when nobody chose the zone.
    """

    def __init__(self, ctx: ParseContext, file: str, why: str) -> None:
        self.tz = ctx.options.timezone
        self.clock = LocalClock(self.tz, FoldPolicy.EARLIER)
        self.assumed = ctx.options.timezone_assumed
        self.file = file
        self.why = why
        self.used = False
        self.pending: list[ParseWarning] = []

    def convert(self, naive: datetime, locator: str) -> Converted:
        self.used = True
        out = self.clock.convert(naive)
        if out.fold or out.gap:
            code = "ambiguous_time" if out.fold else "nonexistent_time"
            self.pending.append(ParseWarning(code, out.note, locator=locator, file=self.file))
        return out

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
