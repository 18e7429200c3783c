"""The diary as CSV, for people who keep their diary in a spreadsheet.

Export writes the latest version of each entry. Import reads the same columns: a row with an
``entry_id`` the case knows becomes a new version of that entry when any field differs; a row
without one becomes a new entry. Cells are written by the one CSV writer
(:mod:`cyberevidence.exporters.csv_out`: RFC 4180, formula guard) and read back as plain text, the
guard's apostrophe removed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from cyberevidence.exporters.csv_out import CsvValue, unguard, write_csv
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
    """The version number stays a number; everything the person wrote is text and formula-guarded."""

    def row(e: DiaryEntry) -> list[CsvValue]:
        d = e.to_dict()
        return [d[c] if c == "version" and isinstance(d[c], int) else str(d[c]) for c in DIARY_CSV_COLUMNS]

    return write_csv(out, DIARY_CSV_COLUMNS, (row(e) for e in entries))


def read_diary_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each entry row; a missing required column is a clear error."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"happened_at", "what_happened"} - set(reader.fieldnames or ())
        if missing:
            raise RecordError(f"{path.name}: the diary CSV has no column {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: unguard((v or "").strip()) for k, v in row.items() if k}
