"""verify detects any changed byte, any removed or reordered custody line, and manifest drift."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def case(tmp_path: Path) -> ce.Case:
    originals = tmp_path / "in"
    originals.mkdir()
    for i in range(3):
        (originals / f"file{i}.bin").write_bytes(f"evidence number {i}\n".encode() * 50)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(originals)
    assert case.verify().exit_code == 0
    return case


def stored_files(case: ce.Case) -> list[Path]:
    return sorted(p for _n, p in case.store.iter_objects())


def problems(case: ce.Case) -> list[str]:
    report = case.verify()
    assert report.exit_code == 1
    return [str(p) for p in report.problems]


@pytest.mark.parametrize("offset", [0, 17, -1])
def test_one_changed_byte_in_any_stored_file_is_named(case: ce.Case, offset: int) -> None:
    for target in stored_files(case):
        original = target.read_bytes()
        os.chmod(target, 0o644)
        changed = bytearray(original)
        changed[offset] ^= 0x01
        target.write_bytes(bytes(changed))
        found = problems(case)
        assert any(target.name in p and "content changed" in p for p in found)
        target.write_bytes(original)
        os.chmod(target, 0o444)
        assert case.verify().exit_code == 0


def test_deleted_stored_file_is_named(case: ce.Case) -> None:
    target = stored_files(case)[0]
    target.unlink()
    assert any(target.name in p and "missing" in p for p in problems(case))


@pytest.mark.parametrize("line", [0, 1, 2, 3])
def test_deleting_any_custody_line_is_detected(case: ce.Case, line: int) -> None:
    path = case.root / "custody.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:line] + lines[line + 1 :]))
    assert any("custody.jsonl" in p for p in problems(case))


def test_reordering_custody_lines_is_detected(case: ce.Case) -> None:
    path = case.root / "custody.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_bytes(b"".join(lines))
    assert any("custody.jsonl line 2" in p for p in problems(case))


def test_edited_manifest_is_detected(case: ce.Case) -> None:
    path = case.root / "manifest.json"
    path.write_bytes(path.read_bytes().replace(b'"acquired_by":"J. Smith"', b'"acquired_by":"Someone"', 1))
    assert any("manifest.json" in p for p in problems(case))


def test_not_a_case_exits_2(tmp_path: Path) -> None:
    assert ce.verify_case(tmp_path).exit_code == 2


def test_signed_manifest_verifies_and_detects_tampering(case: ce.Case, tmp_path: Path) -> None:
    key = tmp_path / "examiner.pem"
    ce.generate_key(key)
    case.seal(key)
    report = case.verify()
    assert report.exit_code == 0 and report.signature == "valid"
    assert len(report.seal_fingerprints) == 1
    sig = case.root / "manifest.json.sig"
    raw = bytearray(sig.read_bytes())
    raw[0] ^= 1
    sig.write_bytes(bytes(raw))
    assert any("manifest.json.sig" in p for p in problems(case))


def test_signature_checks_with_openssl(case: ce.Case, tmp_path: Path) -> None:
    """The seal is standard: OpenSSL 3 verifies it with no cyberevidence code."""
    key = tmp_path / "examiner.pem"
    ce.generate_key(key)
    case.seal(key)
    r = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub.pem",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.json.sig",
        ],
        cwd=case.root,
        capture_output=True,
        text=True,
    )
    if "unknown option" in r.stderr or r.returncode == 127:
        pytest.skip("OpenSSL 3 with -rawin is not installed")
    assert r.returncode == 0, r.stderr
    assert "Signature Verified Successfully" in r.stdout


def test_sha256sum_checks_the_store(case: ce.Case) -> None:
    r = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=case.root, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(": OK") == 3


def test_ten_line_script_rechecks_the_chain(case: ce.Case) -> None:
    script = REPO / "docs" / "recheck_custody.py"
    if not script.exists():
        pytest.skip("docs/recheck_custody.py not written yet")
    code_lines = [ln for ln in script.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert len(code_lines) <= 10
    log = case.root / "custody.jsonl"
    ok = subprocess.run([sys.executable, str(script), str(log)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    head = case.custody.head()
    assert head is not None and head.hash in ok.stdout
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + lines[2] + lines[1] + b"".join(lines[3:]))
    bad = subprocess.run([sys.executable, str(script), str(log)], capture_output=True, text=True)
    assert bad.returncode == 1


def test_a_later_write_drops_the_seal_files_but_keeps_the_seal(case: ce.Case, tmp_path: Path) -> None:
    key = tmp_path / "examiner.pem"
    ce.generate_key(key)
    case.seal(key, actor="DC Alex Reed")
    seal = [e for e in case.custody.entries() if e.action == "seal"]
    assert [e.actor for e in seal] == ["DC Alex Reed"]
    case.record_export("timeline", "timeline.jsonl")
    assert not (case.root / "manifest.json.sig").exists()
    assert not (case.root / "signer.pub.pem").exists()
    assert (case.root / "seals" / str(seal[0].seq) / "manifest.json.sig").is_file()
    report = case.verify()
    assert report.exit_code == 0 and report.signature == "valid"
    assert report.seal_fingerprints == [seal[0].details["public_key_sha256"]]
    assert any("after the last seal" in str(n) for n in report.notes)
    assert any(e.action == "seal" for e in case.custody.entries())
