"""Seals that mean something: each kept in seals/<seq>/, its key's fingerprint in custody, pinned keys.

The attacks: the seal files removed from a sealed case; a kept seal removed or edited; a case
rewritten and sealed again with another key (caught when the checker pins the key).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cryptography")

import cyberevidence as ce
from cyberevidence.pack.statements import continuity_statement
from cyberevidence.store.manifest import build_manifest, manifest_bytes, write_manifest
from cyberevidence.store.seal import PUBLIC_KEY, SIGNATURE, key_fingerprint, sign_bytes

ARCHIVED = ("manifest.json", SIGNATURE, PUBLIC_KEY)


@pytest.fixture
def case(tmp_path: Path) -> ce.Case:
    originals = tmp_path / "in"
    originals.mkdir()
    for i in range(2):
        (originals / f"file{i}.bin").write_bytes(f"evidence number {i}\n".encode() * 40)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(originals)
    return case


@pytest.fixture
def keys(tmp_path: Path) -> list[Path]:
    """Two key pairs; returns the private key files."""
    found = []
    for name in ("smith", "other"):
        key = tmp_path / f"{name}.pem"
        ce.generate_key(key)
        found.append(key)
    return found


def pub(key: Path) -> Path:
    return key.with_suffix(".pub.pem")


def fingerprint(key: Path) -> str:
    return key_fingerprint(pub(key).read_bytes())


def seal(case: ce.Case, key: Path, actor: str = "J. Smith") -> int:
    """Seal and return the seq of the seal entry."""
    manifest = case.seal(key, actor=actor)
    seq = int(manifest["custody_head"]["seq"])
    head = case.custody.head()
    assert head is not None and head.seq == seq and head.action == "seal"
    return seq


def kept(case: ce.Case, seq: int) -> Path:
    return case.root / "seals" / str(seq)


def problems(report: ce.VerifyReport) -> list[str]:
    return [str(p) for p in report.problems]


def notes(report: ce.VerifyReport) -> list[str]:
    return [str(n) for n in report.notes]


def make_writable(path: Path) -> None:
    os.chmod(path, 0o644)


# ---------------------------------------------------------------------------- sealing


def test_a_seal_is_valid_kept_read_only_and_its_fingerprint_is_in_custody(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert report.signature == "valid"
    assert report.seal_fingerprints == [fingerprint(keys[0])]
    assert [(s.seq, s.status, s.fingerprint) for s in report.seals] == [(seq, "valid", fingerprint(keys[0]))]
    head = case.custody.head()
    assert head is not None and head.details["public_key_sha256"] == fingerprint(keys[0])
    assert all(isinstance(v, str | bool | int) for v in head.details.values())
    folder = kept(case, seq)
    assert sorted(os.listdir(folder)) == sorted(ARCHIVED)
    for name in ARCHIVED:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o444
        assert (folder / name).read_bytes() == (case.root / name).read_bytes()
    assert not [n for n in os.listdir(case.root / "seals") if n != str(seq)]


def test_fingerprint_is_what_openssl_prints(case: ce.Case, keys: list[Path]) -> None:
    if shutil.which("openssl") is None or shutil.which("sha256sum") is None:
        pytest.skip("openssl or sha256sum is not installed")
    seal(case, keys[0])
    r = subprocess.run(
        "openssl pkey -pubin -in signer.pub.pem -outform DER | sha256sum",
        shell=True,
        cwd=case.root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert r.stdout.split()[0] == fingerprint(keys[0]) == case.verify().seal_fingerprints[0]


def test_a_kept_seal_checks_with_openssl(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    folder = f"seals/{seq}"
    r = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", f"{folder}/signer.pub.pem", "-rawin",
         "-in", f"{folder}/manifest.json", "-sigfile", f"{folder}/manifest.json.sig"],
        cwd=case.root,
        capture_output=True,
        text=True,
    )
    if "unknown option" in r.stderr or r.returncode == 127:
        pytest.skip("OpenSSL 3 with -rawin is not installed")
    assert r.returncode == 0, r.stderr
    assert "Signature Verified Successfully" in r.stdout


def test_a_key_that_cannot_be_loaded_is_refused_before_anything_is_logged(case: ce.Case, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key\n")
    before = (case.root / "custody.jsonl").read_bytes()
    with pytest.raises(ce.SigningError):
        case.seal(bad)
    assert (case.root / "custody.jsonl").read_bytes() == before
    assert not (case.root / "seals").exists()


def test_a_later_write_keeps_the_seal_and_notes_what_it_does_not_cover(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    case.record_export("timeline", "t2.jsonl")
    assert not (case.root / SIGNATURE).exists() and not (case.root / PUBLIC_KEY).exists()
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert report.signature == "valid" and report.seal_fingerprints == [fingerprint(keys[0])]
    after = [n for n in notes(report) if "after the last seal" in n]
    assert len(after) == 1 and f"seq {seq}" in after[0] and "2 custody entries" in after[0] and "export ×2" in after[0]


def test_regenerating_the_manifest_after_a_seal_is_not_a_removed_seal(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    case.refresh_manifest()
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert report.signature == "valid"


def test_sealing_twice_keeps_both(case: ce.Case, keys: list[Path]) -> None:
    first = seal(case, keys[0])
    second = seal(case, keys[1], actor="DC A. Patel")
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert [s.seq for s in report.seals] == [first, second]
    assert report.seal_fingerprints == [fingerprint(keys[0]), fingerprint(keys[1])]
    assert not [n for n in notes(report) if "after the last seal" in n]


# ---------------------------------------------------------------------------- the attacks


def test_removing_the_seal_files_from_a_sealed_case_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    (case.root / SIGNATURE).unlink()
    (case.root / PUBLIC_KEY).unlink()
    report = case.verify()
    assert report.exit_code == 1
    assert report.signature == "missing"
    assert any(p.startswith(SIGNATURE) and "removed" in p for p in problems(report))


def test_removing_the_seal_files_and_the_kept_seal_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    (case.root / SIGNATURE).unlink()
    (case.root / PUBLIC_KEY).unlink()
    shutil.rmtree(kept(case, seq))
    report = case.verify()
    assert report.exit_code == 1 and report.signature == "missing"
    assert any(p.startswith(f"seals/{seq}/") and "missing" in p for p in problems(report))


def test_removing_the_kept_seal_after_a_later_write_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    shutil.rmtree(kept(case, seq))
    report = case.verify()
    assert report.exit_code == 1 and report.signature == "missing"
    assert any(f"seals/{seq}/" in p and "removed" in p for p in problems(report))


def test_removing_the_whole_seals_folder_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    shutil.rmtree(case.root / "seals")
    assert case.verify().exit_code == 1


def test_an_edited_kept_manifest_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    target = kept(case, seq) / "manifest.json"
    make_writable(target)
    target.write_bytes(target.read_bytes().replace(b'"acquired_by":"J. Smith"', b'"acquired_by":"Someone"', 1))
    report = case.verify()
    assert report.exit_code == 1 and report.signature == "invalid"
    assert any(p.startswith(f"seals/{seq}/{SIGNATURE}") and "does not match" in p for p in problems(report))
    assert report.seal_fingerprints == []


def test_a_kept_seal_with_another_key_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    """Re-signing the kept manifest with another key: the signature is good, the key is not custody's."""
    seq = seal(case, keys[0])
    folder = kept(case, seq)
    signature, public_pem = sign_bytes((folder / "manifest.json").read_bytes(), keys[1])
    for name, data in ((SIGNATURE, signature), (PUBLIC_KEY, public_pem)):
        make_writable(folder / name)
        (folder / name).write_bytes(data)
    report = case.verify()
    assert report.exit_code == 1
    assert any(p.startswith(f"seals/{seq}/{PUBLIC_KEY}") and "key was replaced" in p for p in problems(report))


