"""Crash-safe file writes: temporary file, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cyberevidence.errors import naming_full_disk


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(target: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``target`` with ``data`` so that readers see the old or the new file, never a mix.

    A full disk is a :class:`~cyberevidence.errors.StorageFullError` naming ``target``; the
    temporary file is removed, and ``target`` keeps its old content.
    """
    with naming_full_disk(target):
        _atomic_write_bytes(target, data, mode)


def _atomic_write_bytes(target: Path, data: bytes, mode: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
