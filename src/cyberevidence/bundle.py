"""Encrypted bundles: the whole case in one AES-256 zip (WinZip AE-2), and checking one received.

``make_bundle`` logs the bundle in custody *first*, so the bundle carries its own entry, then
writes every member encrypted with AES-256 (pyzipper, WinZip AE-2: no CRC in the clear). Member
names are the case's own paths: evidence objects are named by their SHA-256, so no person's
name appears; all member times are set to 1980-01-01 00:00 so the zip does not show when the case
was worked on (the true times are in the encrypted custody log). ``hide_names=True`` wraps the
case in an inner encrypted zip, ``case.zip``, inside the outer one: without the password only
that one name and the total size are visible. See docs/bundle.md.

``verify_bundle`` decrypts into a temporary folder with the same safety rules as
:mod:`cyberevidence.archive` (no absolute or ``..`` paths, no links, bounded sizes), runs the
normal case verification on it, and checks the bundle's member list against the case's
``SHA256SUMS`` and against the bundle's own custody entry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyzipper
from pyzipper.zipfile_aes import WZ_AES_V2

from cyberevidence.archive import CHUNK, ArchiveLimits, normalise_member_path
from cyberevidence.errors import CyberEvidenceError, UnsafeArchiveError
from cyberevidence.hashing import hash_file
from cyberevidence.store.custody import CustodyLog
from cyberevidence.store.manifest import MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS
from cyberevidence.store.seal import ARCHIVE_FILES, SEALS, archived_seal_seqs, is_archive_member
from cyberevidence.store.verify import VerifyReport, verify_case

if TYPE_CHECKING:
    from cyberevidence.case import Case

INNER_NAME = "case.zip"
REPORT_MEMBER = "exports/report.html"
REQUIRED = ("case.json", "custody.jsonl", MANIFEST, SUMS)
OPTIONAL = (SIGNATURE, PUBLIC_KEY, REPORT_MEMBER)
#: Member times are fixed so the zip's clear-text directory does not date the work.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ENCRYPTION = "AES-256, WinZip AE-2 (pyzipper)"


class BundlePasswordError(CyberEvidenceError):
    """The bundle could not be decrypted with the password given."""


@dataclass(frozen=True, slots=True)
class BundleResult:
    path: Path
    sha256: str
    members: int
    hide_names: bool
    sealed: bool


def members_digest(names: Iterable[str]) -> str:
    """SHA-256 of the sorted member names, one per line: what custody records for a bundle."""
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def _password_bytes(password: str | bytes) -> bytes:
    pw = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    if not pw:
        raise CyberEvidenceError("an empty password cannot protect a bundle", hint="Give a password of at least 12 characters.")
    return pw


def read_password_file(path: str | os.PathLike[str]) -> str:
    """The password is the first line of the file (its line ending removed)."""
    try:
        with open(path, encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise CyberEvidenceError(f"{path}: cannot read the password file ({exc})") from None
    pw = first.rstrip("\r\n")
    if not pw:
        raise CyberEvidenceError(f"{path}: the first line of the password file is empty", hint="Put the password on line 1.")
    return pw


def _case_members(case: Case, sealed: bool, seal_seq: int | None = None) -> dict[str, Path]:
    """Member name -> file, for everything the bundle carries.

    Every archived seal (``seals/<seq>/``) goes with the case, so the receiver can check each one;
    ``seal_seq`` names the seal about to be made for the bundle, whose files do not exist yet.
    """
    root = case.root
    members: dict[str, Path] = {name: root / name for name in REQUIRED}
    if sealed:
        members[SIGNATURE] = root / SIGNATURE
        members[PUBLIC_KEY] = root / PUBLIC_KEY
    seqs = set(archived_seal_seqs(root))
    if seal_seq is not None:
        seqs.add(seal_seq)
    for seq in sorted(seqs):
        for name in ARCHIVE_FILES:
            members[f"{SEALS}/{seq}/{name}"] = root / SEALS / str(seq) / name
    for art in case.manifest()["artefacts"]:
        members[str(art["store_path"])] = root / str(art["store_path"])
    report = root / REPORT_MEMBER
    if report.is_file():
        members[REPORT_MEMBER] = report
    return members


def _read_only(name: str) -> bool:
    """Members kept read-only in a case: the evidence objects and the kept seals."""
    return name.startswith("evidence/") or is_archive_member(name)


def _new_zip(path: Path, password: bytes, compression: int) -> pyzipper.AESZipFile:
    zf = pyzipper.AESZipFile(path, "w", compression=compression, allowZip64=True)
    zf.setpassword(password)
    zf.setencryption(pyzipper.WZ_AES, nbits=256, force_wz_aes_version=WZ_AES_V2)
    return zf


def _add(zf: pyzipper.AESZipFile, name: str, path: Path, compression: int) -> None:
    info = zf.zipinfo_cls(name, date_time=FIXED_TIME)
    info.compress_type = compression
    info.external_attr = (stat.S_IFREG | (0o444 if _read_only(name) else 0o644)) << 16
    info.file_size = path.stat().st_size
    with open(path, "rb") as src, zf.open(info, "w", force_zip64=info.file_size > 2**31) as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def make_bundle(
    case: Case,
    out: str | os.PathLike[str],
    password: str | bytes,
    *,
    hide_names: bool = False,
    sign_key: Path | None = None,
    actor: str | None = None,
) -> BundleResult:
    """Write the case (and ``exports/report.html`` if present) as an AES-256 zip at ``out``.

    The bundle is logged in custody before it is written, so it contains its own entry (with the
    number of members and the SHA-256 of their sorted names); once written, a second entry records
    the bundle file's SHA-256. Logging rewrites the manifest, which removes an earlier seal: pass
    ``sign_key`` to seal again before zipping, so the bundle carries a valid seal.
    """
    pw = _password_bytes(password)
    target = Path(out)
    if target.resolve().is_relative_to(case.root.resolve()) and not target.resolve().is_relative_to(
        (case.root / "exports").resolve()
    ):
        raise CyberEvidenceError(f"{target}: a bundle cannot be written inside the case folder (except in exports/)")
    sealed = sign_key is not None
    with case.writing():
        # The export entry takes the next seq; the seal made for the bundle, the one after it.
        seal_seq = case.custody.next_seq() + 1 if sealed else None
        planned = _case_members(case, sealed, seal_seq)
        details: dict[str, Any] = {
            "members": len(planned),
            "members_sha256": members_digest(planned),
            "hide_names": hide_names,
            "encryption": ENCRYPTION,
            "sealed_in_bundle": sealed,
        }
        if REPORT_MEMBER in planned:
            details["report_sha256"] = hash_file(planned[REPORT_MEMBER])["sha256"]
        case.record_export("bundle", str(target.resolve()), actor=actor, **details)
        if sign_key is not None:
            case.seal(sign_key, actor=actor)
        members = _case_members(case, sealed)
        if set(members) != set(planned):
            raise CyberEvidenceError("the case changed while the bundle was being made", hint="Run the command again.")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        inner_tmp: Path | None = None
        try:
            if hide_names:
                fd, inner_name = tempfile.mkstemp(prefix=".bundle-inner-", suffix=".zip", dir=target.parent)
                os.close(fd)
                inner_tmp = Path(inner_name)
                with _new_zip(inner_tmp, pw, pyzipper.ZIP_DEFLATED) as inner:
                    for name in sorted(members):
                        _add(inner, name, members[name], pyzipper.ZIP_DEFLATED)
                with _new_zip(tmp, pw, pyzipper.ZIP_STORED) as outer:
                    _add(outer, INNER_NAME, inner_tmp, pyzipper.ZIP_STORED)
            else:
                with _new_zip(tmp, pw, pyzipper.ZIP_DEFLATED) as zf:
                    for name in sorted(members):
                        _add(zf, name, members[name], pyzipper.ZIP_DEFLATED)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
            if inner_tmp is not None:
                inner_tmp.unlink(missing_ok=True)
        digest = hash_file(target)["sha256"]
        case.record_export(
            "bundle-written", str(target.resolve()), actor=actor, output_sha256=digest, size=target.stat().st_size
        )
    return BundleResult(target, digest, len(members), hide_names, sealed)


# ---------------------------------------------------------------------- checking a bundle
def _extract(path: Path, password: bytes, dest: Path, report: VerifyReport, where: str, limits: ArchiveLimits) -> list[str]:
    """Decrypt every member of ``path`` into ``dest`` under the archive safety rules; returns the names.

    A wrong password raises :class:`BundlePasswordError`; damaged members become problems.
    """
    try:
        zf = pyzipper.AESZipFile(path)
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError) as exc:
        raise UnsafeArchiveError(f"not a readable zip archive: {exc}", file=path) from None
    names: list[str] = []
    with zf:
        zf.setpassword(password)
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise UnsafeArchiveError(f"archive has {len(infos)} members (limit {limits.max_members})", file=path)
        budget = limits.max_total_bytes
        seen: set[str] = set()
        for info in infos:
            if info.is_dir():
                continue
            try:
                name = normalise_member_path(info.filename)
            except UnsafeArchiveError as exc:
                report.problem(f"{where} member {info.filename!r}", f"rejected: {exc}")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                report.problem(f"{where} member {name}", "is a symbolic link (rejected)")
                continue
            if name.casefold() in seen:
                report.problem(f"{where} member {name}", "appears twice in the bundle")
                continue
            seen.add(name.casefold())
            if not info.flag_bits & 0x1:
                report.problem(f"{where} member {name}", "is not encrypted (it was added or replaced after the bundle was made)")
            out = dest / name
            if not out.resolve().is_relative_to(dest.resolve()):
                report.problem(f"{where} member {name}", "points outside the extraction folder (rejected)")
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            count = 0
            try:
                with zf.open(info) as src, open(out, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        count += len(chunk)
                        budget -= len(chunk)
                        if count > info.file_size + CHUNK or count > limits.max_member_bytes or budget < 0:
                            raise UnsafeArchiveError(f"member {name!r} inflates beyond its declared or allowed size")
                        dst.write(chunk)
            except RuntimeError as exc:
                if "password" in str(exc).lower() and not names:
                    raise BundlePasswordError(
                        f"{path}: the password is wrong (or the bundle was not made with it)",
                        hint="Check the password file: the password is its first line.",
                    ) from None
                report.problem(f"{where} member {name}", f"cannot be decrypted ({exc}); it was changed or damaged")
                out.unlink(missing_ok=True)
                continue
            except (zipfile.BadZipFile, pyzipper.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                report.problem(f"{where} member {name}", f"failed its integrity check ({exc}): it was changed or damaged")
                out.unlink(missing_ok=True)
                continue
            except UnsafeArchiveError as exc:
                report.problem(f"{where} member {name}", str(exc))
                out.unlink(missing_ok=True)
                continue
            if _read_only(name):
                out.chmod(0o444)  # as in a case, so verify does not note writable objects or seals
            names.append(name)
    return names


def verify_bundle(
    path: str | os.PathLike[str],
    password: str | bytes,
    *,
    limits: ArchiveLimits | None = None,
    trusted_keys: Sequence[str] = (),
) -> VerifyReport:
    """Check a received bundle end to end. Exit code: 0 intact, 1 problems, 2 unreadable or wrong password.

    Raises nothing for a damaged bundle (each problem is named in the report); a wrong password is
    reported as ``is_case = False`` (exit code 2) with the reason. ``trusted_keys`` pins the keys
    the last seal must have been made with, as for :func:`verify_case`.
    """
    bundle = Path(path)
    report = VerifyReport(str(bundle))
    pw = _password_bytes(password)
    lim = limits or ArchiveLimits()
    with tempfile.TemporaryDirectory(prefix="cyberevidence-bundle-") as tmp:
        work = Path(tmp)
        try:
            names = _extract(bundle, pw, work / "outer", report, "bundle", lim)
            root = work / "outer"
            if INNER_NAME in names and "case.json" not in names:
                if len(names) != 1:
                    report.problem("bundle", f"holds {INNER_NAME} and other members: {sorted(set(names) - {INNER_NAME})}")
                names = _extract(root / INNER_NAME, pw, work / "inner", report, INNER_NAME, lim)
                root = work / "inner"
                report.note("bundle", f"names hidden: the case is inside the encrypted inner {INNER_NAME}")
        except BundlePasswordError as exc:
            report.is_case = False
            report.problem("bundle", f"{exc} {exc.hint}".strip())
            return report
        except UnsafeArchiveError as exc:
            report.is_case = False
            report.problem("bundle", str(exc))
            return report
        if not (root / "case.json").is_file():
            report.is_case = False
            report.problem("bundle", "holds no case.json: it is not a cyberevidence case bundle")
            return report
        inner = verify_case(root, trusted_keys=trusted_keys)
        report.findings.extend(inner.findings)
        report.objects_checked = inner.objects_checked
        report.custody_entries = inner.custody_entries
        report.head_hash = inner.head_hash
        report.signature = inner.signature
        report.seal_fingerprints = inner.seal_fingerprints
        report.seals = inner.seals
        report.trusted_keys_checked = inner.trusted_keys_checked
        report.index_artefacts_checked = inner.index_artefacts_checked
        _check_members(root, names, report)
    return report


def _check_members(root: Path, names: list[str], report: VerifyReport) -> None:
    """The member list against SHA256SUMS and against the bundle's own custody entry."""
    present = set(names)
    listed: set[str] = set()
    sums = root / SUMS
    if sums.is_file():
        for n, line in enumerate(sums.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            _digest, sep, rel = line.partition("  ")
            if sep:
                listed.add(rel)
            else:
                report.problem(f"{SUMS} line {n}", "is not a 'sha256  path' line")
    for name in sorted(listed - present):
        report.problem(f"bundle member {name}", f"listed in {SUMS} but missing from the bundle")
    for name in sorted(present):
        if name in listed or name in REQUIRED or name in OPTIONAL or is_archive_member(name):
            continue
        if name.startswith("evidence/"):
            report.problem(f"bundle member {name}", f"is not listed in the case's {SUMS}")
        else:
            report.problem(f"bundle member {name}", "is not part of a case bundle")
    for name in REQUIRED:
        if name not in present:
            report.problem(f"bundle member {name}", "missing from the bundle")
    entry = None
    for e in CustodyLog(root / "custody.jsonl").entries():
        if e.action == "export" and e.details.get("what") == "bundle":
            entry = e
    if entry is None:
        report.note("bundle", "its custody log has no 'bundle' entry (not made by 'cyberevidence bundle')")
        return
    if entry.details.get("members_sha256") != members_digest(present):
        report.problem(
            "bundle",
            f"its member list differs from the one logged when it was made (custody seq {entry.seq}: "
            f"{entry.details.get('members')} member(s); the bundle has {len(present)})",
        )
    want = entry.details.get("report_sha256")
    if want and REPORT_MEMBER in present and hash_file(root / REPORT_MEMBER)["sha256"] != want:
        report.problem(f"bundle member {REPORT_MEMBER}", f"differs from the report logged at custody seq {entry.seq}")
