"""Case store behaviour: acquisition, idempotent re-runs, crash recovery, locking, manifest."""

import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest

import cyberevidence as ce
from cyberevidence.store.lock import CaseLock


def make_original(tmp_path: Path, name: str = "photo.bin", data: bytes = b"\x89PNG fake bytes") -> Path:
    p = tmp_path / "originals" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    os.utime(p, (1_600_000_000, 1_600_000_123))
    return p


def custody_actions(case: ce.Case) -> list[str]:
    return [e.action for e in case.custody.entries()]


def test_create_writes_case_json_and_first_custody_entry(case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith", timezone="Europe/London", title="Op Test")
    info = json.loads((case_dir / "case.json").read_text())
    assert info["examiner"] == "J. Smith" and info["timezone"] == "Europe/London"
    assert info["created"].endswith("Z")
    assert custody_actions(case) == ["create"]
    assert case.verify().exit_code == 0


def test_create_refuses_non_empty_folder_and_bad_zone(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("x")
    with pytest.raises(ce.CaseExistsError):
        ce.Case.create(tmp_path / "x", examiner="A")
    with pytest.raises(ce.CyberEvidenceError, match="unknown timezone"):
        ce.Case.create(tmp_path / "y", examiner="A", timezone="Europe/Londn")


def test_open_non_case_raises(tmp_path: Path) -> None:
    with pytest.raises(ce.NotACaseError):
        ce.Case.open(tmp_path)


def test_add_stores_read_only_copy_and_leaves_original_untouched(tmp_path: Path, case_dir: Path) -> None:
    original = make_original(tmp_path)
    before = original.stat()
    case = ce.Case.create(case_dir, examiner="J. Smith", hash_algorithms=("sha256", "md5"))
    report = case.add(original, note="from victim's phone")
    after = original.stat()
    assert (after.st_mtime_ns, after.st_size, after.st_atime_ns) == (before.st_mtime_ns, before.st_size, before.st_atime_ns)
    sha = ce.hash_file(original)["sha256"]
    stored = case_dir / "evidence" / "sha256" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == original.read_bytes()
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert report.files[0].sha256 == sha
    acquire = next(e for e in case.custody.entries() if e.action == "acquire")
    assert acquire.subject == sha
    assert acquire.details["note"] == "from victim's phone"
    assert acquire.details["original_path"] == str(original.resolve())
    assert acquire.details["digests"]["md5"] == ce.hash_file(original, ("md5",))["md5"]
    assert acquire.details["stored_copy_verified"] is True


def test_same_add_twice_duplicates_nothing(tmp_path: Path, case_dir: Path) -> None:
    original = make_original(tmp_path)
    case = ce.Case.create(case_dir, examiner="J. Smith")
    case.add(original)
    n = len(custody_actions(case))
    case.add(original)
    assert len(custody_actions(case)) == n
    assert len(case.manifest()["artefacts"]) == 1


def test_same_content_from_two_places_is_stored_once_with_both_provenances(tmp_path: Path, case_dir: Path) -> None:
    a = make_original(tmp_path, "a.bin", b"same")
    b = make_original(tmp_path, "copy-of-a.bin", b"same")
    case = ce.Case.create(case_dir, examiner="J. Smith")
    case.add(a)
    case.add(b)
    arts = case.manifest()["artefacts"]
    assert len(arts) == 1
    assert sorted(p["original_name"] for p in arts[0]["provenance"]) == ["a.bin", "copy-of-a.bin"]


def test_manifest_matches_schema_and_custody_head(tmp_path: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith")
    case.add(make_original(tmp_path))
    manifest = json.loads((case_dir / "manifest.json").read_bytes())
    jsonschema.validate(manifest, ce.manifest_schema())
    head = case.custody.head()
    assert head is not None
    assert manifest["custody_head"] == {"seq": head.seq, "hash": head.hash}
    art = manifest["artefacts"][0]
    assert art["original_name"] == "photo.bin" and art["acquired_by"] == "J. Smith"
    sums = (case_dir / "SHA256SUMS").read_text()
    assert sums == f"{art['sha256']}  {art['store_path']}\n"


def test_interrupted_writer_is_recovered_and_logged(tmp_path: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith")
    with open(case_dir / "custody.jsonl", "ab") as fh:
        fh.write(b'{"seq":1,"act')  # a writer killed mid-line
    (case_dir / "evidence" / "tmp").mkdir(parents=True, exist_ok=True)
    (case_dir / "evidence" / "tmp" / "incoming-x").write_bytes(b"half")
    assert case.verify().exit_code == 1
    case.add(make_original(tmp_path))
    assert custody_actions(case) == ["create", "recover", "acquire"]
    assert not list((case_dir / "evidence" / "tmp").iterdir())
    assert case.verify().exit_code == 0


def test_lock_serialises_writers(case_dir: Path) -> None:
    ce.Case.create(case_dir, examiner="J. Smith")
    with CaseLock(case_dir):
        other = CaseLock(case_dir, timeout=0.2)
        with pytest.raises(ce.CaseLockedError):
            other.acquire()
    with CaseLock(case_dir, timeout=0.2):
        pass


def test_symlink_input_is_refused(tmp_path: Path, case_dir: Path) -> None:
    target = make_original(tmp_path)
    link = tmp_path / "link.bin"
    link.symlink_to(target)
    case = ce.Case.create(case_dir, examiner="J. Smith")
    with pytest.raises(ce.InputNotFoundError, match="symbolic link"):
        case.add(link)


def test_folder_input_acquires_every_file(tmp_path: Path, case_dir: Path) -> None:
    make_original(tmp_path, "one.bin", b"1")
    make_original(tmp_path, "sub/two.bin", b"2")
    case = ce.Case.create(case_dir, examiner="J. Smith")
    report = case.add(tmp_path / "originals")
    assert sorted(Path(f.original_path).name for f in report.files) == ["one.bin", "two.bin"]
    assert len(case.manifest()["artefacts"]) == 2


def test_people_file_is_stored_logged_and_validated(tmp_path: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith")
    good = tmp_path / "people.toml"
    good.write_text('[[person]]\nname = "Mark Kell"\nrole = "subject"\nphones = ["07700 900123"]\n')
    case.load_people(good)
    assert case.people().persons[0].name == "Mark Kell"
    assert "people" in custody_actions(case)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[person]]\nname = "X"\nrole = "villain"\n')
    with pytest.raises(ce.PeopleFileError, match="role"):
        case.load_people(bad)
    assert case.verify().exit_code == 0


def test_loading_the_same_people_file_twice_logs_once(tmp_path: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith")
    f = tmp_path / "people.toml"
    f.write_text('[[person]]\nname = "Mark Kell"\nrole = "subject"\n')
    case.load_people(f)
    case.load_people(f)
    assert custody_actions(case).count("people") == 1
    f.write_text('[[person]]\nname = "Mark Kell"\nrole = "subject"\nphones = ["07700 900123"]\n')
    case.load_people(f)
    assert custody_actions(case).count("people") == 2
    assert case.people().persons[0].phones == ("07700 900123",)


def test_receive_logs_both_parties_and_verification(tmp_path: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith")
    case.add(make_original(tmp_path))
    report = case.receive("DC A. Patel", "J. Smith (ISAC)", "crime ref 123")
    assert report.ok
    entry = list(case.custody.entries())[-1]
    assert (entry.action, entry.actor) == ("receive", "DC A. Patel")
    assert entry.details["released_by"] == "J. Smith (ISAC)" and entry.details["verified_intact"] is True
    assert case.verify().exit_code == 0
