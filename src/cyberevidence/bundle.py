"""Encrypted bundles: the whole case in one AES-256 zip (WinZip AE-2), and checking one received.

``make_bundle`` logs the bundle in custody *first*, so the bundle carries its own entry, then
writes every member encrypted with AES-256 (pyzipper, WinZip AE-2: no CRC in the clear). Member
names are opaque and chosen afresh for each bundle (``m/000001`` …, in a random order), so the
zip's clear-text directory shows no case path and no content hash: holding an original file does
not let anyone confirm it is inside without the password. The encrypted member
``bundle-map.json`` maps each opaque name to its case path; its SHA-256 is in the bundle's own
custody entry. All member times are 1980-01-01 00:00 and all modes read-only, so the directory
neither dates the work nor tells case files from evidence. ``hide_names=True`` wraps the case in
an inner encrypted zip, ``case.zip``, inside the outer one: without the password only that one
name and the total size are visible (not the number or the sizes of the members). See
docs/bundle.md.

``verify_bundle`` decrypts into a private scratch folder (mode 0700) *beside the bundle*, or in a
folder the caller names, never the system temp folder; it is removed on every exit path, SIGINT,
SIGTERM and SIGHUP included. A folder left by ``kill -9`` (or a power cut) is named
``.cyberevidence-verify-<pid>-<random>`` and is removed by the next check in the same place. The
extracted case is checked by the normal :func:`verify_case` (which works on a folder, so the
case is written out rather than checked in memory: one checker, not two), then the member list
is checked against ``SHA256SUMS``, the map and the bundle's own custody entry. Bundles made with
the earlier layout (members named by their case paths, no map) still verify.

Making a bundle needs a password that passes :func:`check_bundle_password`: at least 12
characters and a zxcvbn strength score of 4 (at least 10^10 guesses).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pyzipper
from pyzipper.zipfile_aes import WZ_AES_V2

from cyberevidence.archive import CHUNK, ArchiveLimits, normalise_member_path
from cyberevidence.errors import CyberEvidenceError, Setting, UnsafeArchiveError
from cyberevidence.exporters.case_exports import REPORT_FILE, require_current_export
from cyberevidence.hashing import hash_file
from cyberevidence.store.custody import CustodyLog
from cyberevidence.store.manifest import MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS
from cyberevidence.store.seal import ARCHIVE_FILES, SEALS, archived_seal_seqs, is_archive_member
from cyberevidence.store.verify import VerifyReport, verify_case

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the scratch folder's owner is judged by its pid
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from cyberevidence.case import Case

INNER_NAME = "case.zip"
REPORT_MEMBER = "exports/report.html"
REQUIRED = ("case.json", "custody.jsonl", MANIFEST, SUMS)
OPTIONAL = (SIGNATURE, PUBLIC_KEY, REPORT_MEMBER)
#: Member times are fixed so the zip's clear-text directory does not date the work.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: Every member's mode, so the directory does not tell case files from evidence objects.
MEMBER_MODE = 0o444
ENCRYPTION = "AES-256, WinZip AE-2 (pyzipper)"
#: The encrypted member mapping opaque member names to case paths.
MAP_MEMBER = "bundle-map.json"
MAP_FORMAT = "cyberevidence-bundle-map/1"
#: What the bundle's custody entry records as its layout (older bundles have no ``layout``).
LAYOUT = "opaque-names"
OPAQUE_PREFIX = "m/"
#: The map lists at most ArchiveLimits.max_members names: a few hundred bytes each.
MAX_MAP_BYTES = 256 * 1024**2
#: The private folder ``verify_bundle`` decrypts into: ``.cyberevidence-verify-<pid>-<random>``.
SCRATCH_PREFIX = ".cyberevidence-verify-"
SCRATCH_LOCK = ".lock"
MIN_PASSWORD_CHARS = 12
#: zxcvbn's top score: at least 10^10 guesses.
MIN_PASSWORD_SCORE = 4
#: zxcvbn refuses longer input; a longer password is judged by its first 72 characters (a lower bound).
_ZXCVBN_MAX = 72
PASSWORD_HINT = (
    "Use a passphrase of four or more unrelated, uncommon words (for example chosen with dice from a word "
    "list), at least 12 characters, not the case name or number; send it by a different channel from the bundle."
)


class BundlePasswordError(CyberEvidenceError):
    """The bundle could not be decrypted with the password given."""


class WeakPasswordError(CyberEvidenceError):
    """The password is too short or too easy to guess to protect a bundle."""

    hint = PASSWORD_HINT


@dataclass(frozen=True, slots=True)
class BundleResult:
    path: Path
    sha256: str
    members: int
    hide_names: bool
    sealed: bool


def members_digest(names: Iterable[str]) -> str:
    """SHA-256 of the sorted case paths, one per line: what custody records for a bundle.

    It is over the case paths (what was sent), not the opaque member names: the names are bound
    by the map's own SHA-256 (``map_sha256``), and bundles of the earlier layout keep their meaning.
    """
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def _password_bytes(password: str | bytes) -> bytes:
    pw = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    if not pw:
        raise CyberEvidenceError("an empty password cannot protect a bundle", hint=PASSWORD_HINT)
    return pw


def check_bundle_password(password: str | bytes, *, context: Sequence[str] = ()) -> None:
    """Refuse a password that cannot protect a bundle, with the reason in plain words.

    The rule: at least :data:`MIN_PASSWORD_CHARS` characters, and a zxcvbn (MIT; Dropbox's
    estimator) score of :data:`MIN_PASSWORD_SCORE`, the top one (about 10^10 guesses or more).
    ``context`` holds words an attacker would try first (examiner, case name and number): a
    password made of them scores lower. Raises :class:`WeakPasswordError`.
    """
    text = password.decode("utf-8", errors="replace") if isinstance(password, bytes) else password
    text = unicodedata.normalize("NFC", text)
    if len(text) < MIN_PASSWORD_CHARS:
        raise WeakPasswordError(
            f"the bundle password is too short: {len(text)} character(s); a bundle password needs at least "
            f"{MIN_PASSWORD_CHARS}, because anyone who gets the bundle file can try passwords as fast as their "
            "computer allows"
        )
    from zxcvbn import zxcvbn

    words = [w for w in context if w and len(w) < 200]
    result: dict[str, Any] = zxcvbn(text[:_ZXCVBN_MAX], user_inputs=words)
    score = int(result["score"])
    if score < MIN_PASSWORD_SCORE:
        guesses = 10 ** max(1, math.ceil(float(result["guesses_log10"])))
        warning = str(result.get("feedback", {}).get("warning") or "").strip()
        why = f" ({warning.rstrip('.')})" if warning else ""
        raise WeakPasswordError(
            f"the bundle password is too easy to guess{why}: a password-guessing program would find it within "
            f"about {guesses:,} tries; a bundle password must need at least 10,000,000,000"
        )


def _case_words(case: Case) -> list[str]:
    info = case.info
    words = [str(info.get(k) or "") for k in ("examiner", "case_id", "name", "title")]
    return [*words, case.root.name]


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
    """Case path -> file, for everything the bundle carries.

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
    """Case paths kept read-only in a case: the evidence objects and the kept seals."""
    return name.startswith("evidence/") or is_archive_member(name)


