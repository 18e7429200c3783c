"""The command line, run as a user runs it (a subprocess), on real and demo exports."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )


def test_ios_zip_becomes_a_case(corpus: Path, tmp_path: Path) -> None:
    original = corpus / "whatsapp" / "pustur_ios_de_with_media_export.zip"
    before = (original.read_bytes(), original.stat().st_mtime_ns)
    case = tmp_path / "case"
    assert cli("init", case, "--examiner", "J. Smith", "--timezone", "Europe/Berlin").returncode == 0
    added = cli("add", case, original, "--note", "test export")
    assert added.returncode == 0, added.stderr
    assert "Traceback" not in added.stderr
    verified = cli("verify", case)
    assert verified.returncode == 0, verified.stderr
    assert "Case intact" in verified.stderr
    tl = cli("timeline", case, "--format", "jsonl")
    assert tl.returncode == 0, tl.stderr
    records = [json.loads(line) for line in tl.stdout.splitlines()]
    assert records[0]["timestamp"].endswith("Z")
    assert records[0]["platform"] == "whatsapp"
    schema = ce.event_schema()
    for r in records:
        jsonschema.validate(r, schema)
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    # 20.06.19 15:58:47 Berlin (CEST, UTC+2) is the first header line
    assert records[0]["timestamp"] == "2019-06-20T13:58:47.000Z"
    assert (original.read_bytes(), original.stat().st_mtime_ns) == before
    attached = [a for r in records for a in r["attachments"] if a["sha256"]]
    assert len(attached) == 4


def test_verify_names_a_changed_byte_via_cli(corpus: Path, tmp_path: Path) -> None:
    case = tmp_path / "case"
    cli("init", case, "--examiner", "J. Smith")
    cli("add", case, corpus / "whatsapp" / "chatanalytics_android_group_4A_11M.zip", "--date-order", "mdy")
    stored = sorted(p for p in (case / "evidence" / "sha256").rglob("*") if p.is_file())
    target = stored[-1]
    os.chmod(target, 0o644)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    r = cli("verify", case)
    assert r.returncode == 1
    assert target.name in r.stderr and "content changed" in r.stderr


def test_verify_exit_2_for_non_case(tmp_path: Path) -> None:
    r = cli("verify", tmp_path)
    assert r.returncode == 2
    assert "not a cyberevidence case" in r.stderr


def test_errors_are_plain_without_traceback(tmp_path: Path) -> None:
    r = cli("add", tmp_path / "nope", tmp_path / "x.txt")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "What to do:" in r.stderr


def test_ambiguous_date_order_asks_for_date_order(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Mark.txt"
    chat.write_text("03/04/2025, 10:00 - Mark: hello\n05/06/2025, 11:00 - Mark: again\n", encoding="utf-8")
    case = tmp_path / "case"
    cli("init", case, "--examiner", "J. Smith")
    r = cli("add", case, chat)
    assert r.returncode == 1
    assert "--date-order" in r.stderr
    assert cli("verify", case).returncode == 0  # a refused parse never corrupts the case
    ok = cli("add", case, chat, "--date-order", "dmy")
    assert ok.returncode == 0, ok.stderr
    tl = [json.loads(x) for x in cli("timeline", case).stdout.splitlines()]
    assert [r["timestamp"] for r in tl] == ["2025-04-03T09:00:00.000Z", "2025-06-05T10:00:00.000Z"]


def test_collect_demo_gives_timeline_contacts_and_intact_case(tmp_path: Path) -> None:
    case = tmp_path / "demo-case"
    r = cli("collect", DEMO / "exports", "--case", case, "--examiner", "Demo Examiner", "--people", DEMO / "people.toml")
    assert r.returncode == 0, r.stderr
    timeline = [json.loads(x) for x in (case / "exports" / "timeline.jsonl").read_text().splitlines()]
    platforms = {e["platform"] for e in timeline}
    # the demo is one case across platforms (fixtures/make_demo.py): every export of fixtures/demo/exports is read
    assert platforms == {"whatsapp", "sms", "phone", "email", "instagram", "photo"}
    messages = [e for e in timeline if e["kind"] in ("message", "call", "email")]
    mark = [e for e in messages if e["person"] == "Mark Kell"]
    assert len(mark) == len(messages)  # both numbers, the address and the new account resolve to Mark via the people file
    assert {e["platform"] for e in mark if e["sender"] == "mk.watching"} == {"instagram"}
    gps = [e for e in timeline if e["platform"] == "photo"]
    assert len(gps) == 1 and gps[0]["extra"]["latitude"] == pytest.approx(51.508, abs=0.001)
    assert {e["direction"] for e in mark} == {"incoming", "outgoing"}
    outgoing = [e["text"] for e in mark if e["direction"] == "outgoing"]
    assert "Mark, please stop contacting me. I will report this to the police." in outgoing
    # the photo in the zip is stored and linked to its message
    photo = [a for e in timeline if e["platform"] == "whatsapp" for a in e["attachments"] if a["name"].endswith(".png")]
    assert len(photo) == 1 and len(photo[0]["sha256"]) == 64
    # the DST fold (clocks back 26 Oct 2025) is flagged and resolved by message order
    fold = [e for e in timeline if e["text"] in ("Clocks go back tonight. Extra hour to think about you.", "Still here.")]
    assert [e["timestamp"] for e in fold] == ["2025-10-26T00:20:00.000Z", "2025-10-26T01:05:00.000Z"]
    assert all(e["time_ambiguous"] for e in fold)
    rows = list(csv.DictReader(io.StringIO((case / "exports" / "contacts-by-week.csv").read_text())))
    assert list(rows[0]) == ["person", "period", "platform", "incoming", "outgoing", "total"]
    assert sum(int(x["total"]) for x in rows) == len(messages)
    assert ce.Case.open(case).verify().exit_code == 0


def test_formats_lists_whatsapp() -> None:
    r = cli("formats")
    assert r.returncode == 0
    assert "whatsapp" in r.stdout


@pytest.mark.parametrize("verb", ["init", "add", "people", "timeline", "contacts", "verify", "manifest", "formats", "collect"])
def test_every_verb_has_help_with_an_example(verb: str) -> None:
    r = cli(verb, "--help")
    assert r.returncode == 0
    assert "Example: cyberevidence" in r.stdout
