"""Stable machine exports (issue 19, item 6): one shape for every record, every timestamp and every flag.

The oracles are independent of the writers: ``pandas.to_datetime`` with no format (what an
analyst types), ``datetime.fromisoformat`` and a regular expression, ``zoneinfo`` for the local
times, ``jsonschema`` for the schema, and the events' own instants.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cyberevidence as ce
from cyberevidence.case_warnings import CaseWarning
from cyberevidence.events import Event, SourceRef
from cyberevidence.exporters.contacts import write_contacts_csv
from cyberevidence.exporters.record import EVENT_FIELDS, event_json_schema
from cyberevidence.exporters.timeline import TIMELINE_CSV_COLUMNS, write_timeline_csv, write_timeline_jsonl
from cyberevidence.warning_codes import WarningCategory, WarningCode

REPO = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
MS_SHAPE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
FLAGS = ("undated", "time_ambiguous", "edited", "deleted", "media_omitted")


def _jsonl(case: ce.Case) -> list[dict[str, object]]:
    out = io.StringIO()
    write_timeline_jsonl(case.timeline(), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _truncated_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).astimezone(timezone.utc)


def test_the_fixture_mixes_precisions_flags_and_undated(mixed_case: Path) -> None:
    """The case the other tests read really has what the old exports got wrong."""
    events = list(ce.Case.open(mixed_case).timeline())
    dated = [e.timestamp for e in events if e.timestamp is not None]
    assert any(t.microsecond for t in dated) and any(not t.microsecond for t in dated)
    assert any(e.undated for e in events) and any(e.edited for e in events) and not all(e.edited for e in events)
    assert any(e.duration_s is not None for e in events) and any(e.media_omitted for e in events)
    assert len({e.platform for e in events}) >= 5


def test_every_jsonl_record_has_every_field_and_passes_the_schema(mixed_case: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    case = ce.Case.open(mixed_case)
    records = _jsonl(case)
    names = [f.name for f in EVENT_FIELDS]
    schema = ce.event_schema()
    for record in records:
        assert list(record) == names
        jsonschema.validate(record, schema)
        assert all(isinstance(record[flag], bool) for flag in FLAGS)
        assert (record["timestamp"] is None) == record["undated"]
    broken = {**records[0], "edited": None}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    with pytest.raises(jsonschema.ValidationError):  # an undated record must not carry a time
        jsonschema.validate({**records[0], "undated": True}, schema)


def test_the_schema_file_is_the_one_made_from_the_declaration() -> None:
    stored = json.loads((REPO / "src" / "cyberevidence" / "schemas" / "event.schema.json").read_text(encoding="utf-8"))
    assert stored == event_json_schema(), "regenerate: python -c 'from cyberevidence.exporters.record import " \
        "event_json_schema; import json; print(json.dumps(event_json_schema(), indent=2))'"
    assert ce.event_schema()["$id"].endswith("event-2.json")


def test_jsonl_timestamps_read_with_a_plain_pandas_to_datetime(mixed_case: Path) -> None:
    case = ce.Case.open(mixed_case)
    events = list(case.timeline())
    stamps = [r["timestamp"] for r in _jsonl(case)]
    assert all(s is None or MS_SHAPE.fullmatch(str(s)) for s in stamps)
    want = [None if e.timestamp is None else _truncated_ms(e.timestamp) for e in events]
    got = [None if s is None else datetime.fromisoformat(str(s)) for s in stamps]
    assert got == want
    pd = pytest.importorskip("pandas")
    parsed = pd.to_datetime(pd.Series(stamps))  # no format, no utc=True: the plain call
    assert str(parsed.dtype).startswith("datetime64[") and "UTC" in str(parsed.dtype)
    assert [None if pd.isna(t) else t.to_pydatetime() for t in parsed] == want


def test_csv_has_millisecond_times_local_time_zone_and_every_flag(mixed_case: Path) -> None:
    case = ce.Case.open(mixed_case)
    events = list(case.timeline())
    out = io.StringIO()
    write_timeline_csv(case.timeline(), out, tz=LONDON)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == TIMELINE_CSV_COLUMNS and len(rows) == len(events)
    for row, ev in zip(rows, events, strict=True):
        assert all(row[flag] in ("true", "false") for flag in FLAGS)
        assert row["edited"] == str(ev.edited).lower() and row["undated"] == str(ev.undated).lower()
        assert row["timezone"] == "Europe/London"
        if ev.timestamp is None:
            assert row["timestamp"] == row["local_time"] == row["datetime"] == ""
            continue
        assert MS_SHAPE.fullmatch(row["timestamp"]) and row["datetime"] == row["timestamp"]
        local = datetime.fromisoformat(row["local_time"])
        assert local == _truncated_ms(ev.timestamp)
        assert local.utcoffset() == ev.timestamp.astimezone(LONDON).utcoffset()
        assert row["local_time"][:19] == ev.timestamp.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S")
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(out.getvalue()), keep_default_na=False)
    dated = frame[frame["timestamp"] != ""]
    assert len(pd.to_datetime(dated["timestamp"])) == len(dated)


def test_local_time_tells_the_two_sides_of_a_clock_change_apart() -> None:
    src = SourceRef("a" * 64, "line 1")
    first = datetime(2025, 10, 26, 0, 30, tzinfo=timezone.utc)  # 01:30 BST
    events = [Event(timestamp=t, platform="sms", kind="message", source=src, event_id=f"{i:032x}")
              for i, t in enumerate((first, first + timedelta(hours=1)))]  # 01:30 GMT
    out = io.StringIO()
    write_timeline_csv(events, out, tz=LONDON)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["local_time"] for r in rows] == ["2025-10-26T01:30:00.000+01:00", "2025-10-26T01:30:00.000+00:00"]
    out = io.StringIO()
    write_timeline_csv(events, out, tz=timezone.utc)
    assert next(csv.DictReader(io.StringIO(out.getvalue())))["timezone"] == "UTC"


def test_excel_option_writes_a_byte_order_mark_and_nothing_else_changes(mixed_case: Path) -> None:
    case = ce.Case.open(mixed_case)
    plain, excel = io.StringIO(), io.StringIO()
    write_timeline_csv(case.timeline(), plain, tz=LONDON)
    write_timeline_csv(case.timeline(), excel, tz=LONDON, excel=True)
    assert not plain.getvalue().startswith("\ufeff")
    assert excel.getvalue() == "\ufeff" + plain.getvalue()
    rows = list(csv.DictReader(io.StringIO(excel.getvalue().encode("utf-8").decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "event_id"
    plain, excel = io.StringIO(), io.StringIO()
    write_contacts_csv(case.contacts("week"), plain)
    write_contacts_csv(case.contacts("week"), excel, excel=True)
    assert excel.getvalue() == "\ufeff" + plain.getvalue()


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_cli_excel_flag(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    done = _cli("timeline", demo_case, "--format", "csv", "--excel", "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf\"event_id\"")
    contacts = tmp_path / "c.csv"
    assert _cli("contacts", demo_case, "--excel", "-o", contacts).returncode == 0
    assert contacts.read_bytes().startswith(b"\xef\xbb\xbf\"person\"")
    wrong = _cli("timeline", demo_case, "--format", "jsonl", "--excel")
    assert wrong.returncode == 2 and "--excel is for --format csv" in wrong.stderr


def test_py_typed_is_in_the_wheel(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    assert (REPO / "src" / "cyberevidence" / "py.typed").is_file()
    [wheel] = builders.WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])
    names = zipfile.ZipFile(wheel).namelist()
    assert "cyberevidence/py.typed" in names
    assert "cyberevidence/schemas/event.schema.json" in names


def test_warnings_are_typed_frozen_records(mixed_case: Path) -> None:
    warnings = ce.Case.open(mixed_case).warnings()
    assert warnings and all(type(w) is CaseWarning for w in warnings)
    codes = {w.code for w in warnings}
    assert WarningCode.NO_DATE in codes and all(isinstance(c, WarningCode) for c in codes)
    no_date = next(w for w in warnings if w.code == "no_date")  # a StrEnum compares with its text
    assert no_date.file == "few_headers.eml" and len(no_date.sha256) == 64 and no_date.locator
    assert no_date.category is WarningCode.NO_DATE.category and isinstance(no_date.category, WarningCategory)
    with pytest.raises(dataclasses.FrozenInstanceError):
        no_date.code = "other"  # type: ignore[misc]
    assert json.loads(json.dumps(no_date.to_dict())) == {
        "sha256": no_date.sha256, "parser": no_date.parser, "code": "no_date", "message": no_date.message,
        "locator": no_date.locator, "file": "few_headers.eml"}
    plugin = CaseWarning.from_row({"sha256": "0" * 64, "parser": "plug", "code": "my_own_code", "message": "m",
                                   "locator": "", "file": "f"})
    assert plugin.code == "my_own_code" and not isinstance(plugin.code, WarningCode) and plugin.category is None