def opaque_layout(paths: Iterable[str]) -> dict[str, str]:
    """Opaque member name -> case path: ``m/000001`` … given to the paths in a random order.

    The names say nothing about the content; the order is random so that even the position of a
    member tells nothing about its path (evidence paths sort by content hash).
    """
    order = sorted(paths)
    secrets.SystemRandom().shuffle(order)
    width = max(6, len(str(len(order))))
    return {f"{OPAQUE_PREFIX}{i:0{width}d}": path for i, path in enumerate(order, start=1)}


def map_bytes(layout: dict[str, str]) -> bytes:
    """The ``bundle-map.json`` member: ``{"format": …, "members": {opaque name: case path}}``."""
    doc = {"format": MAP_FORMAT, "members": dict(sorted(layout.items()))}
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _new_zip(path: Path, password: bytes, compression: int) -> pyzipper.AESZipFile:
    zf = pyzipper.AESZipFile(path, "w", compression=compression, allowZip64=True)
    zf.setpassword(password)
    zf.setencryption(pyzipper.WZ_AES, nbits=256, force_wz_aes_version=WZ_AES_V2)
    return zf


def _info(zf: pyzipper.AESZipFile, name: str, size: int, compression: int) -> zipfile.ZipInfo:
    info: zipfile.ZipInfo = zf.zipinfo_cls(name, date_time=FIXED_TIME)
    info.compress_type = compression
    info.external_attr = (stat.S_IFREG | MEMBER_MODE) << 16
    info.file_size = size
    return info


