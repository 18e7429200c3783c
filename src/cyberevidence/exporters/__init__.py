"""Writers for the stable output formats: timeline JSONL/CSV/Parquet and contact-frequency CSV/JSON/Parquet.

The Parquet writers import pyarrow only when called (the optional extra ``parquet``).
"""

from cyberevidence.exporters.contacts import write_contacts_csv, write_contacts_json
from cyberevidence.exporters.parquet import write_contacts_parquet, write_timeline_parquet
from cyberevidence.exporters.timeline import TIMELINE_CSV_COLUMNS, write_timeline_csv, write_timeline_jsonl

__all__ = [
    "TIMELINE_CSV_COLUMNS",
    "write_contacts_csv",
    "write_contacts_json",
    "write_contacts_parquet",
    "write_timeline_csv",
    "write_timeline_jsonl",
    "write_timeline_parquet",
]
