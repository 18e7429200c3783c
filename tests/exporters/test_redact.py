"""Redacted disclosure: no redacted string survives in any output byte; the subject and victim remain."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import cyberevidence as ce

REDACTED = [
    "Priya Wojcik",
    "Priya",
    "Wojcik",
    "Tomasz Brennan-Hale",
    "Tomasz",
    "Brennan",
    "Hale",
    "Zoë Ångström",
    "Zoë",
    "Ångström",
    "tomasz.bh@example.org",
    "07700 900777",
    "7700 900777",
    "900777",
    "+44 7700-900-888",
    "900-888",
    "Flat 3, 12 Acacia Avenue",
    "Acacia",
]


def _forms(s: str) -> set[str]:
    """The string as it could appear: raw, JSON-escaped (ASCII or not), CSV-quoted; all lower-cased."""
    forms = {s, json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1], s.replace('"', '""'), html.escape(s, quote=True)}
    buf = io.StringIO()
    csv.writer(buf).writerow([s])
    forms.add(buf.getvalue().strip())
    return {f.lower() for f in forms}


def test_disclosure_leaves_no_redacted_string(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "disclosure"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cyberevidence_cli.main",
            "disclose",
            str(demo_case),
            "-o",
            str(out),
            "--redact-role",
            "other,witness",
            "--mask-text",
            r"Flat 3, 12 Acacia Avenue",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == ["disclosure-manifest.json", "report.html", "timeline.csv", "timeline.jsonl"]
    everything = b"".join((out / f).read_bytes() for f in files).decode("utf-8").lower()
    for s in REDACTED:
        for form in _forms(s):
            assert form not in everything, f"{s!r} survives as {form!r}"
    # the subject and the victim are not redacted; pseudonyms and the mask are there
    for kept in ("Mark Kell", "Sarah Jones", "Person A", "Person B", "Person C", "[redacted]"):
        assert kept.lower() in everything
    records = [json.loads(x) for x in (out / "timeline.jsonl").read_text(encoding="utf-8").splitlines()]
    original = list(ce.Case.open(demo_case).timeline())
    assert len(records) == len(original)
    assert [r["event_id"] for r in records] == [e.event_id for e in original]


def test_disclosure_manifest_links_to_the_case(demo_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(demo_case)
    out = tmp_path / "d"
    result = ce.disclose(case, out, redact_persons=["Mark Kell"], redact_roles=["witness"])
    manifest = json.loads((out / "disclosure-manifest.json").read_bytes())
    for f in manifest["files"]:
        assert ce.hash_file(out / f["name"])["sha256"] == f["sha256"]
    entry = list(case.custody.entries())[-1]
    assert entry.action == "export" and entry.details["what"] == "disclosure"
    assert manifest["made_from"]["custody_head"] == {"seq": entry.seq - 1, "hash": entry.prev}
    assert manifest["made_from"]["manifest_sha256"] == result.manifest_sha256
    assert entry.details["disclosure_manifest_sha256"] == ce.hash_file(out / "disclosure-manifest.json")["sha256"]
    # the key (who is who) stays in the unredacted custody log, never in the disclosure
    assert set(entry.details["pseudonym_key"].values()) == {"Mark Kell", "Priya Wojcik"}
    text = (out / "timeline.jsonl").read_text(encoding="utf-8") + (out / "disclosure-manifest.json").read_text()
    assert "Kell" not in text and "Wojcik" not in text and "Sarah Jones" in text
    # names shared with a non-redacted person are left (counted): "Mark" alone is not Mark Kell's only spelling
    assert manifest["rules"]["roles_redacted"] == ["witness"]
    assert case.verify().exit_code == 0


def test_pseudonyms_follow_first_appearance(demo_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(demo_case)
    ce.disclose(case, tmp_path / "d")
    key = list(case.custody.entries())[-1].details["pseudonym_key"]
    assert key == {"Person A": "Priya Wojcik", "Person B": "Tomasz Brennan-Hale", "Person C": "Zoë Ångström"}


def test_the_unredacted_report_does_name_them(demo_case: Path) -> None:
    """Guard for the disclosure test: the report really carries these names before redaction."""
    from cyberevidence.report import build_report

    page = build_report(ce.Case.open(demo_case)).lower()
    assert "priya" in page and "tomasz" in page and "07700 900777" in page