def _add(zf: pyzipper.AESZipFile, name: str, path: Path, compression: int) -> None:
    info = _info(zf, name, path.stat().st_size, compression)
    with open(path, "rb") as src, zf.open(info, "w", force_zip64=info.file_size > 2**31) as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def _add_bytes(zf: pyzipper.AESZipFile, name: str, data: bytes, compression: int) -> None:
    with zf.open(_info(zf, name, len(data), compression), "w") as dst:
        dst.write(data)


def _write_case_zip(path: Path, pw: bytes, layout: dict[str, str], mapping: bytes, members: dict[str, Path]) -> None:
    with _new_zip(path, pw, pyzipper.ZIP_DEFLATED) as zf:
        _add_bytes(zf, MAP_MEMBER, mapping, pyzipper.ZIP_DEFLATED)
        for opaque in sorted(layout):
            _add(zf, opaque, members[layout[opaque]], pyzipper.ZIP_DEFLATED)


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

    A report that is not current (made before the case last changed, or altered) is refused with
    :class:`~cyberevidence.exporters.case_exports.StaleExportsError` before anything is logged.

    The password must pass :func:`check_bundle_password` (else :class:`WeakPasswordError`, and
    nothing is logged or written). The bundle is logged in custody before it is written, so it
    contains its own entry (with the number of members, the SHA-256 of their sorted case paths
    and the SHA-256 of its ``bundle-map.json``); once written, a second entry records the bundle
    file's SHA-256. Logging rewrites the manifest, which removes an earlier seal: pass
    ``sign_key`` to seal again before zipping, so the bundle carries a valid seal.
    """
    check_bundle_password(password, context=_case_words(case))
    require_current_export(case, REPORT_FILE)  # a bundle never carries a stale report (docs/case-folder.md)
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
        layout = opaque_layout(planned)
        mapping = map_bytes(layout)
        details: dict[str, Any] = {
            "members": len(planned),
            "members_sha256": members_digest(planned),
            "layout": LAYOUT,
            "map_sha256": hashlib.sha256(mapping).hexdigest(),
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
                _write_case_zip(inner_tmp, pw, layout, mapping, members)
                with _new_zip(tmp, pw, pyzipper.ZIP_STORED) as outer:
                    _add(outer, INNER_NAME, inner_tmp, pyzipper.ZIP_STORED)
            else:
                _write_case_zip(tmp, pw, layout, mapping, members)
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


# ---------------------------------------------------------------------- the scratch folder
_STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if isinstance(s, signal.Signals)
)


def _stop(signum: int, _frame: FrameType | None) -> None:
    """A stop signal becomes an exception, so the ``finally`` that removes the scratch folder runs."""
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """While the scratch folder exists, SIGINT, SIGTERM and SIGHUP left at their default (which
    would end the process at once) raise instead. A handler the caller installed is kept: the
    caller decides. Only the main thread can set handlers; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[signal.Signals, Any] = {}
    for sig in _STOP_SIGNALS:
        if signal.getsignal(sig) == signal.SIG_DFL:
            saved[sig] = signal.signal(sig, _stop)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _rmtree(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return
    except OSError:
        for dirpath, _dirs, _files in os.walk(path):
            with contextlib.suppress(OSError):
                os.chmod(dirpath, 0o700)
        shutil.rmtree(path, ignore_errors=True)


def _remove_scratch(work: Path, lock: int) -> None:
    """Remove the scratch folder with the stop signals held back, so a second Ctrl-C cannot cut it short."""
    held = hasattr(signal, "pthread_sigmask")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set(_STOP_SIGNALS)) if held else set()
    try:
        _rmtree(work)
        if lock >= 0:
            os.close(lock)
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a signal held back is acted on here


