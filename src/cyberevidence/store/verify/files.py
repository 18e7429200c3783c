"""The case folder checked as files: every object a regular file, nothing unexplained anywhere.

Nothing here follows a symbolic link or opens anything but a regular file: entries are read with
``lstat``, and an object is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again with
``fstat`` before it is read, so a FIFO or device planted in the store can never block ``verify``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from cyberevidence.hashing import MultiHasher
from cyberevidence.hashing.digests import CHUNK_SIZE
from cyberevidence.store.verify.report import VerifyReport

#: Files the tool writes at the top of a case folder.
CASE_FILES = frozenset(
    {
        "case.json",
        "custody.jsonl",
        "index.sqlite",
        "index.sqlite-wal",
        "index.sqlite-shm",
        "index.sqlite-journal",
        "manifest.json",
        "SHA256SUMS",
        "manifest.json.sig",
        "signer.pub.pem",
        ".lock",
    }
)
#: Folders of outputs the tool writes on request (exports, evidence packs): not evidence, noted only.
OUTPUT_FOLDERS = frozenset({"exports", "packs"})
#: Folders with their own checker (seals: store/verify/seals.py).
CHECKED_ELSEWHERE = frozenset({"evidence", "seals"})
_HEX = frozenset("0123456789abcdef")


def kind_of(mode: int) -> str:
    """A file type in plain words, for a finding."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and set(name) <= _HEX


def check_case_root(root: Path, report: VerifyReport) -> None:
    """Every entry at the top of the case folder is one the tool writes, of the right type."""
    for entry in _scan(root, "the case folder", report):
        mode = _mode(entry)
        name = entry.name
        if name in CASE_FILES:
            if not stat.S_ISREG(mode):
                report.problem(name, f"is {kind_of(mode)}, not a regular file")
        elif name in OUTPUT_FOLDERS and stat.S_ISDIR(mode):
            report.note(f"{name}/", "outputs written on request (not evidence; not checked)")
        elif name in CHECKED_ELSEWHERE and stat.S_ISDIR(mode):
            continue
        elif name.startswith(".") and name.endswith(".tmp") and stat.S_ISREG(mode):
            report.note(name, "a temporary file left by an interrupted write (not part of the case)")
        else:
            report.problem(name, f"is {kind_of(mode)} that the tool never writes here and the custody log does not explain")


def store_files(evidence: Path, report: VerifyReport) -> dict[str, Path]:
    """The regular files in the object layout (``sha256/ab/cd/<sha256>``), by name; all else is named.

    Returns the files whose name is a digest in the right folders; their content is checked by
    :func:`hash_object`.
    """
    found: dict[str, Path] = {}
    if not evidence.is_dir() or evidence.is_symlink():
        report.problem("evidence/", "missing, or not a folder")
        return found
    for entry in _scan(evidence, "evidence/", report):
        where = f"evidence/{entry.name}"
        mode = _mode(entry)
        if entry.name == "tmp" and stat.S_ISDIR(mode):
            for left in _scan(Path(entry.path), "evidence/tmp/", report):
                report.note(f"evidence/tmp/{left.name}", "left by an interrupted copy (not part of the case until logged)")
        elif entry.name != "sha256" or not stat.S_ISDIR(mode):
            report.problem(where, f"is {kind_of(mode)} that is not part of the store")
    objects = evidence / "sha256"
    if not objects.is_dir() or objects.is_symlink():
        report.problem("evidence/sha256/", "missing, or not a folder")
        return found
    for first in _scan(objects, "evidence/sha256/", report):
        where = f"evidence/sha256/{first.name}"
        if not _is_fan_out_folder(first, where, report):
            continue
        for second in _scan(Path(first.path), f"{where}/", report):
            if _is_fan_out_folder(second, f"{where}/{second.name}", report):
                _objects_in(second, f"{where}/{second.name}", first.name, found, report)
    return found


def _is_fan_out_folder(entry: os.DirEntry[str], where: str, report: VerifyReport) -> bool:
    """A folder named by two hex digits (the store's fan-out); anything else there is named."""
    mode = _mode(entry)
    if _is_hex(entry.name, 2) and stat.S_ISDIR(mode):
        return True
    report.problem(where, f"is {kind_of(mode)} that is not part of the store")
    return False


def _objects_in(entry: os.DirEntry[str], where: str, first: str, found: dict[str, Path], report: VerifyReport) -> None:
    for obj in _scan(Path(entry.path), f"{where}/", report):
        rel = f"{where}/{obj.name}"
        mode = _mode(obj)
        if not _is_hex(obj.name, 64):
            report.problem(rel, f"is {kind_of(mode)} whose name is not a SHA-256: it is not part of the store")
        elif not stat.S_ISREG(mode):
            report.problem(rel, f"is {kind_of(mode)}, not a stored file (it was replaced)")
        elif obj.name[:2] != first or obj.name[2:4] != entry.name:
            report.problem(rel, "stored in the wrong folder for its digest")
        else:
            found[obj.name] = Path(obj.path)


def _scan(folder: Path, where: str, report: VerifyReport) -> list[os.DirEntry[str]]:
    """The entries of a folder by name; one that cannot be listed is a named problem, not an exception."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        report.problem(where, f"cannot be listed ({exc.strerror or exc})")
        return []


def _mode(entry: os.DirEntry[str]) -> int:
    """The entry's own type (links not followed); 0 (``a special file``) if it vanished meanwhile."""
    try:
        return entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return 0


class NotRegularFileError(OSError):
    """The path is not a regular file (a folder, link, FIFO or device), so it was not read."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}")
        self.kind = kind


def _open_untrusted(path: Path) -> int:
    """A descriptor on a regular file, opened without following a link and without blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOATIME", 0)
    try:
        try:
            fd = os.open(path, flags)
        except PermissionError:
            fd = os.open(path, flags & ~getattr(os, "O_NOATIME", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFileError(path, "a symbolic link") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFileError(path, kind_of(mode))
    return fd


def hash_object(path: Path, algorithms: tuple[str, ...] = ("sha256",)) -> tuple[dict[str, str], os.stat_result]:
    """Digests of a regular file, opened without following links and without blocking."""
    fd = _open_untrusted(path)
    try:
        st = os.fstat(fd)
        with MultiHasher(algorithms) as hasher:
            while chunk := os.read(fd, CHUNK_SIZE):
                hasher.update(chunk)
        return hasher.finish().digests, st
    finally:
        os.close(fd)


def is_regular(path: Path) -> bool:
    """A regular file itself (not a link to one): the only kind of file ``verify`` reads."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file, read like :func:`hash_object` reads (a FIFO or device is never read)."""
    fd = _open_untrusted(path)
    try:
        chunks = []
        while chunk := os.read(fd, CHUNK_SIZE):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_case_file(root: Path, name: str, report: VerifyReport) -> bytes | None:
    """A file at the top of the case, or None with the reason named (missing, not a file, unreadable)."""
    try:
        return read_regular(root / name)
    except FileNotFoundError:
        report.problem(name, "missing")
    except NotRegularFileError as exc:
        report.problem(name, f"was not read: it is {exc.kind}, not a regular file")
    except OSError as exc:
        report.problem(name, f"cannot be read ({exc.strerror or exc})")
    return None
