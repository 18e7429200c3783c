"""Contact-frequency output: CSV with columns person,period,platform,incoming,outgoing,total, or JSON.

:data:`CONTACT_FIELDS` declares the same columns with their types, for the Parquet file
(:func:`cyberevidence.exporters.parquet.write_contacts_parquet`); it is made from the one column
list, ``analysis.contacts.CSV_COLUMNS``, so the formats cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from operator import attrgetter
from typing import Final, TextIO

from cyberevidence.analysis.contacts import CSV_COLUMNS, ContactRow
from cyberevidence.exporters.csv_out import write_csv
from cyberevidence.exporters.record import ExportField, FieldType

_COUNTS = {"incoming", "outgoing", "total"}
_DOCS = {
    "person": "the person, or the raw handle where the people file names nobody",
    "period": "the hour, day, week (ISO, 2025-W11) or month, in the case's timezone",
    "platform": "whatsapp, sms, phone, email, ...",
    "incoming": "contacts from the person",
    "outgoing": "contacts from the victim",
    "total": "incoming + outgoing + contacts of unknown direction",
}
CONTACT_FIELDS: Final[tuple[ExportField[ContactRow], ...]] = tuple(
    ExportField(name, FieldType.INT if name in _COUNTS else FieldType.STRING, attrgetter(name), _DOCS[name],
                categorical=name == "platform")
    for name in CSV_COLUMNS
)


def write_contacts_csv(rows: Iterable[ContactRow], out: TextIO, *, excel: bool = False) -> int:
    """Counts stay numbers; person, period and platform are text and formula-guarded. ``excel``: a UTF-8 BOM first."""
    return write_csv(out, CSV_COLUMNS, ([r.person, r.period, r.platform, r.incoming, r.outgoing, r.total] for r in rows),
                     bom=excel)


def write_contacts_json(rows: Iterable[ContactRow], out: TextIO, by: str) -> int:
    items = [r.to_dict() for r in rows]
    json.dump({"by": by, "columns": list(CSV_COLUMNS), "rows": items}, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)
