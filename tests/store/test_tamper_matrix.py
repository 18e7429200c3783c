"""The tamper matrix: each edit an attacker (or a careless hand) can make to a case is caught and
named, and each honest interruption leaves a case that verifies (issue 13).

One real case is built from the bundled demo exports (a WhatsApp zip with media, a WhatsApp
``.txt``), a people file and a diary entry; each test tampers with its own copy. Every
tampering must give exit 1 with a problem naming what changed; readers (the timeline, the report)
must refuse a mismatched index; ``rebuild`` must restore it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import CustodyDamagedError, IndexMismatchError

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("matrix") / "case"
    case = ce.Case.create(root, examiner="J. Smith", timezone="Europe/London")
    case.add(DEMO / "exports", note="demo exports")
    case.load_people(DEMO / "people.toml")
    case.diary_add("2025-03-14 19:05", "He was outside my work")
    assert case.verify().exit_code == 0
    case.close()
    return root


@pytest.fixture
def case_dir(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(built, target, symlinks=True)
    return target


def problems(case_dir: Path, **kwargs: object) -> list[str]:
    report = ce.verify_case(case_dir, **kwargs)  # type: ignore[arg-type]
    assert report.exit_code == 1, [str(f) for f in report.findings]
    return [str(p) for p in report.problems]


def assert_intact(case_dir: Path) -> ce.VerifyReport:
    report = ce.verify_case(case_dir)
    assert report.exit_code == 0, [str(p) for p in report.problems]
    return report


def edit_index(case_dir: Path, *statements: str) -> None:
    db = sqlite3.connect(case_dir / "index.sqlite")
    with db:
        for sql in statements:
            db.execute(sql)
    db.close()


def a_message(case_dir: Path) -> tuple[str, str, str]:
    """(event_id, source sha256, text) of one message with a text of some length."""
    db = sqlite3.connect(case_dir / "index.sqlite")
    row = db.execute(
        "SELECT event_id, source_sha256, json_extract(record, '$.text') FROM events"
        " WHERE kind='message' AND length(json_extract(record, '$.text')) > 12 ORDER BY event_id LIMIT 1"
    ).fetchone()
    db.close()
    return str(row[0]), str(row[1]), str(row[2])


def objects(case_dir: Path) -> list[Path]:
    return sorted(p for p in (case_dir / "evidence" / "sha256").rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------ the index
def test_index_text_edit_is_named_readers_refuse_and_rebuild_restores(case_dir: Path) -> None:
    event_id, source, text = a_message(case_dir)
    forge = f"UPDATE events SET record = replace(record, '{text[:8]}', 'FORGED: ') WHERE event_id = '{event_id}'"
    edit_index(case_dir, forge)
    found = problems(case_dir)
    assert any("index.sqlite" in p and source in p for p in found), found
    case = ce.Case.open(case_dir)
    with pytest.raises(IndexMismatchError):
        list(case.timeline())
    with pytest.raises(IndexMismatchError):
        from cyberevidence.report import write_report

        write_report(case, case_dir.parent / "report.html")
    case.rebuild()
    assert_intact(case_dir)
    texts = [e.text for e in case.timeline()]
    assert text in texts and not any(t.startswith("FORGED") for t in texts)


def test_index_row_added_is_named(case_dir: Path) -> None:
    event_id, source, _text = a_message(case_dir)
    edit_index(
        case_dir,
        "INSERT INTO events SELECT 'ev_planted', timestamp, platform, kind, sender, thread, source_sha256,"
        f" replace(record, '{event_id}', 'ev_planted'), rkey FROM events WHERE event_id = '{event_id}'",
        f"INSERT INTO event_sources VALUES('ev_planted', '{source}', 'line 99999')",
    )
    assert any("index.sqlite" in p and source in p for p in problems(case_dir))


def test_index_row_deleted_is_named(case_dir: Path) -> None:
    event_id, source, _text = a_message(case_dir)
    edit_index(case_dir, f"DELETE FROM events WHERE event_id = '{event_id}'")
    assert any("index.sqlite" in p and source in p for p in problems(case_dir))


def test_index_event_hidden_by_a_planted_merge_is_named(case_dir: Path) -> None:
    event_id, source, _text = a_message(case_dir)
    edit_index(case_dir, f"INSERT INTO event_merges VALUES('{event_id}', 'ev_elsewhere', 'planted')")
    assert any("index.sqlite" in p and source in p for p in problems(case_dir))


def test_index_warning_removed_or_row_for_an_unparsed_artefact_is_named(case_dir: Path) -> None:
    columns = "warnings(sha256, parser, code, message, locator, file)"
    edit_index(case_dir, f"INSERT INTO {columns} VALUES('{'ab' * 32}', 'x', 'x', 'x', '', '')")
    assert any("ab" * 32 in p and "no custody entry accounts for" in p for p in problems(case_dir))


def test_index_missing_or_garbage_is_named_and_rebuilt(case_dir: Path) -> None:
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (case_dir / name).unlink(missing_ok=True)
    (case_dir / "index.sqlite").write_bytes(b"not a database " * 100)
    assert any("index.sqlite" in p for p in problems(case_dir))
    (case_dir / "index.sqlite").unlink()
    report = assert_intact(case_dir)  # derived data may be absent (a bundle leaves it out) ...
    assert any("index.sqlite" in str(n) and "rebuild" in str(n) for n in report.notes)
    with pytest.raises(IndexMismatchError):  # ... but nothing is read from an index that is not there
        list(ce.Case.open(case_dir).timeline())
    ce.Case.open(case_dir).rebuild()
    assert_intact(case_dir)


def test_index_provenance_edit_is_named(case_dir: Path) -> None:
    edit_index(case_dir, "UPDATE provenance SET original_name = 'Innocent.txt' WHERE how = 'acquire'")
    assert any("provenance" in p and "original_name" in p for p in problems(case_dir))


# ------------------------------------------------------------------------------------ case material
def test_people_file_swapped_through_the_index_is_named_and_never_used(case_dir: Path, tmp_path: Path) -> None:
    swapped = (DEMO / "people.toml").read_text(encoding="utf-8")
    swapped = swapped.replace('role = "victim"', 'role = "VICTIM"').replace('role = "subject"', 'role = "victim"')
    swapped = swapped.replace('role = "VICTIM"', 'role = "subject"')
    planted = tmp_path / "people.toml"
    planted.write_text(swapped, encoding="utf-8")
    import hashlib

    sha = hashlib.sha256(planted.read_bytes()).hexdigest()
    dest = case_dir / "evidence" / "sha256" / sha[:2] / sha[2:4] / sha
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(planted, dest)
    edit_index(
        case_dir,
        f"INSERT INTO artefacts VALUES('{sha}', {dest.stat().st_size}, 'application/toml', '{{}}', 'case-material')",
        "INSERT INTO provenance(sha256, how, original_name, acquired_at, actor, custody_seq)"
        f" VALUES('{sha}', 'people', 'people.toml', '2099-01-01T00:00:00Z', 'J. Smith', 9999)",
    )
    found = problems(case_dir)
    assert any(sha in p and "not in the custody log" in p for p in found), found
    assert any("provenance" in p and sha in p for p in found), found
    case = ce.Case.open(case_dir)
    victims = [p.name for p in case.people().persons if p.role == "victim"]
    assert victims == ["Sarah Jones"]  # custody's people file, not the planted one


def test_case_json_edit_is_named_and_custody_settings_stay_in_force(case_dir: Path) -> None:
    import json

    info = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    info["timezone"] = "America/New_York"
    (case_dir / "case.json").write_text(json.dumps(info), encoding="utf-8")
    assert any("case.json" in p and "timezone" in p for p in problems(case_dir))
    assert ce.Case.open(case_dir).info["timezone"] == "Europe/London"


# ------------------------------------------------------------------------------------ the store as files
def _replace(target: Path, make: Callable[[Path], None]) -> None:
    os.chmod(target, 0o644)
    target.unlink()
    make(target)


def test_object_replaced_by_a_directory_is_named(case_dir: Path) -> None:
    target = objects(case_dir)[0]
    _replace(target, lambda p: p.mkdir())
    found = problems(case_dir)
    assert any(target.name in p and "folder" in p for p in found), found


def test_object_replaced_by_a_symlink_to_an_outside_copy_is_named(case_dir: Path, tmp_path: Path) -> None:
    target = objects(case_dir)[0]
    outside = tmp_path / "outside-copy"
    shutil.copy(target, outside)
    _replace(target, lambda p: p.symlink_to(outside))
    found = problems(case_dir)
    assert any(target.name in p and "symbolic link" in p for p in found), found


def test_object_replaced_by_a_fifo_never_blocks(case_dir: Path) -> None:
    target = objects(case_dir)[0]
    _replace(target, lambda p: os.mkfifo(p))
    code = (
        "import sys, cyberevidence as ce; r = ce.verify_case(sys.argv[1]); "
        "print(*r.problems, sep='\\n'); sys.exit(r.exit_code)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(case_dir)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert target.name in run.stdout and "FIFO" in run.stdout


def test_extra_object_and_extra_files_anywhere_are_named(case_dir: Path) -> None:
    import hashlib

    data = b"planted evidence"
    sha = hashlib.sha256(data).hexdigest()
    dest = case_dir / "evidence" / "sha256" / sha[:2] / sha[2:4] / sha
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    (case_dir / "evidence" / "notes.txt").write_text("x")
    (case_dir / "secret.db").write_text("x")
    (case_dir / "evidence" / "sha256" / "zz").mkdir()
    found = problems(case_dir)
    for name in (sha, "evidence/notes.txt", "secret.db", "evidence/sha256/zz"):
        assert any(name in p for p in found), (name, found)


def test_outputs_folder_is_only_a_note(case_dir: Path) -> None:
    (case_dir / "exports").mkdir(exist_ok=True)
    (case_dir / "exports" / "timeline.csv").write_text("anything")
    report = assert_intact(case_dir)
    assert any("exports/" in str(n) for n in report.notes)


# ------------------------------------------------------------------------------------ custody tail
def test_truncated_committed_custody_tail_is_never_repaired_away(case_dir: Path) -> None:
    ce.Case.open(case_dir).receive("DC A. Patel", released_by="J. Smith (ISAC)", purpose="crime ref 123")
    log = case_dir / "custody.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[:-40])  # the last entry (committed: the manifest names it) loses its end
    assert any("custody.jsonl" in p and "incomplete" in p for p in problems(case_dir))
    case = ce.Case.open(case_dir)
    with pytest.raises(CustodyDamagedError):
        case.record_export("timeline", "t.jsonl")
    assert log.read_bytes() == data[:-40]  # nothing cut, nothing appended
    assert any("incomplete" in p for p in problems(case_dir))


def test_truncated_parse_entry_is_restored_byte_for_byte_from_the_index_copy(case_dir: Path) -> None:
    """The last entry is the parse of the diary entry; the index kept its exact line. A cut is a
    problem for verify; the next write restores the line exactly (and logs that it did)."""
    log = case_dir / "custody.jsonl"
    data = log.read_bytes()
    assert b'"action":"parse"' in data.splitlines()[-1]
    log.write_bytes(data[:-40])
    assert any("incomplete" in p for p in problems(case_dir))
    case = ce.Case.open(case_dir)
    case.record_export("timeline", "t.jsonl")
    assert log.read_bytes().startswith(data)
    recover = [e for e in case.custody.entries() if e.action == "recover"]
    assert recover and recover[-1].details["removed_incomplete_line"]["was_pending_entry"] is True
    assert_intact(case_dir)


def test_last_entry_without_its_newline_is_completed_by_the_next_write(case_dir: Path) -> None:
    log = case_dir / "custody.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[:-1])
    report = assert_intact(case_dir)
    assert any("newline" in str(n) for n in report.notes)
    ce.Case.open(case_dir).record_export("timeline", "t.jsonl")
    assert log.read_bytes().startswith(data)
    assert not assert_intact(case_dir).notes


# ------------------------------------------------------------------------------------ honest interruptions
def test_parse_entry_lost_between_index_commit_and_custody_is_completed(
    case_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer dies after the index commit and before the parse entry reaches custody.jsonl
    (simulated: the write raises SystemExit, which no cleanup catches the way kill -9 would not run
    it). The index keeps the line; verify says so as a note; the next write appends it."""
    from cyberevidence.store.custody import CustodyLog

    export = tmp_path / "chat.txt"
    export.write_text("14/03/2025, 19:02 - Mark Kell: I know where you are tonight\n", encoding="utf-8")
    real_write = CustodyLog.write

    def dying_write(self: CustodyLog, prepared: object) -> object:
        if b'"action":"parse"' in prepared.line:  # type: ignore[attr-defined]
            raise _Killed
        return real_write(self, prepared)  # type: ignore[arg-type]

    case = ce.Case.open(case_dir)
    monkeypatch.setattr(CustodyLog, "write", dying_write)
    monkeypatch.setattr(ce.Case, "_log_interruption", lambda *a, **k: None)  # kill -9 runs no cleanup
    with pytest.raises(_Killed):
        case.add(export)
    monkeypatch.undo()
    case.close()
    report = assert_intact(case_dir)
    assert any("the next command that writes to the case appends it" in str(n) for n in report.notes)
    case = ce.Case.open(case_dir)
    case.add(export)
    assert not [n for n in assert_intact(case_dir).notes if "appends it" in str(n)]
    parses = [e for e in case.custody.entries() if e.action == "parse" and str(e.details.get("parser")).startswith("whatsapp")]
    assert parses
    assert any("I know where you are tonight" in e.text for e in case.timeline())


class _Killed(BaseException):
    pass
