"""The diary as CSV, for people who keep their diary in a spreadsheet.

Export writes the latest version of each entry. Import reads the same columns: a row with an
``entry_id`` the case knows becomes a new version of that entry when any field differs; a row
without one becomes a new entry. Cells are written formula-safe (a leading ``=``, ``+``, ``-``,
``@`` is quoted) and read as plain text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from cyberevidence.exporters._csvsafe import cell
from cyberevidence.records import DiaryEntry, RecordError

DIARY_CSV_COLUMNS = (
    "entry_id",
    "version",
    "happened_at",
    "what_happened",
    "place",
    "witnesses",
    "police_reference",
    "suspected_technology",
    "impact",
    "person",
    "written_at",
    "happened_at_utc",
)
EDITABLE = ("happened_at", "what_happened", "place", "witnesses", "police_reference", "suspected_technology", "impact", "person")


def write_diary_csv(entries: Iterable[DiaryEntry], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DIARY_CSV_COLUMNS)
    n = 0
    for e in entries:
        d = e.to_dict()
        writer.writerow([cell(str(d[c])) for c in DIARY_CSV_COLUMNS])
        n += 1
    return n


def _uncell(value: str) -> str:
    """Undo the formula guard on import (a leading apostrophe we wrote)."""
    return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value


def read_diary_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each entry row; a missing required column is a clear error."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"happened_at", "what_happened"} - set(reader.fieldnames or ())
        if missing:
            raise RecordError(f"{path.name}: the diary CSV has no column {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: _uncell((v or "").strip()) for k, v in row.items() if k}
