"""Contact-frequency output: CSV with columns person,period,platform,incoming,outgoing,total, or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from cyberevidence.analysis.contacts import CSV_COLUMNS, ContactRow
from cyberevidence.exporters._csvsafe import cell


def write_contacts_csv(rows: Iterable[ContactRow], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for r in rows:
        writer.writerow([cell(r.person), r.period, r.platform, r.incoming, r.outgoing, r.total])
        n += 1
    return n


def write_contacts_json(rows: Iterable[ContactRow], out: TextIO, by: str) -> int:
    items = [r.to_dict() for r in rows]
    json.dump({"by": by, "columns": list(CSV_COLUMNS), "rows": items}, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)
