"""Writers for the stable output formats: timeline JSONL/CSV and contact-frequency CSV/JSON."""

from cyberevidence.exporters.contacts import write_contacts_csv, write_contacts_json
from cyberevidence.exporters.timeline import TIMELINE_CSV_COLUMNS, write_timeline_csv, write_timeline_jsonl

__all__ = ["TIMELINE_CSV_COLUMNS", "write_contacts_csv", "write_contacts_json", "write_timeline_csv", "write_timeline_jsonl"]
