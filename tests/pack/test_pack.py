"""The evidence pack on the demo case: contents, stable exhibit references, DRAFT marking, continuity."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.pack import DRAFT_BANNER, FRE_FILE, PACK_MANIFEST, UK_FILE, recorded_references

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
ZIP = "WhatsApp Chat - Mark Kell.zip"
TXT = "WhatsApp Chat with +44 7700 900456.txt"


@pytest.fixture
def demo_case(tmp_path: Path) -> ce.Case:
    """The demo's two WhatsApp exports (of its seven) and its people file: references JS/1 and JS/2."""
    exports = tmp_path / "exports"
    exports.mkdir()
    for name in (ZIP, TXT):
        shutil.copy2(DEMO / "exports" / name, exports / name)
    case = ce.Case.create(tmp_path / "case", examiner="Jane Smith", timezone="Europe/London")
    case.load_people(DEMO / "people.toml")
    case.add(exports, note="synthetic demo exports shipped with cyberevidence")
    return case


def exhibit_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "exhibits.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def refs(folder: Path) -> dict[str, str]:
    return {r["original_name"]: r["reference"] for r in exhibit_rows(folder)}


def test_pack_contents_and_manifest(demo_case: ce.Case, tmp_path: Path) -> None:
    result = ce.make_pack(demo_case, tmp_path / "pack", "JS")
    folder = result.folder
    expected = {
        "README.md", "exhibits.csv", "exhibits.html", "continuity.md", "scope.md", "exclusions.csv", "limitations.json",
        FRE_FILE, UK_FILE, "conduct.md", "conduct.json", "markers.json", "indicators-confirmed.json", PACK_MANIFEST,
    }
    assert {p.name for p in folder.iterdir()} == expected
    manifest = json.loads((folder / PACK_MANIFEST).read_text(encoding="utf-8"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == expected - {PACK_MANIFEST}
    for name, digest in listed.items():
        assert ce.hash_file(folder / name)["sha256"] == digest, name
    assert manifest["case_verified_intact"] is True and manifest["initials"] == "JS"

    rows = exhibit_rows(folder)
    assert [(r["reference"], r["original_name"]) for r in rows] == [("JS/1", ZIP), ("JS/2", TXT)]
    for r in rows:
        assert r["sha256"] == ce.hash_file(tmp_path / "exports" / r["original_name"])["sha256"]
        assert r["parser"] == "whatsapp" and r["note"].startswith("synthetic demo") and r["description"]
    assert "JS/1" in (folder / "exhibits.html").read_text(encoding="utf-8")

    conduct = json.loads((folder / "conduct.json").read_text(encoding="utf-8"))
    assert [s["subject"] for s in conduct] == ["Mark Kell"] and conduct[0]["total_contacts"]["value"] > 0
    assert "Mark Kell" in (folder / "conduct.md").read_text(encoding="utf-8")
    limits = json.loads((folder / "limitations.json").read_text(encoding="utf-8"))
    assert {"whatsapp_export_cap", "media_omitted", "assumed_timezone"} <= {x["code"] for x in limits}
    scope = (folder / "scope.md").read_text(encoding="utf-8")
    assert "What was collected" in scope and "What was excluded" in scope and "media_omitted" in scope

    # recorded in custody, with the references and the manifest's digest
    last = list(demo_case.custody.entries())[-1]
    assert (last.action, last.details["what"]) == ("export", "pack")
    assert last.details["exhibits"] == {"JS/1": rows[0]["sha256"], "JS/2": rows[1]["sha256"]}
    assert last.details["pack_manifest_sha256"] == ce.hash_file(folder / PACK_MANIFEST)["sha256"] == result.manifest_sha256
    assert demo_case.verify().exit_code == 0


def test_fre_certification_is_a_draft(demo_case: ce.Case, tmp_path: Path) -> None:
    folder = ce.make_pack(demo_case, tmp_path / "pack", "JS").folder
    text = (folder / FRE_FILE).read_text(encoding="utf-8")
    assert text.startswith(f"# {DRAFT_BANNER}") and text.rstrip().endswith(DRAFT_BANNER)
    assert "DRAFT" in FRE_FILE and "902(14)" in text and "qualified person" in text
    for r in exhibit_rows(folder):
        assert r["sha256"] in text and r["reference"] in text


def test_uk_statement_is_a_draft_listing_each_exhibit_with_its_hash_and_continuity(demo_case: ce.Case, tmp_path: Path) -> None:
    folder = ce.make_pack(demo_case, tmp_path / "pack", "JS").folder
    text = (folder / UK_FILE).read_text(encoding="utf-8")
    assert text.startswith(f"# {DRAFT_BANNER}") and text.rstrip().endswith(DRAFT_BANNER)
    assert "DRAFT" in UK_FILE and "witness statement" in text and "Criminal Justice Act 1967 s.9" in text
    assert "[SIGNATURE]" in text and "FRE 902(14) draft" in text  # the US form is kept, as an option
    for r in exhibit_rows(folder):
        sha = r["sha256"]
        line = next(x for x in text.splitlines() if f"**Exhibit {r['reference']}**" in x)
        assert f"`{sha[:16]} {sha[16:32]} / {sha[32:48]} {sha[48:]}`" in line and "acquired on" in line
    assert "read by the whatsapp parser" in text  # what was done, and when, from the custody log
    page = (folder / "exhibits.html").read_text(encoding="utf-8")
    assert "table-header-group" in page and "DRAFTS for a qualified person" in page


def test_continuity_lists_acquisitions_and_handovers(demo_case: ce.Case, tmp_path: Path) -> None:
    demo_case.receive("DC A. Patel", "Jane Smith (ISAC)", "crime ref 123")
    folder = ce.make_pack(demo_case, tmp_path / "pack", "JS").folder
    text = (folder / "continuity.md").read_text(encoding="utf-8")
    acquisitions = [e for e in demo_case.custody.entries() if e.action == "acquire"]
    assert len(acquisitions) == 2
    for e, ref in zip(acquisitions, ("JS/1", "JS/2"), strict=True):
        line = next(x for x in text.splitlines() if f"seq {e.seq}," in x)
        assert f"**{ref}**" in line and e.subject in line and e.details["original_path"] in line and "Jane Smith" in line
    assert "released by Jane Smith (ISAC), received by DC A. Patel; purpose: crime ref 123" in text
    assert "INTACT" in text


def test_references_are_stable_when_regenerated_and_after_new_files(demo_case: ce.Case, tmp_path: Path) -> None:
    first = refs(ce.make_pack(demo_case, tmp_path / "p1", "JS").folder)
    assert refs(ce.make_pack(demo_case, tmp_path / "p2", "JS").folder) == first

    new = tmp_path / "later" / "sms-backup.xml"
    new.parent.mkdir()
    new.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<smses count=\"0\">\n</smses>\n", encoding="utf-8")
    demo_case.add(new, note="handed over later")
    third = refs(ce.make_pack(demo_case, tmp_path / "p3", "JS").folder)
    assert {k: v for k, v in third.items() if k in first} == first
    assert third["sms-backup.xml"] == "JS/3"

    # other initials: earlier references are kept; only new files get the new initials
    other = tmp_path / "later2" / "notes.bin"
    other.parent.mkdir()
    other.write_bytes(b"\x00\x01 no parser reads this")
    demo_case.add(other)
    fourth = refs(ce.make_pack(demo_case, tmp_path / "p4", "AB").folder)
    assert fourth == {**third, "notes.bin": "AB/1"}
    assert set(recorded_references(demo_case).values()) == {"JS/1", "JS/2", "JS/3", "AB/1"}
    with open(tmp_path / "p4" / "exclusions.csv", encoding="utf-8", newline="") as fh:
        excluded = list(csv.DictReader(fh))
    assert [(r["reference"], r["reason"]) for r in excluded if r["name"] == "notes.bin"] == [("AB/1", "stored without a parser")]


def test_markers_breaches_and_confirmed_indicators(demo_case: ce.Case, tmp_path: Path) -> None:
    demo_case.add_marker("blocked", "2025-10-01 12:00", person="Mark Kell", platform="whatsapp", account="Mark Kell")
    pending = ce.indicator_candidates(demo_case)
    if pending:
        ce.review_candidate(demo_case, pending[0].id, "confirmed", note="checked")
    folder = ce.make_pack(demo_case, tmp_path / "pack", "JS").folder
    (effect,) = json.loads((folder / "markers.json").read_text(encoding="utf-8"))
    assert effect["marker"]["marker_type"] == "blocked" and effect["after"] > 0 and effect["breaches"]
    confirmed = json.loads((folder / "indicators-confirmed.json").read_text(encoding="utf-8"))
    assert confirmed["available"] is True
    assert [c["id"] for c in confirmed["confirmed"]] == ([pending[0].id] if pending else [])
    assert "potential breach" in (folder / "conduct.md").read_text(encoding="utf-8")


def test_a_non_empty_folder_is_refused(demo_case: ce.Case, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("x")
    with pytest.raises(ce.CyberEvidenceError):
        ce.make_pack(demo_case, tmp_path / "busy", "JS")
    with pytest.raises(ce.CyberEvidenceError):
        ce.make_pack(demo_case, tmp_path / "ok", "J/S")


def test_cli_pack(demo_case: ce.Case, tmp_path: Path) -> None:
    out = tmp_path / "cli-pack"
    run = subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", "pack", str(demo_case.root), "-o", str(out), "--initials", "js"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "JS/1" in run.stderr and "DRAFT" in run.stderr
    assert refs(out) == {ZIP: "JS/1", TXT: "JS/2"}