def test_a_seal_at_the_top_that_differs_from_the_kept_one_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    signature, public_pem = sign_bytes((case.root / "manifest.json").read_bytes(), keys[1])
    (case.root / SIGNATURE).write_bytes(signature)
    (case.root / PUBLIC_KEY).write_bytes(public_pem)
    report = case.verify()
    assert report.exit_code == 1 and report.signature == "invalid"
    assert any("differ from the kept copy" in p for p in problems(report))


def test_a_flipped_bit_in_the_top_signature_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    sig = case.root / SIGNATURE
    raw = bytearray(sig.read_bytes())
    raw[0] ^= 1
    sig.write_bytes(bytes(raw))
    report = case.verify()
    assert report.exit_code == 1
    assert any(p.startswith(SIGNATURE) and "does not match manifest.json" in p for p in problems(report))


def test_a_seal_file_without_a_seal_entry_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    signature, public_pem = sign_bytes((case.root / "manifest.json").read_bytes(), keys[0])
    (case.root / SIGNATURE).write_bytes(signature)
    (case.root / PUBLIC_KEY).write_bytes(public_pem)
    report = case.verify()
    assert report.exit_code == 1
    assert any("records no seal" in p for p in problems(report))


# ---------------------------------------------------------------------------- trusted keys


def rewritten_and_sealed_by(tmp_path: Path, key: Path) -> ce.Case:
    """Someone builds a new, self-consistent case and seals it with their own key."""
    src = tmp_path / "fake-in"
    src.mkdir()
    (src / "file0.bin").write_bytes(b"something else\n" * 40)
    fake = ce.Case.create(tmp_path / "fake", examiner="J. Smith")
    fake.add(src)
    fake.seal(key)
    return fake


