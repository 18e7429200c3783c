"""Contact-frequency output: CSV with columns person,period,platform,incoming,outgoing,total, or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from cyberevidence.analysis.contacts import CSV_COLUMNS, ContactRow
from cyberevidence.exporters.csv_out import write_csv


def write_contacts_csv(rows: Iterable[ContactRow], out: TextIO) -> int:
    """Counts stay numbers; person, period and platform are text and formula-guarded."""
    return write_csv(out, CSV_COLUMNS, ([r.person, r.period, r.platform, r.incoming, r.outgoing, r.total] for r in rows))


def write_contacts_json(rows: Iterable[ContactRow], out: TextIO, by: str) -> int:
    items = [r.to_dict() for r in rows]
    json.dump({"by": by, "columns": list(CSV_COLUMNS), "rows": items}, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)
