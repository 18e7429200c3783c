"""An export advances only the manifest's custody head; anything else rebuilds the manifest in full."""

import json
from pathlib import Path

import cyberevidence as ce
from cyberevidence.store.manifest import MANIFEST, SUMS


def _chat(tmp_path: Path) -> Path:
    p = tmp_path / "in" / "WhatsApp Chat with Mark.txt"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(
        "14/03/2025, 19:02 - Mark: Please answer me\n14/03/2025, 19:03 - Jo: Stop messaging me\n"
        "14/03/2025, 19:04 - Mark: Please answer me\n",
        encoding="utf-8",
    )
    return p


def _without_time(manifest: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in manifest.items() if k != "generated_at"}


def test_export_moves_only_the_head_and_the_result_equals_a_full_rebuild(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(_chat(tmp_path))
    sums = (case.root / SUMS).read_bytes()
    for n in range(3):
        case.record_export("timeline", f"t{n}.jsonl", items=3)
        on_disk = json.loads((case.root / MANIFEST).read_bytes())
        head = case.custody.head()
        assert head is not None and on_disk["custody_head"] == {"seq": head.seq, "hash": head.hash}
        assert _without_time(on_disk) == _without_time(case.manifest())
        assert (case.root / SUMS).read_bytes() == sums
        report = case.verify()
        assert report.exit_code == 0 and not report.findings, report.findings


def test_a_manifest_edited_on_disk_is_rebuilt_not_carried_forward(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(_chat(tmp_path))
    path = case.root / MANIFEST
    manifest = json.loads(path.read_bytes())
    good_totals = manifest["totals"]
    manifest["totals"] = {**good_totals, "events": 999}
    from cyberevidence.store.manifest import manifest_bytes

    path.write_bytes(manifest_bytes(manifest))  # canonical, but not what the tool wrote
    case.record_export("timeline", "t.jsonl", items=3)
    assert json.loads(path.read_bytes())["totals"] == good_totals
    assert case.verify().exit_code == 0


def test_a_manifest_behind_custody_is_rebuilt(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(_chat(tmp_path))
    # An entry the manifest never saw (as after an interruption): the head no longer matches.
    with case.writing():
        case.custody.append("J. Smith", "export", "", {"what": "timeline", "target": "x"})
    case.record_export("timeline", "t.jsonl", items=3)
    head = case.custody.head()
    assert head is not None
    assert json.loads((case.root / MANIFEST).read_bytes())["custody_head"]["seq"] == head.seq
    report = case.verify()
    assert report.exit_code == 0 and not report.findings, report.findings


def test_a_rebuilt_index_forgets_the_shortcut_and_rebuilds(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(_chat(tmp_path))
    with case.index.transaction() as db:
        db.execute("DELETE FROM meta WHERE key='manifest_sha256'")
    case.record_export("timeline", "t.jsonl", items=3)
    assert case.index.manifest_written()
    assert case.verify().exit_code == 0
