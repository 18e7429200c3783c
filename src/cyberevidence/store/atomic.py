"""Crash-safe file writes: temporary file, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    with _atomic_stream(target, mode) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_writer(target: Path, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """:func:`atomic_write_bytes` for a file written piece by piece (memory stays bounded).

    The caller writes to the yielded binary file; ``target`` is replaced only when the block ends
    without an exception. An exception or Ctrl-C inside removes the temporary file and leaves
    ``target`` as it was.
    """
    with naming_full_disk(target), _atomic_stream(target, mode) as fh:
        yield fh


@contextlib.contextmanager
def _atomic_stream(target: Path, mode: int) -> Iterator[BinaryIO]:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
