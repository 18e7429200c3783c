"""Bundles that keep their secrets (issue 14, item 8).

* No member name carries a content hash: holding an original file does not let anyone confirm, without
  the password, that it is inside a bundle (no 32+ hex-digit run in any name, and no stored object's
  digest anywhere in the zip's bytes, as text or raw).
* ``verify BUNDLE.zip`` writes nothing to the system temp folder: it decrypts into a private 0700
  folder beside the bundle (or ``--scratch DIR``), removed on return, on SIGINT, SIGTERM and SIGHUP.
  After ``kill -9`` that folder remains, beside the bundle, mode 0700, holding the part of the
  plaintext case decrypted so far; the next check in the same place removes it, and a check that is
  still running keeps its own.
* Weak passwords ('a', ' ', 'password', 11 characters, 12 guessable ones) are refused by the API and
  the CLI with a plain reason; strong ones are accepted.
* A bundle of the earlier layout (members named by case path, no map) still verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
import pyzipper

import cyberevidence as ce
import cyberevidence.bundle as bundle_mod
from cyberevidence.bundle import MAP_MEMBER, SCRATCH_PREFIX, WeakPasswordError
from cyberevidence.errors import CyberEvidenceError, Setting

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
PASSWORD = "violet anchor mosquito harp"
HEX_RUN = re.compile(r"[0-9a-fA-F]{32,}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bundle-secrets")
    case = ce.Case.create(base / "case", examiner="Demo Examiner", timezone="Europe/London", hash_algorithms=("sha256", "md5"))
    case.load_people(DEMO / "people.toml")
    assert not case.add(DEMO / "exports", note="synthetic demo exports").errors
    case.close()
    return base / "case"


@pytest.fixture
def case_dir(built: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "case"
    shutil.copytree(built, dest, symlinks=True)
    return dest


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp folder this process (and its children) would use, private so the listing is exact."""
    tmp = tmp_path / "system-temp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    return tmp


def _cli_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "TMPDIR": str(tmp)}


def cli(*args: str | Path, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = _cli_env(tmp) if tmp else {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL)


def _digests(case_dir: Path) -> set[str]:
    """Every content hash the case holds: SHA-256 (and MD5) of each stored object."""
    out: set[str] = set()
    for line in (case_dir / "SHA256SUMS").read_text().splitlines():
        out.add(line.split("  ", 1)[0])
    for art in json.loads((case_dir / "manifest.json").read_text())["artefacts"]:
        out.update(str(v) for k, v in art.items() if k in ("sha256", "md5") or k.endswith("_sha256"))
    for f in (case_dir / "evidence").rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            out.add(hashlib.sha256(data).hexdigest())
            out.add(hashlib.md5(data).hexdigest())
    return {d for d in out if re.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{64}", d)}


def _scratch_folders(where: Path) -> list[Path]:
    return sorted(p for p in where.iterdir() if p.name.startswith(SCRATCH_PREFIX))


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize("hide_names", [False, True])
def test_no_member_name_carries_a_content_hash(case_dir: Path, tmp_path: Path, hide_names: bool) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD, hide_names=hide_names)
    digests = _digests(case_dir)
    assert len(digests) >= 10  # SHA-256 and MD5 of each stored object
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert names == ["case.zip"] if hide_names else set(names) - {MAP_MEMBER} <= {f"m/{i:06d}" for i in range(1, 1000)}
    assert not any(HEX_RUN.search(n) for n in names)
    raw = out.read_bytes()  # nothing anywhere in the file: local headers, central directory, extra fields
    for d in digests:
        assert d.encode() not in raw and d.upper().encode() not in raw and bytes.fromhex(d) not in raw
    if hide_names:
        return
    with pyzipper.AESZipFile(out) as zf:  # with the password, the map gives every case path back
        zf.setpassword(PASSWORD.encode())
        layout = json.loads(zf.read(MAP_MEMBER))["members"]
    assert set(layout) == set(names) - {MAP_MEMBER}
    stored = {line.split("  ", 1)[1] for line in (case_dir / "SHA256SUMS").read_text().splitlines()}
    assert stored <= set(layout.values())


# ---------------------------------------------------------------------- the scratch folder
def test_verify_writes_nothing_to_the_system_temp_folder(case_dir: Path, tmp_path: Path, private_tmp: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    system_tmp = Path(tempfile.gettempdir())
    assert system_tmp == private_tmp
    home = tmp_path / "received"
    home.mkdir()
    out = home / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD)
    seen: list[tuple[Path, int]] = []
    real = bundle_mod.verify_case

    def spy(root: Path, **kw: Any) -> ce.VerifyReport:
        scratch = root.parent
        seen.append((scratch, stat.S_IMODE(scratch.stat().st_mode)))
        return real(root, **kw)

    monkeypatch.setattr(bundle_mod, "verify_case", spy)
    before_tmp, before_home = sorted(private_tmp.iterdir()), sorted(home.iterdir())
    report = ce.verify_bundle(out, PASSWORD)
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert sorted(private_tmp.iterdir()) == before_tmp == []
    assert sorted(home.iterdir()) == before_home == [out]
    ((scratch, mode),) = seen
    assert scratch.parent == home and scratch.name.startswith(f"{SCRATCH_PREFIX}{os.getpid()}-") and mode == 0o700
    # the CLI, in a child process whose temp folder is also private
    done = cli("verify", out, "--password-file", _pw(tmp_path), tmp=private_tmp)
    assert done.returncode == 0, done.stderr
    assert sorted(private_tmp.iterdir()) == [] and sorted(home.iterdir()) == [out]


def _pw(tmp_path: Path, text: str = PASSWORD) -> Path:
    p = tmp_path / f"pw-{hashlib.sha256(text.encode()).hexdigest()[:8]}.txt"
    p.write_text(text + "\n", encoding="utf-8")
    return p


def test_scratch_can_be_chosen_and_is_removed(case_dir: Path, tmp_path: Path, private_tmp: Path) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD)
    chosen = tmp_path / "my-scratch"
    chosen.mkdir()
    assert ce.verify_bundle(out, PASSWORD, scratch=chosen).exit_code == 0
    assert list(chosen.iterdir()) == [] and list(private_tmp.iterdir()) == []
    with pytest.raises(CyberEvidenceError, match="cannot make a private scratch folder") as err:
        ce.verify_bundle(out, PASSWORD, scratch=tmp_path / "no-such-folder")
    # the library names the setting, not a flag; the command line names its flag
    assert err.value.setting is Setting.SCRATCH and "--" not in err.value.hint
    done = cli("verify", out, "--password-file", _pw(tmp_path), "--scratch", tmp_path / "no-such-folder", tmp=private_tmp)
    assert done.returncode == 2 and "cannot make a private scratch folder" in done.stderr and "What to do:" in done.stderr
    assert "On the command line: add --scratch DIR." in done.stderr


