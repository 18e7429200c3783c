"""Timesketch JSONL: Timesketch's required fields beside the event record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import cyberevidence as ce
from cyberevidence.exporters.record import format_ms
from cyberevidence.exporters.timesketch import epoch_micros, timestamp_desc


def test_records_carry_timesketch_fields_and_ours(demo_case: Path) -> None:
    case = ce.Case.open(demo_case)
    events = list(case.timeline())
    out = demo_case / "ts.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        assert ce.write_timeline_timesketch(case.timeline(), fh) == len(events)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(events)
    for rec, ev in zip(lines, events, strict=True):
        assert list(rec)[:4] == ["message", "datetime", "timestamp", "timestamp_desc"]
        assert rec["datetime"] == format_ms(ev.timestamp)  # milliseconds always (record version 2)
        moment = datetime.fromisoformat(rec["datetime"].replace("Z", "+00:00"))
        assert isinstance(rec["timestamp"], int) and rec["timestamp"] == epoch_micros(moment)
        assert rec["timestamp"] == round(moment.timestamp() * 1_000_000)
        assert rec["event_id"] == ev.event_id and rec["platform"] == ev.platform and rec["source"]["sha256"]
        assert ev.text in rec["message"]
    assert {r["timestamp_desc"] for r in lines} >= {"Message Sent"}
    assert timestamp_desc("call") == "Call Started" and timestamp_desc("email") == "E-mail Date"


def test_cli_timeline_format_timesketch(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ts.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", "timeline", str(demo_case), "--format", "timesketch", "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert {"message", "datetime", "timestamp", "timestamp_desc", "event_id", "direction", "person"} <= set(first)