def test_a_rewritten_case_sealed_with_another_key_fails_against_the_trusted_key(
    case: ce.Case, keys: list[Path], tmp_path: Path
) -> None:
    fake = rewritten_and_sealed_by(tmp_path, keys[1])
    assert fake.verify().exit_code == 0  # self-consistent: only a pinned key tells it apart
    report = fake.verify(trusted_keys=[fingerprint(keys[0])])
    assert report.exit_code == 1 and report.signature == "untrusted"
    assert any("not sealed by a trusted key" in p and fingerprint(keys[1]) in p for p in problems(report))
    assert fake.verify(trusted_keys=[fingerprint(keys[1])]).exit_code == 0


def test_resealed_with_another_key_the_last_seal_decides(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    seal(case, keys[1])
    first, second = fingerprint(keys[0]), fingerprint(keys[1])
    report = case.verify(trusted_keys=[first])
    assert report.exit_code == 1 and report.signature == "untrusted"
    assert [s.trusted for s in report.seals] == [True, False]
    ok = case.verify(trusted_keys=[second])
    assert ok.exit_code == 0 and ok.signature == "valid", problems(ok)
    assert ok.trusted_keys_checked and ok.seals[-1].trusted is True
    assert case.verify(trusted_keys=[str(pub(keys[1]))]).exit_code == 0
    assert ce.verify_case(case.root, trusted_keys=[first, second]).exit_code == 0


def test_a_trusted_key_given_for_a_case_never_sealed_fails(case: ce.Case, keys: list[Path]) -> None:
    report = case.verify(trusted_keys=[fingerprint(keys[0])])
    assert report.exit_code == 1 and report.signature == "absent"
    assert any("not sealed by a trusted key" in p for p in problems(report))


def test_a_fingerprint_in_upper_case_with_colons_is_accepted(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    fp = fingerprint(keys[0]).upper()
    written = ":".join(fp[i : i + 2] for i in range(0, 64, 2))
    assert case.verify(trusted_keys=[written]).exit_code == 0
    assert case.verify(trusted_keys=[" ".join(fp[i : i + 4] for i in range(0, 64, 4))]).exit_code == 0


@pytest.mark.parametrize("what", ["missing", "folder", "private", "garbage", "short-hex"])
def test_an_unusable_trusted_key_is_a_named_problem(case: ce.Case, keys: list[Path], tmp_path: Path, what: str) -> None:
    seal(case, keys[0])
    given = {
        "missing": str(tmp_path / "nowhere.pub.pem"),
        "folder": str(tmp_path),
        "private": str(keys[0]),
        "garbage": str(tmp_path / "garbage.pem"),
        "short-hex": fingerprint(keys[0])[:40],
    }[what]
    (tmp_path / "garbage.pem").write_bytes(b"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n")
    report = case.verify(trusted_keys=[given])
    assert report.exit_code == 1
    assert any(p.startswith(f"trusted key {given!r}") for p in problems(report)), problems(report)
    if what == "private":
        assert any("private key" in p for p in problems(report))
    # the right key alongside an unusable one: still a problem to name, never a crash
    assert case.verify(trusted_keys=[given, fingerprint(keys[0])]).exit_code == 1


# ---------------------------------------------------------------------------- malformed seals


@pytest.mark.parametrize("damage", ["bad-pem", "rsa-key", "folder-for-file", "garbage-json", "json-list", "other-head",
                                    "extra-file", "symlink", "missing-file"])
def test_every_malformed_kept_seal_is_a_named_problem(case: ce.Case, keys: list[Path], tmp_path: Path, damage: str) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    folder = kept(case, seq)
    for name in ARCHIVED:
        make_writable(folder / name)
    if damage == "bad-pem":
        (folder / PUBLIC_KEY).write_bytes(b"hello\n")
    elif damage == "rsa-key":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        rsa_pub = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        (folder / PUBLIC_KEY).write_bytes(
            rsa_pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    elif damage == "folder-for-file":
        (folder / SIGNATURE).unlink()
        (folder / SIGNATURE).mkdir()
    elif damage == "garbage-json":
        (folder / "manifest.json").write_bytes(b"{not json" + b"[" * 500)
    elif damage == "json-list":
        (folder / "manifest.json").write_bytes(b"[1, 2, 3]")
    elif damage == "other-head":
        manifest = ce.Case.open(case.root).manifest()
        (folder / "manifest.json").write_bytes(manifest_bytes(manifest))
    elif damage == "extra-file":
        (folder / "notes.txt").write_text("hello")
    elif damage == "symlink":
        (folder / PUBLIC_KEY).unlink()
        (folder / PUBLIC_KEY).symlink_to(pub(keys[0]))
    elif damage == "missing-file":
        (folder / "manifest.json").unlink()
    report = case.verify()
    assert report.exit_code == 1
    assert any(p.startswith(f"seals/{seq}/") for p in problems(report)), problems(report)
    assert report.signature == "invalid"


@pytest.mark.parametrize("stray", ["file", "folder", "symlink", "seq-of-another-entry", "leading-zero"])
def test_anything_in_seals_that_is_not_a_kept_seal_is_a_problem(case: ce.Case, keys: list[Path], stray: str) -> None:
    seq = seal(case, keys[0])
    seals = case.root / "seals"
    name = {"file": "readme.txt", "folder": "extra", "symlink": "link", "seq-of-another-entry": "0",
            "leading-zero": f"0{seq}"}[stray]
    if stray == "file":
        (seals / name).write_text("x")
    elif stray == "symlink":
        (seals / name).symlink_to(kept(case, seq))
    elif stray == "leading-zero":
        shutil.copytree(kept(case, seq), seals / name)
    else:
        (seals / name).mkdir()
    report = case.verify()
    assert report.exit_code == 1
    assert any(p.startswith(f"seals/{name}") for p in problems(report)), problems(report)


def test_a_fifo_in_a_kept_seal_does_not_block_verify(case: ce.Case, keys: list[Path]) -> None:
    seq = seal(case, keys[0])
    target = kept(case, seq) / SIGNATURE
    target.unlink()
    os.mkfifo(target)
    code = ("import sys, cyberevidence as ce; r = ce.verify_case(sys.argv[1]); "
            "print(*r.problems, sep='\\n'); sys.exit(r.exit_code)")
    r = subprocess.run([sys.executable, "-c", code, str(case.root)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"seals/{seq}/{SIGNATURE}: is a FIFO" in r.stdout


def test_a_fifo_as_a_trusted_key_does_not_block_verify(case: ce.Case, keys: list[Path], tmp_path: Path) -> None:
    seal(case, keys[0])
    fifo = tmp_path / "key.pub.pem"
    os.mkfifo(fifo)
    code = ("import sys, cyberevidence as ce; r = ce.verify_case(sys.argv[1], trusted_keys=[sys.argv[2]]); "
            "print(*r.problems, sep='\\n'); sys.exit(r.exit_code)")
    r = subprocess.run([sys.executable, "-c", code, str(case.root), str(fifo)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FIFO" in r.stdout


# ---------------------------------------------------------------------------- interrupted seals


def test_a_partial_seal_whose_entry_was_never_written_is_a_note_and_the_next_write_removes_it(
    case: ce.Case, keys: list[Path]
) -> None:
    head = case.custody.head()
    assert head is not None
    partial = case.root / "seals" / f".{head.seq + 1}.partial"
    partial.mkdir(parents=True)
    (partial / "manifest.json").write_bytes(b"{}")
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert any("interrupted seal" in n for n in notes(report))
    case.record_export("timeline", "t.jsonl")
    assert not partial.exists()
    recover = [e for e in case.custody.entries() if e.action == "recover"]
    assert recover and recover[-1].details["unlogged_seals_removed"] == [f"seals/.{head.seq + 1}.partial"]
    assert case.verify().exit_code == 0


def test_a_seal_cut_before_its_copy_was_put_in_place_is_checked_staged_and_completed_by_the_next_write(
    case: ce.Case, keys: list[Path]
) -> None:
    seq = seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    os.rename(kept(case, seq), case.root / "seals" / f".{seq}.partial")
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert any("interrupted before its copy was put in place" in n for n in notes(report))
    assert [s.status for s in report.seals] == ["valid"]
    # A forged staged copy is not excused by the interruption.
    staged_sig = case.root / "seals" / f".{seq}.partial" / "manifest.json.sig"
    good = staged_sig.read_bytes()
    staged_sig.chmod(0o644)
    staged_sig.write_bytes(bytes([good[0] ^ 1]) + good[1:])
    assert case.verify().exit_code == 1
    staged_sig.write_bytes(good)
    staged_sig.chmod(0o444)
    seal(case, keys[0])
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert len(report.seal_fingerprints) == 2
    recover = [e for e in case.custody.entries() if e.action == "recover"]
    assert recover and recover[-1].details["seals_put_in_place"] == [f"seals/{seq}"]


# ---------------------------------------------------------------------------- seals made before seals were kept


def legacy_seal(case: ce.Case, key: Path) -> None:
    """A seal as an earlier version made it: no fingerprint in custody, nothing in seals/."""
    with case.lock:
        case.custody.append("J. Smith", "seal", "", {"key_file": str(key)})
        head = case.custody.head()
        manifest = build_manifest(case.info, case.index, case.store, head, "0.0.1")
        signature, public_pem = sign_bytes(manifest_bytes(manifest), key)
        write_manifest(case.root, manifest, case.store, seal=(signature, public_pem))


def test_an_old_seal_still_at_the_top_is_checked(case: ce.Case, keys: list[Path]) -> None:
    legacy_seal(case, keys[0])
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert report.signature == "valid" and report.seal_fingerprints == [fingerprint(keys[0])]
    assert case.verify(trusted_keys=[fingerprint(keys[0])]).exit_code == 0
    assert case.verify(trusted_keys=[fingerprint(keys[1])]).exit_code == 1


def test_an_old_seal_stripped_from_the_top_is_a_problem(case: ce.Case, keys: list[Path]) -> None:
    legacy_seal(case, keys[0])
    (case.root / SIGNATURE).unlink()
    (case.root / PUBLIC_KEY).unlink()
    report = case.verify()
    assert report.exit_code == 1 and report.signature == "missing"


def test_an_old_seal_replaced_by_a_later_write_is_a_note(case: ce.Case, keys: list[Path]) -> None:
    legacy_seal(case, keys[0])
    case.record_export("timeline", "t.jsonl")
    report = case.verify()
    assert report.exit_code == 0, problems(report)
    assert report.signature == "missing"
    assert any("made before seals were kept" in n for n in notes(report))
    assert case.verify(trusted_keys=[fingerprint(keys[0])]).exit_code == 1


# ---------------------------------------------------------------------------- the command line and the pack


def cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from cyberevidence_cli.main import app

    run = CliRunner().invoke(app, list(args))
    try:
        text = run.output + run.stderr
    except ValueError:  # older Click: stderr mixed into output
        text = run.output
    return run.exit_code, text


def test_cli_verify_with_a_trusted_key(case: ce.Case, keys: list[Path], tmp_path: Path) -> None:
    seal(case, keys[0])
    code, text = cli("verify", str(case.root))
    assert code == 0, text
    assert fingerprint(keys[0]) in text and "read this fingerprint" in text
    code, text = cli("verify", str(case.root), "--trusted-key", fingerprint(keys[0]))
    assert code == 0, text
    assert "trusted key" in text
    code, text = cli("verify", str(case.root), "--trusted-key", str(pub(keys[0])))
    assert code == 0, text
    code, text = cli("verify", str(case.root), "--trusted-key", fingerprint(keys[1]))
    assert code == 1, text
    assert "not sealed by a trusted key" in text
    code, text = cli("verify", str(case.root), "--trusted-key", fingerprint(keys[1]), "--trusted-key", fingerprint(keys[0]))
    assert code == 0, text
    code, text = cli("verify", str(case.root), "--trusted-key", str(tmp_path / "nowhere.pem"))
    assert code == 1 and "Traceback" not in text


def test_cli_verify_trusted_key_on_a_never_sealed_case(case: ce.Case, keys: list[Path]) -> None:
    code, text = cli("verify", str(case.root), "--trusted-key", fingerprint(keys[0]))
    assert code == 1, text


def test_cli_keygen_prints_the_fingerprint(tmp_path: Path) -> None:
    code, text = cli("keygen", str(tmp_path / "me.pem"))
    assert code == 0, text
    assert key_fingerprint((tmp_path / "me.pub.pem").read_bytes()) in text


def test_cli_manifest_sign_key_prints_the_fingerprint(case: ce.Case, keys: list[Path]) -> None:
    code, text = cli("manifest", str(case.root), "--sign-key", str(keys[0]), "-o", str(case.root.parent / "m.json"))
    assert code == 0, text
    assert fingerprint(keys[0]) in text


def test_the_continuity_statement_gives_the_seal_fingerprint(case: ce.Case, keys: list[Path]) -> None:
    seal(case, keys[0])
    text = continuity_statement(case, [], case.verify(), "2025-01-01T00:00:00Z")
    assert f"key fingerprint `{fingerprint(keys[0])}`" in text
    assert "last seal" in text