PAUSED_VERIFY = textwrap.dedent(
    """
    import sys, time
    import cyberevidence.bundle as b
    real = b.verify_case
    def paused(root, **kw):
        print("READY", root, flush=True)
        time.sleep(120)
        return real(root, **kw)
    b.verify_case = paused
    from cyberevidence_cli.main import run
    sys.argv = ["cyberevidence", "verify", *sys.argv[1:]]
    run()
    """
)


def _start_paused(out: Path, pw: Path, tmp: Path) -> tuple[subprocess.Popen[str], Path]:
    """A ``cyberevidence verify`` child stopped inside the check: the whole case is decrypted by then."""
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_VERIFY, str(out), "--password-file", str(pw)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_cli_env(tmp))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("READY "), (line, proc.stderr.read() if proc.stderr else "")
    return proc, Path(line.split(" ", 1)[1].strip()).parent


def test_sigkill_leaves_a_private_folder_beside_the_bundle_that_the_next_verify_removes(
    case_dir: Path, tmp_path: Path, private_tmp: Path
) -> None:
    home = tmp_path / "received"
    home.mkdir()
    out = home / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD)
    proc, scratch = _start_paused(out, _pw(tmp_path), private_tmp)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # what remains, honestly: one folder beside the bundle, named for the check and its pid, only the user may open,
    # holding the plaintext case decrypted so far (custody included); nothing in the system temp folder
    assert list(private_tmp.iterdir()) == []
    assert _scratch_folders(home) == [scratch]
    assert scratch.name.startswith(f"{SCRATCH_PREFIX}{proc.pid}-")
    assert stat.S_IMODE(scratch.stat().st_mode) == 0o700 and scratch.stat().st_uid == os.getuid()
    left = {p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file()}
    assert {"outer/custody.jsonl", "outer/case.json", "outer/SHA256SUMS"} <= left
    # the next check in the same place removes it, and says so
    report = ce.verify_bundle(out, PASSWORD)
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert any(f"removed {scratch}" in str(n) and "killed" in str(n) for n in report.notes)
    assert _scratch_folders(home) == [] and sorted(home.iterdir()) == [out] and list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_stop_signals_remove_the_scratch_folder(case_dir: Path, tmp_path: Path, private_tmp: Path,
                                                sig: signal.Signals, code: int) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD)
    proc, scratch = _start_paused(out, _pw(tmp_path), private_tmp)
    assert scratch.is_dir()
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    assert proc.returncode == code, proc.stderr.read() if proc.stderr else ""
    assert not scratch.exists() and _scratch_folders(tmp_path) == [] and list(private_tmp.iterdir()) == []