def _hold(work: Path) -> int:
    """Create and lock ``.lock`` in the scratch folder: a later check sees the folder is in use while
    this process lives (the lock goes with the process, even on ``kill -9``)."""
    fd = os.open(work / SCRATCH_LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    if fcntl is not None:
        with contextlib.suppress(OSError):  # no locks on this file system: the folder then always looks in use
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


@contextlib.contextmanager
def _scratch(base: Path) -> Iterator[Path]:
    """A new private folder (0700) in ``base``, removed on every way out (exceptions and stop signals)."""
    with _stop_signals_raise():
        work: Path | None = None
        lock = -1
        try:
            try:
                work = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base))
                os.chmod(work, 0o700)
                lock = _hold(work)
            except OSError as exc:
                raise CyberEvidenceError(
                    f"{base}: cannot make a private scratch folder there to check the bundle in ({exc.strerror or exc})",
                    setting=Setting.SCRATCH,
                    hint="Give a scratch folder: one you may write to, on a disk only you use. The decrypted case is "
                    "written there while it is checked (in a folder only you can open) and removed afterwards.",
                ) from None
            yield work
        finally:
            if work is not None:
                _remove_scratch(work, lock)


def _pid_of(name: str) -> int | None:
    head = name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True  # not ours to judge: leave it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _in_use(folder: Path) -> bool:
    pid = _pid_of(folder.name)
    if fcntl is None:
        return _alive(pid)
    try:
        fd = os.open(folder / SCRATCH_LOCK, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return _alive(pid)  # killed before it locked (or being removed right now)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def remove_leftover_scratch(base: str | os.PathLike[str]) -> list[Path]:
    """Remove the scratch folders in ``base`` left by checks that were killed (``kill -9``, power cut).

    Only this user's folders named ``.cyberevidence-verify-*`` whose owning process is gone (its
    lock is free) are removed. Returns the folders removed.
    """
    try:
        entries = [Path(e.path) for e in os.scandir(base) if e.name.startswith(SCRATCH_PREFIX)]
    except OSError:
        return []
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed: list[Path] = []
    for folder in sorted(entries):
        try:
            st = folder.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or (uid is not None and st.st_uid != uid) or _in_use(folder):
            continue
        _rmtree(folder)
        if not folder.exists():
            removed.append(folder)
    return removed


# ---------------------------------------------------------------------- checking a bundle
@dataclass(slots=True)
class _Opened:
    """What one zip of the bundle held: the case paths extracted, and its map (``None``: earlier layout)."""

    names: list[str]
    map_sha256: str | None


def _open_zip(path: Path) -> pyzipper.AESZipFile:
    try:
        return pyzipper.AESZipFile(path)
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError) as exc:
        raise UnsafeArchiveError(f"not a readable zip archive: {exc}", file=path) from None


