"""The one CSV writer: every CSV file the tool writes goes through this module.

The stalker wrote the text, and police and advocates open these files in Excel or LibreOffice, so
a cell must never become a formula and a message must never spill into the next row. The rules
(also in ``docs/csv.md``):

* **Dialect.** RFC 4180: comma separated, CRLF after every row, a field that holds a quote has
  it doubled. **Every text cell is quoted** (``csv.QUOTE_NONNUMERIC``), so a CR, LF, CRLF, comma
  or quote inside a message can never end the row or the cell, whatever the reader's idea of a
  line end is. Numbers the tool itself computed (counts, sizes, durations) are written bare.
* **Encoding.** UTF-8 without a byte-order mark by default: Timesketch, the ``csv`` module and
  scripts read the header as it is. ``bom=True`` (the CLI's ``--excel``) starts the file with
  U+FEFF, which Excel needs to read UTF-8 when the file is opened by double-click.
* **Formula guard (OWASP CSV injection).** A text cell is prefixed with one apostrophe ``'`` when
  it starts with TAB or CR, or when, after any leading spaces and control characters (space, TAB,
  CR, LF, Unicode spaces, zero-width and other invisible format characters), its first character
  is ``=`` ``+`` ``-`` ``@`` or a full-width or small variant of one (``＝ ＋ － ＠``; anything that
  NFKC-normalises to one of the four). One exception: a plain phone number, ``+`` then an ASCII
  digit then only ASCII digits, spaces and hyphens (``+44 7700 900123``), is left as it is: it
  can name no function, cell or command, and an apostrophe would spoil the number. A text cell
  that starts with apostrophes followed by such a cell gets one more apostrophe, so the guard is
  exactly reversible: **to recover the original, remove the single leading apostrophe from a cell
  that has one and whose remainder would itself be guarded** (:func:`unguard`; in practice: strip the leading ``'``).
* **Provenance.** Only ``str`` values can carry evidence and every ``str`` goes through the guard,
  whatever column it is in. ``int`` and ``float`` values are numbers the tool formatted itself
  (a count, a size, ``-0.5``); they are written as numbers, unguarded and unquoted, so a
  spreadsheet can still sum them. A writer must therefore pass its own numbers as numbers and
  everything read from evidence as text.

Only the CSV presentation changes: the stored evidence and the JSONL keep every character exactly.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TextIO

CsvValue = str | int | float | None

GUARD = "'"
LINE_END = "\r\n"
_FORMULA_STARTS = frozenset("=+-@")
_ALWAYS_GUARD_FIRST = ("\t", "\r")
#: A plain phone number: "+", an ASCII digit, then only ASCII digits, spaces and hyphens.
_PHONE = re.compile(r"\+[0-9][0-9 \-]*")
BOM = "\ufeff"


def _ignorable(ch: str) -> bool:
    """Characters a spreadsheet may skip before it looks for a formula sign."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def needs_guard(text: str) -> bool:
    """True when ``text``, as a CSV cell, could be read as a formula (or would be ambiguous to unguard)."""
    if not text:
        return False
    if text.startswith(_ALWAYS_GUARD_FIRST):
        return True
    i = 0
    while i < len(text) and _ignorable(text[i]):
        i += 1
    if i == len(text):
        return False
    first = text[i]
    if i == 0 and first == "+" and _PHONE.fullmatch(text):
        return False
    if first in _FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS:
        return True
    # "'=1" is guarded too (as "''=1"), so that unguard() is the exact inverse of guard().
    return i == 0 and first == GUARD and needs_guard(text[1:])


def guard(text: str) -> str:
    """The text as a formula-safe cell: ``'`` + text when it needs it, else the text unchanged."""
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """Undo :func:`guard` exactly (used when the tool reads back a CSV it wrote, e.g. the diary)."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text


def cell(value: CsvValue) -> str | int | float:
    """One cell as written: numbers stay numbers, every text goes through the guard."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python; in the CSV it is the word
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, float):  # nan, inf, -inf: not a number a spreadsheet reads; "-inf" as text
        return guard(str(value))
    return guard(str(value))


class CsvWriter:
    """Rows to a text stream in the tool's one dialect. Open files with ``newline=""``."""

    def __init__(self, out: TextIO, header: Sequence[str], *, bom: bool = False) -> None:
        if bom:
            out.write(BOM)
        self._writer = csv.writer(out, lineterminator=LINE_END, quoting=csv.QUOTE_NONNUMERIC, doublequote=True)
        self._writer.writerow([guard(h) for h in header])
        self.rows = 0

    def row(self, values: Sequence[CsvValue]) -> None:
        self._writer.writerow([cell(v) for v in values])
        self.rows += 1


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[CsvValue]], *, bom: bool = False) -> int:
    """Header and rows to ``out`` (after a byte-order mark if ``bom``); the number of rows (header not counted)."""
    writer = CsvWriter(out, header, bom=bom)
    for values in rows:
        writer.row(values)
    return writer.rows


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[CsvValue]]) -> bytes:
    """The same CSV as UTF-8 bytes, for files written atomically (the pack)."""
    buf = io.StringIO(newline="")
    write_csv(buf, header, rows)
    return buf.getvalue().encode("utf-8")


__all__ = [
    "BOM", "GUARD", "LINE_END", "CsvValue", "CsvWriter", "cell", "csv_bytes", "guard", "needs_guard", "unguard", "write_csv",
]
