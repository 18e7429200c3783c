"""Encrypted bundles: open in 7-Zip, byte-identical through the map, verified end to end, tampering and wrong passwords caught."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import pyzipper

import cyberevidence as ce
from cyberevidence.bundle import MAP_MEMBER

PASSWORD = "correct horse battery staple"
OPAQUE = re.compile(r"m/\d{6}")

#: docs/bundle.md, "Opening it with standard tools": the outside expert's way from opaque names to case paths.
JQ_RECIPE = r"""
set -eu
jq -e '[.members[] | select(startswith("/") or test("(^|/)[.][.](/|$)"))] | length == 0' "$1/bundle-map.json" >/dev/null
jq -r '.members | to_entries[] | [.key, .value] | @tsv' "$1/bundle-map.json" |
while IFS="$(printf '\t')" read -r member path; do
  mkdir -p "$2/$(dirname "$path")" && mv "$1/$member" "$2/$path"
done
"""


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def pw_file(tmp_path: Path) -> Path:
    p = tmp_path / "pw.txt"
    p.write_text(PASSWORD + "\n", encoding="utf-8")
    return p


def _seven_zip() -> str:
    exe = shutil.which("7z")
    if exe is None:
        pytest.skip("7z is not installed (Debian: apt-get install p7zip-full; scripts/_bundle_deps.sh does it)")
    return exe


def bundle_map(out: Path) -> dict[str, str]:
    """Case path -> opaque member name, read from the bundle's encrypted map."""
    with pyzipper.AESZipFile(out) as zf:
        zf.setpassword(PASSWORD.encode())
        doc = json.loads(zf.read(MAP_MEMBER))
    assert doc["format"] == "cyberevidence-bundle-map/1"
    return {path: member for member, path in doc["members"].items()}