def _wrong_password(path: Path) -> BundlePasswordError:
    return BundlePasswordError(
        f"{path}: the password is wrong (or the bundle was not made with it)",
        hint="Check the password file: the password is its first line.",
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _read_map(zf: pyzipper.AESZipFile, info: zipfile.ZipInfo, path: Path, where: str) -> tuple[dict[str, str], str]:
    """The map member: opaque name -> case path, and its SHA-256. A wrong password raises
    :class:`BundlePasswordError`; a map that cannot be used makes the bundle uncheckable."""
    if info.file_size > MAX_MAP_BYTES:
        raise UnsafeArchiveError(f"{where}: {MAP_MEMBER} declares {info.file_size:,} bytes (limit {MAX_MAP_BYTES:,})", file=path)
    if not info.flag_bits & 0x1:
        raise UnsafeArchiveError(f"{where}: {MAP_MEMBER} is not encrypted: it was added or replaced after the bundle was made")
    try:
        with zf.open(info) as src:
            data = src.read(MAX_MAP_BYTES + 1)
    except RuntimeError as exc:
        if "password" in str(exc).lower():
            raise _wrong_password(path) from None
        raise UnsafeArchiveError(
            f"{where}: {MAP_MEMBER} cannot be decrypted ({exc}): the bundle was changed or damaged"
        ) from None
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise UnsafeArchiveError(
            f"{where}: {MAP_MEMBER} failed its integrity check ({exc}): the password is wrong, or the bundle was "
            "changed or damaged; without its map no member can be matched to the case"
        ) from None
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
        if not isinstance(doc, dict) or doc.get("format") != MAP_FORMAT:
            raise ValueError(f"its format is not {MAP_FORMAT!r}")
        members = doc.get("members")
        if not isinstance(members, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in members.items()):
            raise ValueError("'members' is not an object of names")
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnsafeArchiveError(f"{where}: {MAP_MEMBER} is not a bundle map ({exc})") from None
    return dict(members), hashlib.sha256(data).hexdigest()


def _extract(path: Path, password: bytes, dest: Path, report: VerifyReport, where: str, limits: ArchiveLimits) -> _Opened:
    """Decrypt every member of ``path`` into ``dest`` (under its case path, through the map if there
    is one) under the archive safety rules.

    A wrong password raises :class:`BundlePasswordError`; damaged members become problems.
    """
    names: list[str] = []
    with _open_zip(path) as zf:
        zf.setpassword(password)
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise UnsafeArchiveError(f"archive has {len(infos)} members (limit {limits.max_members})", file=path)
        maps = [i for i in infos if i.filename == MAP_MEMBER]
        if len(maps) > 1:
            raise UnsafeArchiveError(f"{where}: holds {MAP_MEMBER} {len(maps)} times: it was changed after it was made")
        layout: dict[str, str] | None = None
        map_sha: str | None = None
        if maps:
            layout, map_sha = _read_map(zf, maps[0], path, where)
        password_ok = layout is not None
        budget = limits.max_total_bytes
        seen: set[str] = set()
        stored: set[str] = set()
        for info in infos:
            if info.is_dir() or info.filename == MAP_MEMBER:
                continue
            try:
                member = normalise_member_path(info.filename)
            except UnsafeArchiveError as exc:
                report.problem(f"{where} member {info.filename!r}", f"rejected: {exc}")
                continue
            label = f"{where} member {member}"
            if layout is not None:
                stored.add(member)
                if member not in layout:
                    report.problem(label, f"is not in the bundle's {MAP_MEMBER}: it is not part of the case bundle")
                    continue
                try:
                    name = normalise_member_path(layout[member])
                except UnsafeArchiveError as exc:
                    report.problem(label, f"rejected: its case path in {MAP_MEMBER} is unsafe ({exc})")
                    continue
                label = f"{where} member {name} (stored as {member})"
            else:
                name = member
            if stat.S_ISLNK(info.external_attr >> 16):
                report.problem(label, "is a symbolic link (rejected)")
                continue
            if name.casefold() in seen:
                report.problem(label, "appears twice in the bundle")
                continue
            seen.add(name.casefold())
            if not info.flag_bits & 0x1:
                report.problem(label, "is not encrypted (it was added or replaced after the bundle was made)")
            out = dest / name
            if not out.resolve().is_relative_to(dest.resolve()):
                report.problem(label, "points outside the extraction folder (rejected)")
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
                if "password" in str(exc).lower() and not password_ok:
                    raise _wrong_password(path) from None
                report.problem(label, f"cannot be decrypted ({exc}); it was changed or damaged")
                out.unlink(missing_ok=True)
                continue
            except (zipfile.BadZipFile, pyzipper.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:
                report.problem(label, f"failed its integrity check ({exc}): it was changed or damaged")
                out.unlink(missing_ok=True)
                continue
            except UnsafeArchiveError as exc:
                report.problem(label, str(exc))
                out.unlink(missing_ok=True)
                continue
            password_ok = True
            if _read_only(name):
                out.chmod(0o444)  # as in a case, so verify does not note writable objects or seals
            names.append(name)
        for member in sorted(set(layout or ()) - stored):
            report.problem(f"{where} member {layout[member] if layout else ''} (stored as {member})",
                           f"is in the bundle's {MAP_MEMBER} but missing from the bundle")
    return _Opened(names, map_sha)


def verify_bundle(
    path: str | os.PathLike[str],
    password: str | bytes,
    *,
    limits: ArchiveLimits | None = None,
    trusted_keys: Sequence[str] = (),
    scratch: str | os.PathLike[str] | None = None,
) -> VerifyReport:
    """Check a received bundle end to end. Exit code: 0 intact, 1 problems, 2 unreadable or wrong password.

    The case is decrypted into a private folder (0700) made in ``scratch``, by default the folder
    that holds the bundle (never the system temp folder), and removed before this returns, also on
    an exception, Ctrl-C, SIGTERM or SIGHUP. Scratch folders left there by a check that was killed
    are removed first (each one is a note in the report). A folder that cannot be made raises
    :class:`CyberEvidenceError`.

    Raises nothing for a damaged bundle (each problem is named in the report); a wrong password is
    reported as ``is_case = False`` (exit code 2) with the reason. ``trusted_keys`` pins the keys
    the last seal must have been made with, as for :func:`verify_case`.
    """
    bundle = Path(path)
    report = VerifyReport(str(bundle))
    pw = _password_bytes(password)
    lim = limits or ArchiveLimits()
    if not bundle.is_file():
        report.is_case = False
        report.problem("bundle", "not found, or not a regular file")
        return report
    base = Path(scratch) if scratch is not None else bundle.absolute().parent
    for old in remove_leftover_scratch(base):
        report.note("bundle", f"removed {old}: a scratch folder left by an earlier check that was killed before it could "
                              "remove it")
    with _scratch(base) as work:
        try:
            opened = _extract(bundle, pw, work / "outer", report, "bundle", lim)
            root = work / "outer"
            if INNER_NAME in opened.names and "case.json" not in opened.names:
                if len(opened.names) != 1:
                    report.problem("bundle", f"holds {INNER_NAME} and other members: {sorted(set(opened.names) - {INNER_NAME})}")
                opened = _extract(root / INNER_NAME, pw, work / "inner", report, INNER_NAME, lim)
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
        _check_members(root, opened, report)
    return report


def _check_members(root: Path, opened: _Opened, report: VerifyReport) -> None:
    """The member list against SHA256SUMS, and the list and map against the bundle's own custody entry."""
    present = set(opened.names)
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
    logged_map = entry.details.get("map_sha256")
    if logged_map is None and opened.map_sha256 is None:
        report.note("bundle", "made with the earlier layout: its member names are the case paths, so the content hashes "
                              "of the evidence are visible without the password (bundles made now use opaque names)")
    elif opened.map_sha256 is None:
        report.problem("bundle", f"its own custody entry (seq {entry.seq}) records a {MAP_MEMBER}, but the bundle has "
                                 "none: it was rewritten after it was made")
    elif logged_map is None:
        report.problem("bundle", f"holds a {MAP_MEMBER} that its own custody entry (seq {entry.seq}) does not record")
    elif logged_map != opened.map_sha256:
        report.problem(f"bundle member {MAP_MEMBER}", f"differs from the map logged when the bundle was made "
                                                      f"(custody seq {entry.seq})")
    want = entry.details.get("report_sha256")
    if want and REPORT_MEMBER in present and hash_file(root / REPORT_MEMBER)["sha256"] != want:
        report.problem(f"bundle member {REPORT_MEMBER}", f"differs from the report logged at custody seq {entry.seq}")
