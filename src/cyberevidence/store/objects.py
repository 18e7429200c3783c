"""The content-addressed evidence store: ``evidence/sha256/ab/cd/<sha256>``, read-only.

Each object is written once: streamed into a temporary file while hashed, fsynced, re-hashed
from disk to prove the copy, made read-only and *staged* as ``tmp/<sha256>.staged``. It moves
into place (:meth:`EvidenceStore.commit`) only after the custody entry recording it is written,
so the store never holds an object that custody does not explain: an interruption leaves a
staged file, which the next writer moves in (if custody logged it) or removes (if not).
An object's file name is its SHA-256, so anyone can check it with ``sha256sum``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cyberevidence.errors import naming_full_disk
from cyberevidence.hashing import MultiHasher, hash_file
from cyberevidence.hashing.digests import CHUNK_SIZE
from cyberevidence.store.atomic import fsync_dir

READ_ONLY = 0o444


class CopyMismatchError(Exception):
    """The stored copy's digest differs from the digest taken while reading the source."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object in the store, with the digests taken while copying and the re-hash of the copy."""

    sha256: str
    size: int
    digests: dict[str, str]
    path: Path
    already_present: bool
    #: Where the new copy waits until :meth:`EvidenceStore.commit` (None when already present).
    staged: Path | None = None

    @property
    def readable(self) -> Path:
        """The copy to read before it is committed (the staged file), or the stored object."""
        return self.staged if self.staged is not None else self.path


class EvidenceStore:
    """A folder of immutable objects named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "sha256"
        self.tmp = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.objects / sha256[:2] / sha256[2:4] / sha256

    def relpath_for(self, sha256: str) -> str:
        """Path relative to the case folder, as written in SHA256SUMS and the manifest."""
        return f"evidence/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def staged_path(self, sha256: str) -> Path:
        self.path_for(sha256)  # validates the digest
        return self.tmp / f"{sha256}.staged"

    def put_stream(self, stream: BinaryIO, algorithms: Sequence[str] = ("sha256",)) -> StoredObject:
        """Copy ``stream`` into the store's staging area, hashing as it goes; then :meth:`commit` it.

        Idempotent: content already stored is not copied again (``already_present``). A full disk
        is a :class:`~cyberevidence.errors.StorageFullError` naming the store; nothing is left behind.
        """
        with naming_full_disk(self.root):
            return self._put_stream(stream, algorithms)

    def _put_stream(self, stream: BinaryIO, algorithms: Sequence[str]) -> StoredObject:
        algos = tuple(dict.fromkeys(("sha256", *algorithms)))
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix="incoming-", dir=self.tmp)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, MultiHasher(algos) as hasher:
                while chunk := stream.read(CHUNK_SIZE):
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            result = hasher.finish()
            sha = result.digests["sha256"]
            if hash_file(tmp)["sha256"] != sha:
                raise CopyMismatchError(f"the copy in the store does not match the source read (sha256 {sha})")
            final = self.path_for(sha)
            if final.is_file():
                tmp.unlink()
                return StoredObject(sha, result.size, result.digests, final, True)
            staged = self.staged_path(sha)
            os.chmod(tmp, READ_ONLY)
            os.replace(tmp, staged)
            return StoredObject(sha, result.size, result.digests, final, False, staged)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def commit(self, obj: StoredObject) -> None:
        """Move a staged copy into place (after custody recorded it). Idempotent."""
        if obj.staged is None or not obj.staged.exists():
            return
        self._move_in(obj.staged, obj.path)

    def discard(self, obj: StoredObject) -> None:
        """Drop a staged copy that will not be logged (e.g. the people file already in force)."""
        if obj.staged is not None:
            obj.staged.unlink(missing_ok=True)

    def _move_in(self, staged: Path, final: Path) -> None:
        with naming_full_disk(final.parent):  # a new fan-out folder needs room too
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            fsync_dir(final.parent)
            fsync_dir(staged.parent)

    def recover_staged(self, logged: set[str]) -> tuple[list[str], list[str]]:
        """After an interruption: staged copies custody logged move in (if intact); the rest go.

        Returns (moved in, removed). Other leftovers (``incoming-*``) are removed too.
        """
        moved: list[str] = []
        removed: list[str] = []
        if not self.tmp.is_dir():
            return moved, removed
        for leftover in sorted(self.tmp.iterdir()):
            sha = leftover.name.removesuffix(".staged")
            if (
                leftover.name.endswith(".staged")
                and sha in logged
                and leftover.is_file()
                and not leftover.is_symlink()
                and hash_file(leftover)["sha256"] == sha
                and not self.path_for(sha).exists()
            ):
                self._move_in(leftover, self.path_for(sha))
                moved.append(sha)
                continue
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover.name)
        return moved, removed

    def iter_objects(self) -> Iterator[tuple[str, Path]]:
        """Every file under ``sha256/`` as (name, path); names are *claimed* digests, not checked."""
        if not self.objects.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self.objects):
            for name in files:
                yield name, Path(dirpath) / name
