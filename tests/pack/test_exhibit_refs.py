"""One exhibit numbering: an event, a photo and a diary entry carry the same reference in the report,
the pack and CASE/UCO, stable when regenerated, in custody order, with the examiner's initials."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.exhibits import MEMBER_SEPARATOR, assign_exhibits, exhibit_refs, sha256_groups
from cyberevidence.exporters.case_uco import file_id

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"


@pytest.fixture
def case_with_diary(tmp_path: Path) -> ce.Case:
    exports = tmp_path / "exports"  # the demo's two WhatsApp exports (of its seven)
    exports.mkdir()
    for name in ("WhatsApp Chat - Mark Kell.zip", "WhatsApp Chat with +44 7700 900456.txt"):
        shutil.copy2(DEMO / "exports" / name, exports / name)
    case = ce.Case.create(tmp_path / "case", examiner="Jane Smith", timezone="Europe/London")
    case.load_people(DEMO / "people.toml")
    case.add(exports, note="synthetic demo exports")
    case.diary_add("2025-11-04 19:30", "He was waiting outside the station again.", place="Leeds station")
    return case


def _row(html: str, event_id: str) -> str:
    m = re.search(rf'<tr id="ev-{re.escape(event_id)}">.*?</tr>', html, re.S)
    assert m, event_id
    return m.group(0)


def _pack_refs(folder: Path) -> dict[str, str]:
    with open(folder / "exhibits.csv", encoding="utf-8", newline="") as fh:
        return {r["sha256"]: r["reference"] for r in csv.DictReader(fh)}


def test_event_photo_and_diary_entry_share_one_reference_everywhere(case_with_diary: ce.Case, tmp_path: Path) -> None:
    case = case_with_diary
    refs = exhibit_refs(case)
    events = list(case.timeline())
    photo_ev = next(ev for ev in events if any(a.sha256 and a.name.endswith(".png") for a in ev.attachments))
    photo = next(a for a in photo_ev.attachments if a.name.endswith(".png"))
    diary_ev = next(ev for ev in events if ev.platform == "diary" or ev.kind == "diary")
    message_ev = next(ev for ev in events if ev.kind == "message" and ev.source.sha256 != diary_ev.source.sha256)

    # The references: the examiner's initials, custody order, members under their exhibit.
    listed = assign_exhibits(case)
    assert [x.reference for x in listed] == ["JS/1", "JS/2", "JS/3"]
    assert listed[2].record_type == "diary" and listed[2].sha256 == diary_ev.source.sha256
    diary_ref = refs.label(diary_ev.source.sha256)
    photo_ref = refs.label(photo.sha256)
    message_ref = refs.label(message_ev.source.sha256)
    assert diary_ref == "JS/3"
    assert photo_ref.startswith("JS/1" + MEMBER_SEPARATOR) and photo_ref.endswith(photo.name)
    assert message_ref.split(MEMBER_SEPARATOR)[0] in {"JS/1", "JS/2"}

    # The report: each row names its exhibit; the Exhibits table carries the same label.
    html = ce.build_report(case, generated_at="2026-01-01T00:00:00Z")
    assert f">{ce_escape(photo_ref)}</a>" in _row(html, photo_ev.event_id)
    assert f">{ce_escape(diary_ref)}</a>" in _row(html, diary_ev.event_id)
    assert f">{ce_escape(message_ref)}</a>" in _row(html, message_ev.event_id)
    for sha, ref in ((photo.sha256, photo_ref), (diary_ev.source.sha256, diary_ref)):
        assert re.search(rf'<tr id="ex-{sha}"><th scope="row">{re.escape(ce_escape(ref))}</th>', html), ref

    # The report's Pictures card and Diary section name the same exhibits.
    card = re.search(rf'<figure class="picture" id="pic-{photo.sha256}">.*?</figure>', html, re.S)
    assert card is not None and f'href="#ex-{photo.sha256}">{ce_escape(photo_ref)}</a>' in card.group(0)
    diary = html[html.index('<section id="diary"') : html.index('<section id="markers"')]
    assert f'href="#ex-{diary_ev.source.sha256}">{ce_escape(diary_ref)}</a>' in diary

    # The pack: the same references (a member is listed under its exhibit).
    pack = ce.make_pack(case, tmp_path / "pack")
    in_pack = _pack_refs(pack.folder)
    assert in_pack[diary_ev.source.sha256] == diary_ref
    assert photo_ref.split(MEMBER_SEPARATOR)[0] in in_pack.values()
    exhibits_html = (pack.folder / "exhibits.html").read_text(encoding="utf-8")
    assert diary_ref in exhibits_html and "<br>" + " ".join(sha256_groups(diary_ev.source.sha256)[2:]) in exhibits_html

    # CASE/UCO: the provenance record of each file carries the same exhibit number.
    doc = ce.case_uco_document(case)
    numbers = {
        n["uco-core:object"][0]["@id"]: n["case-investigation:exhibitNumber"]
        for n in doc["@graph"] if n.get("@type") == "case-investigation:ProvenanceRecord"
    }
    assert numbers[file_id(photo.sha256)] == photo_ref
    assert numbers[file_id(diary_ev.source.sha256)] == diary_ref
    assert numbers[file_id(message_ev.source.sha256)] == message_ref

    # Stable when regenerated: after the pack, the report and CASE/UCO give the same references again.
    assert ce.build_report(case, generated_at="2026-01-01T00:00:00Z").count(f">{ce_escape(diary_ref)}</") == \
        html.count(f">{ce_escape(diary_ref)}</")
    assert exhibit_refs(case).exhibits == refs.exhibits


def test_a_pack_with_other_initials_keeps_given_references_and_sets_the_initials(case_with_diary: ce.Case,
                                                                                tmp_path: Path) -> None:
    case = case_with_diary
    ce.make_pack(case, tmp_path / "p1", "AB")
    assert [x.reference for x in assign_exhibits(case)] == ["AB/1", "AB/2", "AB/3"]
    case.diary_add("2025-11-05 08:00", "Another message left on my car.")
    # Later readers (report, CASE/UCO, the next pack without initials) number on with the pack's initials.
    assert [x.reference for x in assign_exhibits(case)] == ["AB/1", "AB/2", "AB/3", "AB/4"]
    ce.write_report(case, tmp_path / "report.html")  # records the references it showed
    last = list(case.custody.entries())[-1]
    assert last.details["initials"] == "AB" and "AB/4" in last.details["exhibits"]
    ce.make_pack(case, tmp_path / "p2", "CD")
    case.diary_add("2025-11-06 08:00", "A third one.")
    assert [x.reference for x in assign_exhibits(case)] == ["AB/1", "AB/2", "AB/3", "AB/4", "CD/1"]


def ce_escape(text: str) -> str:
    from cyberevidence.display import html_text

    return html_text(text)


def test_verify_names_the_exhibits_it_checked_and_the_exhibit_of_a_damaged_file(case_with_diary: ce.Case) -> None:
    from typer.testing import CliRunner

    from cyberevidence_cli.main import app

    case = case_with_diary
    refs = exhibit_refs(case)
    run = CliRunner().invoke(app, ["verify", str(case.root)])
    assert run.exit_code == 0, run.output
    assert "Exhibits JS/1 to JS/3 (3), with every file derived from them, were re-hashed." in run.output
    photo = next(sha for sha in refs.derived if refs.label(sha).endswith(".png"))
    stored = case.store.path_for(photo)
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes() + b"changed")
    run = CliRunner().invoke(app, ["verify", str(case.root)])
    assert run.exit_code == 1
    lines = [x for x in run.output.splitlines() if "PROBLEM" in x and photo[:16] in x]
    assert lines and all(f"(exhibit {refs.label(photo)})" in x for x in lines), run.output
