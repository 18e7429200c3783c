"""Reading zip archives written by someone hostile.

Every member is checked before use: no absolute or ``..`` paths, no symlinks, no encrypted
members we cannot read, and decompression is bounded both by ratio and by total size, counted
on the bytes actually inflated (the sizes in the zip's own headers are not trusted).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from cyberevidence.errors import UnsafeArchiveError

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Configurable safety limits. Defaults suit phone exports of a few GB."""

    max_members: int = 200_000
    max_total_bytes: int = 64 * 1024**3
    max_member_bytes: int = 16 * 1024**3
    #: A member that inflates more than this many times its compressed size is treated as a bomb.
    max_ratio: float = 200.0
    #: Ratios are only checked above this size; tiny text files legitimately compress very well.
    ratio_floor_bytes: int = 16 * 1024**2

    def to_text(self) -> str:
        """``name=value;...`` as recorded in a parse's custody entry (only when not the defaults)."""
        return ";".join(f"{f}={getattr(self, f)}" for f in self.__dataclass_fields__)

    @classmethod
    def from_text(cls, text: str) -> ArchiveLimits:
        if not text:
            return cls()
        values: dict[str, float | int] = {}
        for part in text.split(";"):
            key, _, value = part.partition("=")
            if key in cls.__dataclass_fields__:
                values[key] = float(value) if key == "max_ratio" else int(value)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SafeMember:
    """A member that passed the checks. ``path`` is normalised, relative and POSIX."""

    path: str
    size: int
    compressed_size: int
    info: zipfile.ZipInfo


def normalise_member_path(raw: str) -> str:
    """A safe relative path for a member name, or raise :class:`UnsafeArchiveError`."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"member {raw!r} has an absolute path")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnsafeArchiveError(f"member {raw!r} points outside the archive ('..')")
    if "\x00" in name:
        raise UnsafeArchiveError(f"member {raw!r} has a NUL byte in its name")
    return "/".join(parts)


class _BoundedReader(io.RawIOBase):
    """A member stream that raises once more bytes come out than the limits allow.

    It is a raw binary stream, so it can be wrapped in ``io.BufferedReader``/``io.TextIOWrapper``.
    """

    def __init__(self, raw: BinaryIO, member: SafeMember, limits: ArchiveLimits, budget: list[int], archive: str):
        super().__init__()
        self._raw = raw
        self._member = member
        self._limits = limits
        self._budget = budget
        self._archive = archive
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # a damaged member (bad CRC, corrupt deflate stream, truncated data): a clear error, not a crash
            raise UnsafeArchiveError(
                f"member {self._member.path!r} is damaged and cannot be read: {exc or type(exc).__name__}", file=self._archive
            ) from None
        n = len(data)
        view[:n] = data
        self._account(n)
        return n

    def _account(self, n: int) -> None:
        self._count += n
        self._budget[0] -= n
        m, lim = self._member, self._limits
        if self._count > lim.max_member_bytes or self._count > m.size + CHUNK:
            raise UnsafeArchiveError(f"member {m.path!r} inflates beyond its declared or allowed size", file=self._archive)
        if self._budget[0] < 0:
            raise UnsafeArchiveError("archive inflates beyond the total size limit (zip bomb?)", file=self._archive)
        if self._count > lim.ratio_floor_bytes and self._count > lim.max_ratio * max(m.compressed_size, 1):
            raise UnsafeArchiveError(f"member {m.path!r} inflates more than {lim.max_ratio:g}x (zip bomb?)", file=self._archive)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class SafeZip:
    """A read-only view of a zip that only hands out members which pass the safety rules."""

    def __init__(self, path: Path, limits: ArchiveLimits | None = None) -> None:
        self.path = path
        self.limits = limits or ArchiveLimits()
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError, RuntimeError) as exc:
            raise UnsafeArchiveError(f"not a readable zip archive: {exc}", file=path) from None
        self._budget = [self.limits.max_total_bytes]
        self.members, self.rejected = self._check()

    def _check(self) -> tuple[list[SafeMember], list[tuple[str, str]]]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_members:
            raise UnsafeArchiveError(f"archive has {len(infos)} members (limit {self.limits.max_members})", file=self.path)
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.max_total_bytes:
            raise UnsafeArchiveError(
                f"archive declares {declared} bytes uncompressed (limit {self.limits.max_total_bytes})", file=self.path
            )
        ok: list[SafeMember] = []
        rejected: list[tuple[str, str]] = []
        seen: set[str] = set()
        for info in infos:
            if info.is_dir():
                continue
            try:
                path = normalise_member_path(info.filename)
            except UnsafeArchiveError as exc:
                rejected.append((info.filename, str(exc)))
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                rejected.append((info.filename, "member is a symbolic link"))
                continue
            if info.flag_bits & 0x1:
                rejected.append((info.filename, "member is encrypted"))
                continue
            if path.casefold() in seen:
                rejected.append((info.filename, "duplicate member name; only the first is used"))
                continue
            seen.add(path.casefold())
            ok.append(SafeMember(path, info.file_size, info.compress_size, info))
        return ok, rejected

    def open(self, member: SafeMember) -> _BoundedReader:
        """Open a checked member for streaming reads, bounded by the limits."""
        try:
            raw = self._zip.open(member.info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise UnsafeArchiveError(f"cannot read member {member.path!r}: {exc}", file=self.path) from None
        return _BoundedReader(raw, member, self.limits, self._budget, str(self.path))  # type: ignore[arg-type]

    def iter_lines(self, member: SafeMember) -> Iterator[bytes]:
        """Stream a member's lines (bytes, with line endings) within the limits."""
        with self.open(member) as reader, io.BufferedReader(reader, CHUNK) as buffered:
            yield from buffered

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(head: bytes) -> bool:
    """Zip local-file or empty-archive signature."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")
