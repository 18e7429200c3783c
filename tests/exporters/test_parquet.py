"""Parquet timeline and contacts (issue 20, item 5): the JSONL contract in columns, streamed, in custody.

Oracles: the JSONL the same case writes, read back by ``json``; pyarrow's own reading of the
file (independent of our reader); DuckDB, a second Parquet implementation, when installed.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.events import Event, SourceRef
from cyberevidence.exporters.contacts import CONTACT_FIELDS
from cyberevidence.exporters.optional import MissingExtraError
from cyberevidence.exporters.record import EVENT_FIELDS, SCHEMA_ID, event_json_schema
from cyberevidence.exporters.timeline import write_timeline_jsonl

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
from cyberevidence.exporters.parquet import (  # noqa: E402
    arrow_schema,
    parquet_metadata,
    read_timeline_parquet,
    write_contacts_parquet,
    write_timeline_parquet,
)


def _jsonl_records(case: ce.Case) -> list[dict[str, object]]:
    out = io.StringIO()
    write_timeline_jsonl(case.timeline(), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_parquet_round_trips_to_exactly_the_jsonl_records(mixed_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(mixed_case)
    path = tmp_path / "timeline.parquet"
    assert write_timeline_parquet(case.timeline(), path) == len(jsonl := _jsonl_records(case))
    assert list(read_timeline_parquet(path)) == jsonl


def test_pyarrow_reads_the_same_values_without_our_reader(mixed_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(mixed_case)
    path = tmp_path / "timeline.parquet"
    write_timeline_parquet(case.timeline(), path)
    table = pq.read_table(path)
    jsonl = _jsonl_records(case)
    assert table.column_names == list(jsonl[0]) and table.num_rows == len(jsonl)
    assert table.schema.field("timestamp").type == pa.timestamp("ms", tz="UTC")
    for row, record in zip(table.to_pylist(), jsonl, strict=True):
        stamp = record["timestamp"]
        want = None if stamp is None else datetime.fromisoformat(str(stamp))
        assert row["timestamp"] == want
        assert json.loads(row["extra"]) == record["extra"]
        assert {k: v for k, v in row.items() if k not in ("timestamp", "extra")} == {
            k: v for k, v in record.items() if k not in ("timestamp", "extra")}


def test_one_declaration_gives_the_arrow_schema_and_the_json_schema() -> None:
    names = [f.name for f in EVENT_FIELDS]
    schema = arrow_schema(EVENT_FIELDS)
    assert schema.names == names == event_json_schema()["required"] == list(event_json_schema()["properties"])
    nullable = {f.name for f in schema if f.nullable}
    json_nullable = {k for k, v in event_json_schema()["properties"].items() if "null" in v.get("type", [])}
    assert nullable == json_nullable == {"timestamp", "duration_s"}
    assert arrow_schema(CONTACT_FIELDS).names == list(ce.ContactRow.__dataclass_fields__)


def test_duckdb_reads_the_file_as_typed_columns(mixed_case: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    case = ce.Case.open(mixed_case)
    path = tmp_path / "timeline.parquet"
    write_timeline_parquet(case.timeline(), path)
    con = duckdb.connect()
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                             [str(path)]).fetchall())
    assert types["timestamp"] == "TIMESTAMP WITH TIME ZONE" and types["edited"] == "BOOLEAN"
    assert types["extra"] == "JSON" and types["duration_s"] == "BIGINT"
    events = list(case.timeline())
    got = con.execute("SELECT platform, count(*), count(timestamp), sum(duration_s), sum(edited::INT) FROM read_parquet(?) "
                      "GROUP BY platform ORDER BY platform", [str(path)]).fetchall()
    want = []
    for platform in sorted({e.platform for e in events}):
        mine = [e for e in events if e.platform == platform]
        durations = [e.duration_s for e in mine if e.duration_s is not None]
        want.append((platform, len(mine), sum(e.timestamp is not None for e in mine), sum(durations) if durations else None,
                     sum(e.edited for e in mine)))
    assert got == want


def _events(n: int) -> Iterator[Event]:
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for i in range(n):
        yield Event(timestamp=start + timedelta(seconds=i, microseconds=(i % 1000) * 1000), platform="sms", kind="message",
                    source=SourceRef("a" * 64, f"line {i}"), sender=f"+4477009{i % 100000:05d}", text="x" * (i % 200),
                    event_id=f"{i:032x}", extra={"i": i})


def test_row_groups_bound_memory_and_every_row_is_written(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    assert write_timeline_parquet(_events(2500), path, row_group_rows=1000) == 2500
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1000, 1000, 500]
    assert [r["event_id"] for r in read_timeline_parquet(path)] == [f"{i:032x}" for i in range(2500)]

    def peak(n: int) -> int:
        tracemalloc.start()
        write_timeline_parquet(_events(n), tmp_path / f"{n}.parquet", row_group_rows=1000)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    small, large = peak(4000), peak(16000)
    assert large < small * 1.5, (small, large)  # four times the events, not four times the memory


def test_an_empty_timeline_still_has_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    assert write_timeline_parquet([], path) == 0
    assert pq.read_table(path).num_rows == 0 and pq.read_schema(path).names == [f.name for f in EVENT_FIELDS]


def test_contacts_parquet_has_the_contact_rows(mixed_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(mixed_case)
    rows = case.contacts("week")
    path = tmp_path / "contacts.parquet"
    assert write_contacts_parquet(rows, path, "week") == len(rows)
    assert pq.read_table(path).to_pylist() == [r.to_dict() for r in rows]
    assert pq.read_schema(path).field("total").type == pa.int64()
    assert parquet_metadata(path)["cyberevidence.by"] == "week"


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_cli_parquet_exports_are_in_custody(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "timeline.parquet"
    done = _cli("timeline", demo_case, "--format", "parquet", "-o", out)
    assert done.returncode == 0, done.stderr
    case = ce.Case.open(demo_case)
    entry = list(case.custody.entries())[-1]
    assert entry.action == "export" and entry.details["what"] == "timeline-parquet"
    assert entry.details["output_sha256"] == ce.hash_file(out)["sha256"]
    assert entry.details["items"] == len(list(case.timeline())) and entry.details["schema_version"] == 2
    meta = parquet_metadata(out)
    assert meta["cyberevidence.schema"] == SCHEMA_ID and meta["cyberevidence.case_id"] == case.info["case_id"]
    assert meta["cyberevidence.timezone"] == "Europe/London"
    assert list(read_timeline_parquet(out)) == _jsonl_records(case)

    contacts = tmp_path / "contacts.parquet"
    done = _cli("contacts", demo_case, "--by", "week", "--format", "parquet", "-o", contacts)
    assert done.returncode == 0, done.stderr
    entry = list(ce.Case.open(demo_case).custody.entries())[-1]
    assert entry.details["what"] == "contacts-parquet" and entry.details["output_sha256"] == ce.hash_file(contacts)["sha256"]
    assert pq.read_table(contacts).to_pylist() == [r.to_dict() for r in case.contacts("week")]

    refused = _cli("timeline", demo_case, "--format", "parquet")
    assert refused.returncode == 2 and "name the file with -o" in refused.stderr


def test_without_pyarrow_a_typed_error_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtraError) as caught:
        write_timeline_parquet(itertools.islice(_events(1), 1), tmp_path / "x.parquet")
    assert caught.value.extra == "parquet" and "cyberevidence[parquet]" in caught.value.hint
    assert not (tmp_path / "x.parquet").exists()