def test_a_running_check_keeps_its_folder(case_dir: Path, tmp_path: Path, private_tmp: Path) -> None:
    out = tmp_path / "bundle.zip"
    ce.make_bundle(ce.Case.open(case_dir), out, PASSWORD)
    proc, scratch = _start_paused(out, _pw(tmp_path), private_tmp)
    try:
        report = ce.verify_bundle(out, PASSWORD)  # a second check beside the first: the first one's lock is held
        assert report.exit_code == 0 and not any("removed" in str(n) for n in report.notes)
        assert scratch.is_dir() and _scratch_folders(tmp_path) == [scratch]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert not scratch.exists()


# ---------------------------------------------------------------------- password policy
WEAK = {
    "a": "too short",
    " ": "too short",
    "password": "too short",
    "Tr0ub4dor&3": "too short",  # 11 characters
    "password1234": "too easy to guess",
    "aaaaaaaaaaaa": "too easy to guess",
    "qwertyuiopas": "too easy to guess",
}


@pytest.mark.parametrize("weak", list(WEAK))
def test_weak_passwords_are_refused_with_a_plain_reason(case_dir: Path, tmp_path: Path, weak: str) -> None:
    case = ce.Case.open(case_dir)
    entries = len(list(case.custody.entries()))
    out = tmp_path / "bundle.zip"
    with pytest.raises(WeakPasswordError, match=WEAK[weak]) as err:
        ce.make_bundle(case, out, weak)
    assert "passphrase" in err.value.hint
    assert not out.exists() and len(list(ce.Case.open(case_dir).custody.entries())) == entries  # nothing logged
    done = cli("bundle", case_dir, "-o", out, "--password-file", _pw(tmp_path, weak))
    assert done.returncode == 2, done.stderr
    assert f"Error: the bundle password is {WEAK[weak]}" in done.stderr and "What to do: Use a passphrase" in done.stderr
    assert not out.exists() and len(list(ce.Case.open(case_dir).custody.entries())) == entries


def test_a_password_made_of_the_case_details_is_refused(case_dir: Path) -> None:
    with pytest.raises(WeakPasswordError, match="too easy to guess"):
        ce.bundle.check_bundle_password("DemoExaminer1", context=["Demo Examiner"])


@pytest.mark.parametrize("strong", [PASSWORD, "correct horse battery staple", "Gx7#qLp2!vRm9w"])
def test_strong_passwords_are_accepted(case_dir: Path, tmp_path: Path, strong: str) -> None:
    ce.bundle.check_bundle_password(strong)
    out = tmp_path / "bundle.zip"
    done = cli("bundle", case_dir, "-o", out, "--password-file", _pw(tmp_path, strong))
    assert done.returncode == 0, done.stderr
    assert ce.verify_bundle(out, strong).exit_code == 0


# ---------------------------------------------------------------------- the earlier layout
def _old_layout_bundle(case: ce.Case, out: Path, password: str) -> None:
    """As make_bundle wrote bundles before opaque names: members named by case path, no map, no policy."""
    with case.writing():
        planned = bundle_mod._case_members(case, False)
        case.record_export("bundle", str(out.resolve()), members=len(planned), members_sha256=bundle_mod.members_digest(planned),
                           hide_names=False, encryption=bundle_mod.ENCRYPTION, sealed_in_bundle=False)
        members = bundle_mod._case_members(case, False)
        with pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED) as zf:
            zf.setpassword(password.encode())
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
            for name in sorted(members):
                info = zf.zipinfo_cls(name, date_time=bundle_mod.FIXED_TIME)
                info.compress_type = pyzipper.ZIP_DEFLATED
                zf.writestr(info, members[name].read_bytes())


def test_a_bundle_of_the_earlier_layout_still_verifies(case_dir: Path, tmp_path: Path, private_tmp: Path) -> None:
    out = tmp_path / "old.zip"
    _old_layout_bundle(ce.Case.open(case_dir), out, "a")  # made before the password policy: verify still opens it
    with zipfile.ZipFile(out) as zf:
        assert any(HEX_RUN.search(n) for n in zf.namelist())  # what the new layout no longer shows
    report = ce.verify_bundle(out, "a")
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert any("earlier layout" in str(n) for n in report.notes)
    done = cli("verify", out, "--password-file", _pw(tmp_path, "a"), tmp=private_tmp)
    assert done.returncode == 0, done.stderr
    assert list(private_tmp.iterdir()) == [] and _scratch_folders(tmp_path) == []
