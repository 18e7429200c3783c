"""The case folder checked as files: every object a regular file, nothing unexplained anywhere.

Nothing here follows a symbolic link or opens anything but a regular file: entries are read with
``lstat``, and an object is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again with
``fstat`` before it is read, so a FIFO or device planted in the store can never block ``verify``.
"""

from __future__ import annotations

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
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        mode = entry.stat(follow_symlinks=False).st_mode
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
    for entry in _scan(evidence):
        where = f"evidence/{entry.name}"
        mode = entry.stat(follow_symlinks=False).st_mode
        if entry.name == "tmp" and stat.S_ISDIR(mode):
            for left in _scan(Path(entry.path)):
                report.note(f"evidence/tmp/{left.name}", "left by an interrupted copy (not part of the case until logged)")
        elif entry.name != "sha256" or not stat.S_ISDIR(mode):
            report.problem(where, f"is {kind_of(mode)} that is not part of the store")
    objects = evidence / "sha256"
    if not objects.is_dir() or objects.is_symlink():
        report.problem("evidence/sha256/", "missing, or not a folder")
        return found
    for first in _scan(objects):
        where = f"evidence/sha256/{first.name}"
        if not _is_fan_out_folder(first, where, report):
            continue
        for second in _scan(Path(first.path)):
            if _is_fan_out_folder(second, f"{where}/{second.name}", report):
                _objects_in(second, f"{where}/{second.name}", first.name, found, report)
    return found


def _is_fan_out_folder(entry: os.DirEntry[str], where: str, report: VerifyReport) -> bool:
    """A folder named by two hex digits (the store's fan-out); anything else there is named."""
    mode = entry.stat(follow_symlinks=False).st_mode
    if _is_hex(entry.name, 2) and stat.S_ISDIR(mode):
        return True
    report.problem(where, f"is {kind_of(mode)} that is not part of the store")
    return False


def _objects_in(entry: os.DirEntry[str], where: str, first: str, found: dict[str, Path], report: VerifyReport) -> None:
    for obj in _scan(Path(entry.path)):
        rel = f"{where}/{obj.name}"
        mode = obj.stat(follow_symlinks=False).st_mode
        if not _is_hex(obj.name, 64):
            report.problem(rel, f"is {kind_of(mode)} whose name is not a SHA-256: it is not part of the store")
        elif not stat.S_ISREG(mode):
            report.problem(rel, f"is {kind_of(mode)}, not a stored file (it was replaced)")
        elif obj.name[:2] != first or obj.name[2:4] != entry.name:
            report.problem(rel, "stored in the wrong folder for its digest")
        else:
            found[obj.name] = Path(obj.path)


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


class NotRegularFileError(OSError):
    """The path stopped being a regular file between listing and opening."""


def hash_object(path: Path, algorithms: tuple[str, ...] = ("sha256",)) -> tuple[dict[str, str], os.stat_result]:
    """Digests of a regular file, opened without following links and without blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        fd = os.open(path, flags & ~getattr(os, "O_NOATIME", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(f"{path} is {kind_of(st.st_mode)}")
        with MultiHasher(algorithms) as hasher:
            while chunk := os.read(fd, CHUNK_SIZE):
                hasher.update(chunk)
        return hasher.finish().digests, st
    finally:
        os.close(fd)