def map_back(extracted: Path, dest: Path) -> Path:
    """Move 7-Zip's opaque files to their case paths, with jq as docs/bundle.md shows (in Python without jq)."""
    if shutil.which("jq") and shutil.which("sh"):
        subprocess.run(["sh", "-c", JQ_RECIPE, "sh", str(extracted), str(dest)], check=True, capture_output=True)
    else:
        for member, path in json.loads((extracted / MAP_MEMBER).read_text())["members"].items():
            (dest / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(extracted / member, dest / path)
    return dest


def rewrite(good: Path, bad: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy a bundle member by member, re-encrypted; ``change(case_path, data)`` gives new bytes or None to drop it."""
    paths = {m: p for p, m in bundle_map(good).items()}
    with pyzipper.AESZipFile(good) as src, pyzipper.AESZipFile(bad, "w", compression=pyzipper.ZIP_DEFLATED,
                                                               encryption=pyzipper.WZ_AES) as dst:
        src.setpassword(PASSWORD.encode())
        dst.setpassword(PASSWORD.encode())
        for info in src.infolist():
            data = src.read(info)
            new = change(paths.get(info.filename, info.filename), data)
            if new is not None:
                dst.writestr(info.filename, new)


def _assert_same_as_case(extracted: Path, case: Path) -> int:
    """Every extracted file is byte-identical to the case's, except what the later 'bundle-written'
    custody entry changed: the case's custody log has one more line, and its manifest was rewritten."""
    n = 0
    for f in extracted.rglob("*"):
        if f.is_file():
            rel = f.relative_to(extracted)
            n += 1
            if rel.as_posix() == "custody.jsonl":
                lines = (case / rel).read_bytes().splitlines(keepends=True)
                assert b"".join(lines[:-1]) == f.read_bytes()
                assert json.loads(lines[-1])["details"]["what"] == "bundle-written"
                continue
            if rel.as_posix() == "manifest.json":
                head = json.loads(f.read_bytes())["custody_head"]
                assert head["seq"] == json.loads((case / rel).read_bytes())["custody_head"]["seq"] - 1
                continue
            assert f.read_bytes() == (case / rel).read_bytes(), rel
    return n


def test_bundle_opens_in_7zip_byte_identical(demo_case: Path, tmp_path: Path, pw_file: Path) -> None:
    seven = _seven_zip()
    assert cli("report", demo_case).returncode == 0  # a current exports/report.html (a stale one is refused)
    out = tmp_path / "bundle.zip"
    done = cli("bundle", demo_case, "-o", out, "--password-file", pw_file)
    assert done.returncode == 0, done.stderr
    assert subprocess.run([seven, "t", f"-p{PASSWORD}", str(out)], capture_output=True).returncode == 0
    raw = tmp_path / "x"
    assert subprocess.run([seven, "x", f"-p{PASSWORD}", f"-o{raw}", str(out)], capture_output=True).returncode == 0
    opaque = {f.relative_to(raw).as_posix() for f in raw.rglob("*") if f.is_file()}
    assert MAP_MEMBER in opaque and all(OPAQUE.fullmatch(n) for n in opaque - {MAP_MEMBER})
    mapped = map_back(raw, tmp_path / "case-x")
    names = {f.relative_to(mapped).as_posix() for f in mapped.rglob("*") if f.is_file()}
    assert len(names) == len(opaque) - 1
    assert {"case.json", "custody.jsonl", "manifest.json", "SHA256SUMS", "exports/report.html"} <= names
    stored = {line.split("  ", 1)[1] for line in (demo_case / "SHA256SUMS").read_text().splitlines()}
    assert stored <= names and "index.sqlite" not in names
    assert _assert_same_as_case(mapped, demo_case) == len(names)
    # the bundle holds its own custody entry, with the map's hash; the case logs the bundle file's hash afterwards
    inside = [json.loads(x) for x in (mapped / "custody.jsonl").read_text().splitlines()]
    own = inside[-1]
    assert own["action"] == "export" and own["details"]["what"] == "bundle"
    assert own["details"]["layout"] == "opaque-names"
    assert own["details"]["map_sha256"] == ce.hash_file(raw / MAP_MEMBER)["sha256"]
    assert own["details"]["members_sha256"] == ce.bundle.members_digest(names)
    after = list(ce.Case.open(demo_case).custody.entries())[-1]
    assert after.details["what"] == "bundle-written" and after.details["output_sha256"] == ce.hash_file(out)["sha256"]
    # every member is AES-encrypted (WinZip AE-2: method 99, CRC hidden), undated, and of one mode
    with zipfile.ZipFile(out) as zf:
        for info in zf.infolist():
            assert info.flag_bits & 1 and info.compress_type == 99 and info.CRC == 0
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100444
    assert cli("verify", out, "--password-file", pw_file).returncode == 0


def test_member_names_are_fresh_for_each_bundle(demo_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(demo_case)
    ce.make_bundle(case, tmp_path / "one.zip", PASSWORD)
    ce.make_bundle(case, tmp_path / "two.zip", PASSWORD)
    one, two = bundle_map(tmp_path / "one.zip"), bundle_map(tmp_path / "two.zip")
    shared = set(one) & set(two)
    assert len(shared) >= 8  # the same permutation twice: 1 in 8! or less
    assert any(one[p] != two[p] for p in shared)  # random order each time: a name tells nothing across bundles


def test_hide_names_wraps_an_encrypted_inner_zip(demo_case: Path, tmp_path: Path, pw_file: Path) -> None:
    out = tmp_path / "hidden.zip"
    result = ce.make_bundle(ce.Case.open(demo_case), out, PASSWORD, hide_names=True)
    assert result.hide_names
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["case.zip"]
    done = cli("verify", out, "--password-file", pw_file)
    assert done.returncode == 0, done.stderr
    seven = shutil.which("7z")
    if seven:
        dest = tmp_path / "x"
        subprocess.run([seven, "x", f"-p{PASSWORD}", f"-o{dest}", str(out)], check=True, capture_output=True)
        subprocess.run([seven, "x", f"-p{PASSWORD}", f"-o{dest / 'inner'}", str(dest / "case.zip")], check=True,
                       capture_output=True)
        assert _assert_same_as_case(map_back(dest / "inner", tmp_path / "case-x"), demo_case) == result.members


def test_flipped_byte_in_encrypted_member_fails(demo_case: Path, tmp_path: Path, pw_file: Path) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(demo_case), out, PASSWORD)
    paths = {m: p for p, m in bundle_map(out).items()}
    with zipfile.ZipFile(out) as zf:
        info = next(i for i in zf.infolist() if paths.get(i.filename, "").startswith("evidence/") and i.compress_size > 40)
    data = bytearray(out.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len + 16 + 2  # after the salt and password verifier
    data[start + (info.compress_size - 28) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    done = cli("verify", out, "--password-file", pw_file)
    assert done.returncode == 1, done.stderr
    assert f"{paths[info.filename]} (stored as {info.filename})" in done.stderr and "changed or damaged" in done.stderr


def test_flipped_byte_in_the_map_makes_the_bundle_uncheckable(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(demo_case), out, PASSWORD)
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo(MAP_MEMBER)
    data = bytearray(out.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len + 18 + (info.compress_size - 28) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    report = ce.verify_bundle(out, PASSWORD)
    assert report.exit_code == 2
    assert any("bundle-map.json failed its integrity check" in str(p) for p in report.problems)


def test_rebuilt_bundle_with_changed_member_fails(demo_case: Path, tmp_path: Path, pw_file: Path) -> None:
    good = tmp_path / "good.zip"
    ce.make_bundle(ce.Case.open(demo_case), good, PASSWORD)
    bad = tmp_path / "bad.zip"
    changed: list[str] = []

    def flip(path: str, data: bytes) -> bytes:
        if not changed and path.startswith("evidence/"):
            changed.append(path)
            return bytes([data[0] ^ 0x20]) + data[1:]
        return data

    rewrite(good, bad, flip)
    done = cli("verify", bad, "--password-file", pw_file)
    assert done.returncode == 1
    assert changed[0] in done.stderr and "content changed" in done.stderr


def test_wrong_password_is_exit_2(demo_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(demo_case), out, PASSWORD)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the password\n", encoding="utf-8")
    done = cli("verify", out, "--password-file", wrong)
    assert done.returncode == 2
    assert "password is wrong" in done.stderr
    report = ce.verify_bundle(out, "not the password")
    assert report.exit_code == 2 and not report.is_case


def test_extra_member_and_missing_member_are_named(demo_case: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    ce.make_bundle(ce.Case.open(demo_case), good, PASSWORD)
    names = bundle_map(good)
    dropped = next(p for p in sorted(names) if p.startswith("evidence/"))
    bad = tmp_path / "bad.zip"
    rewrite(good, bad, lambda path, data: None if path == dropped else data)
    with pyzipper.AESZipFile(bad, "a", encryption=pyzipper.WZ_AES) as dst:
        dst.setpassword(PASSWORD.encode())
        dst.writestr("../escape.txt", b"x")
        dst.writestr("notes.txt", b"added later")
    report = ce.verify_bundle(bad, PASSWORD)
    text = "\n".join(str(p) for p in report.problems)
    assert report.exit_code == 1
    assert f"{dropped}: listed in SHA256SUMS but missing from the bundle" in text
    assert f"{dropped} (stored as {names[dropped]}): is in the bundle's bundle-map.json but missing" in text
    assert "notes.txt: is not in the bundle's bundle-map.json" in text
    assert "escape.txt" in text and "rejected" in text
    assert "member list differs" in text


def test_a_changed_or_missing_map_is_named(demo_case: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    ce.make_bundle(ce.Case.open(demo_case), good, PASSWORD)
    members = bundle_map(good)
    a, b = "case.json", "SHA256SUMS"

    def swap(path: str, data: bytes) -> bytes:
        if path != MAP_MEMBER:
            return data
        doc = json.loads(data)
        doc["members"][members[a]], doc["members"][members[b]] = b, a
        return json.dumps(doc).encode()

    rewrite(good, tmp_path / "swapped.zip", swap)
    report = ce.verify_bundle(tmp_path / "swapped.zip", PASSWORD)
    assert report.exit_code == 1
    assert any("bundle-map.json: differs from the map logged" in str(p) for p in report.problems)
    # the case paths as member names again, without the map: the earlier layout, but custody says otherwise
    paths = {m: p for p, m in members.items()}
    downgraded = tmp_path / "downgraded.zip"
    with pyzipper.AESZipFile(good) as src, pyzipper.AESZipFile(downgraded, "w", encryption=pyzipper.WZ_AES) as dst:
        src.setpassword(PASSWORD.encode())
        dst.setpassword(PASSWORD.encode())
        for info in src.infolist():
            if info.filename != MAP_MEMBER:
                dst.writestr(paths[info.filename], src.read(info))
    report = ce.verify_bundle(downgraded, PASSWORD)
    assert report.exit_code == 1
    assert any("records a bundle-map.json, but the bundle has none" in str(p) for p in report.problems)


def test_password_is_never_taken_from_the_command_line(demo_case: Path, tmp_path: Path) -> None:
    done = cli("bundle", demo_case, "-o", tmp_path / "b.zip")
    assert done.returncode == 2 and "--password-file" in done.stderr
    assert not (tmp_path / "b.zip").exists()
    assert "--password " not in cli("bundle", "--help").stdout


# ---------------------------------------------------------------------- sealed cases
def _rewrite_without(good: Path, bad: Path, drop: str) -> None:
    rewrite(good, bad, lambda path, data: None if path == drop else data)


def _fingerprint_by_cryptography(public_pem: Path) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, computed by the cryptography package (an independent path)."""
    import hashlib

    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem.read_bytes())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def test_a_sealed_case_travels_with_all_its_seals(demo_case: Path, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    key = tmp_path / "examiner.key"
    public = ce.generate_key(key)
    case = ce.Case.open(demo_case)
    case.seal(key)  # an earlier seal, kept in seals/<seq>/
    first_seal = case.custody.head()
    assert first_seal is not None and first_seal.action == "seal"
    out = tmp_path / "bundle.zip"
    ce.make_bundle(case, out, PASSWORD, sign_key=key)
    names = set(bundle_map(out))
    seal_seqs = [e.seq for e in ce.Case.open(demo_case).custody.entries() if e.action == "seal"]
    assert len(seal_seqs) == 2 and seal_seqs[0] == first_seal.seq
    for seq in seal_seqs:
        assert {f"seals/{seq}/manifest.json", f"seals/{seq}/manifest.json.sig", f"seals/{seq}/signer.pub.pem"} <= names
    report = ce.verify_bundle(out, PASSWORD)
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert report.signature == "valid" and [s.status for s in report.seals] == ["valid", "valid"]
    fingerprint = report.seal_fingerprints[-1]
    assert fingerprint == _fingerprint_by_cryptography(public)
    pinned = ce.verify_bundle(out, PASSWORD, trusted_keys=[fingerprint])
    assert pinned.exit_code == 0 and pinned.trusted_keys_checked
    other = ce.verify_bundle(out, PASSWORD, trusted_keys=["0" * 64])
    assert other.exit_code == 1 and any("trusted" in str(f) for f in other.problems)


def test_a_seal_left_out_of_a_bundle_is_named(demo_case: Path, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    key = tmp_path / "examiner.key"
    ce.generate_key(key)
    case = ce.Case.open(demo_case)
    ce.make_bundle(case, tmp_path / "good.zip", PASSWORD, sign_key=key)
    seq = next(e.seq for e in ce.Case.open(demo_case).custody.entries() if e.action == "seal")
    dropped = f"seals/{seq}/manifest.json.sig"
    _rewrite_without(tmp_path / "good.zip", tmp_path / "bad.zip", dropped)
    report = ce.verify_bundle(tmp_path / "bad.zip", PASSWORD)
    assert report.exit_code == 1
    assert any(f"seals/{seq}" in str(f) for f in report.problems), [str(f) for f in report.findings]
