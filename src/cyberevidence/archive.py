"""Reading zip archives written by someone hostile.

Every member is checked before use: no absolute or ``..`` paths, no symlinks, no encrypted
members we cannot read, and decompression is bounded both by ratio and by total size, counted
on the bytes actually inflated (the sizes in the zip's own headers are not trusted).

The archive as a whole is checked too, before anything is inflated:

* members may not overlap in the file. Each member's local header and data must end before the
  next member's local header starts (members sorted by header offset) and before the central
  directory. Overlapping members are how a small zip holds many copies of one compressed
  stream (the "quoted overlap" zip bomb, D. Fifield 2019); Python refuses them itself only from
  3.11.8/3.12.2, and this check does not depend on that;
* a member whose name in its local header differs from its name in the central directory is
  refused (a tool that reads the other directory would see a different file);
* everything inflated from one archive, nested archives included, shares one budget:
  ``max_archive_ratio`` times the archive's own size (at least ``archive_ratio_floor_bytes``,
  at most ``max_total_bytes``). The declared sizes are checked against it before reading, and
  the bytes actually inflated are counted against it while reading. A member read twice counts
  once.
"""

from __future__ import annotations

import contextlib
import enum
import io
import os
import shutil
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from cyberevidence.errors import DamagedArchiveError, UnsafeArchiveError

CHUNK = 1 << 20
#: A nested archive is held in memory up to this size while it is read, then in a private temp file.
NESTED_IN_MEMORY = 64 * 1024**2
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIG = b"PK\x03\x04"


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
    #: Everything inflated from one archive, nested archives included, may total at most this many
    #: times the archive's own size (real exports: media about 1x, text and JSON 5-30x)...
    max_archive_ratio: float = 200.0
    #: ...but an archive may always inflate this much in total (small exports of text compress well).
    archive_ratio_floor_bytes: int = 64 * 1024**2
    #: Archives inside archives are read at most this many levels deep.
    max_nesting: int = 3

    def budget_for(self, archive_size: int) -> int:
        """How many bytes an archive of ``archive_size`` bytes may inflate in total, nested archives included."""
        by_ratio = max(self.archive_ratio_floor_bytes, int(self.max_archive_ratio * archive_size))
        return min(self.max_total_bytes, by_ratio)

    def to_text(self) -> str:
        """``name=value;...`` as recorded in a parse's custody entry (only when not the defaults)."""
        return ";".join(f"{f}={getattr(self, f)}" for f in self.__dataclass_fields__)

    @classmethod
    def from_text(cls, text: str) -> ArchiveLimits:
        if not text:
            return cls()
        floats = {f.name for f in fields(cls) if f.type in (float, "float")}
        values: dict[str, float | int] = {}
        for part in text.split(";"):
            key, _, value = part.partition("=")
            if key in cls.__dataclass_fields__:
                values[key] = float(value) if key in floats else int(value)
        return cls(**values)  # type: ignore[arg-type]


class ArchiveBudget:
    """What one archive may still inflate, shared by every reader of it and of archives nested in it.

    A member is counted by the most bytes any one read of it produced, so a parser that reads a
    member twice (hash it, then parse it) is not charged twice; distinct members never share bytes,
    because overlapping members are refused.
    """

    def __init__(self, archive: str, archive_size: int, limit: int) -> None:
        self.archive = archive
        self.archive_size = archive_size
        self.limit = limit
        self.used = 0
        self._seen: dict[tuple[str, int], int] = {}

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    def charge(self, key: tuple[str, int], produced: int) -> None:
        """``produced`` bytes have now come out of the member ``key``; raise once past the budget."""
        before = self._seen.get(key, 0)
        if produced <= before:
            return
        self._seen[key] = produced
        self.used += produced - before
        if self.used > self.limit:
            raise UnsafeArchiveError(
                f"everything inflated from this archive (nested archives included) passes its budget of "
                f"{self.limit} bytes, {_times(self.limit, self.archive_size)} its own size of {self.archive_size} "
                "bytes (zip bomb?); the rest of it was not read",
                file=self.archive,
            )


def _times(n: int, size: int) -> str:
    return f"{n / max(size, 1):.0f} times"


@dataclass
class _Scope:
    path: str
    name: str
    budget: ArchiveBudget | None = None


_SCOPE: ContextVar[_Scope | None] = ContextVar("archive_scope", default=None)


@contextlib.contextmanager
def archive_scope(path: Path, name: str) -> Iterator[None]:
    """While one stored file is parsed: every :class:`SafeZip` opened on it is named ``name`` in errors
    and shares one budget, and any other zip opened meanwhile (one nested in it) draws on that budget."""
    token = _SCOPE.set(_Scope(str(path), name))
    try:
        yield
    finally:
        _SCOPE.reset(token)


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


class Encryption(enum.Enum):
    """How a zip member is encrypted (read from its flags and compression method)."""

    ZIPCRYPTO = "ZipCrypto (traditional PKWARE encryption)"
    AES = "AES (WinZip AE-1/AE-2)"
    STRONG = "PKWARE strong encryption"


def encryption_of(info: zipfile.ZipInfo) -> Encryption | None:
    """How ``info`` is encrypted, or ``None``."""
    if not info.flag_bits & 0x1:
        return None
    if info.compress_type == 99:  # WinZip AES: method 99 with an 0x9901 extra field
        return Encryption.AES
    if info.flag_bits & 0x40:
        return Encryption.STRONG
    return Encryption.ZIPCRYPTO


class _BoundedReader(io.RawIOBase):
    """A member stream that raises once more bytes come out than the limits allow.

    It is a raw binary stream, so it can be wrapped in ``io.BufferedReader``/``io.TextIOWrapper``.
    """

    def __init__(self, raw: BinaryIO, member: SafeMember, limits: ArchiveLimits, budget: ArchiveBudget, archive: str):
        super().__init__()
        self._raw = raw
        self._member = member
        self._limits = limits
        self._budget = budget
        self._archive = archive
        self._key = (archive, member.info.header_offset)
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # a damaged member (bad CRC, corrupt deflate stream, truncated data): a clear error, not a crash
            raise DamagedArchiveError(
                f"member {self._member.path!r} is damaged and cannot be read: {exc or type(exc).__name__}", file=self._archive
            ) from None
        n = len(data)
        view[:n] = data
        self._account(n)
        return n

    def _account(self, n: int) -> None:
        self._count += n
        m, lim = self._member, self._limits
        if self._count > lim.max_member_bytes or self._count > m.size + CHUNK:
            raise UnsafeArchiveError(f"member {m.path!r} inflates beyond its declared or allowed size", file=self._archive)
        self._budget.charge(self._key, self._count)
        if self._count > lim.ratio_floor_bytes and self._count > lim.max_ratio * max(m.compressed_size, 1):
            raise UnsafeArchiveError(f"member {m.path!r} inflates more than {lim.max_ratio:g}x (zip bomb?)", file=self._archive)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _size_of(fh: IO[bytes]) -> int:
    here = fh.tell()
    end = fh.seek(0, os.SEEK_END)
    fh.seek(here)
    return end


class SafeZip:
    """A read-only view of a zip that only hands out members which pass the safety rules.

    ``path`` is a file, or a seekable binary stream (a nested archive); ``name`` is how errors name
    the archive (default: the path, or the name given to :func:`archive_scope` for this file).
    ``budget`` is shared with the archive this one is nested in (see :meth:`open_nested`).
    """

    def __init__(
        self,
        path: Path | IO[bytes],
        limits: ArchiveLimits | None = None,
        *,
        name: str = "",
        budget: ArchiveBudget | None = None,
        depth: int = 0,
    ) -> None:
        self.limits = limits or ArchiveLimits()
        self.depth = depth
        scope = _SCOPE.get()
        if isinstance(path, Path | str):
            self.path: Path = Path(path)
            self._fh: IO[bytes] | None = None
            same = scope is not None and scope.path == str(self.path)
            self.name = name or (scope.name if scope is not None and same else str(self.path))
        else:
            self.path = Path(name or "nested archive")
            self._fh = path
            self.name = name or str(self.path)
        try:
            self._zip = zipfile.ZipFile(self._fh if self._fh is not None else self.path)
        except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError, RuntimeError, struct.error) as exc:
            raise DamagedArchiveError(f"not a readable zip archive: {exc}", file=self.name) from None
        try:
            self.size = self._file_size()
            self._budget = self._take_budget(budget, scope)
            self.encrypted: list[tuple[str, Encryption]] = []
            self.members, self.rejected = self._check()
        except BaseException:
            self._zip.close()
            raise

    def _file_size(self) -> int:
        if self._fh is not None:
            return _size_of(self._fh)
        return self.path.stat().st_size

    def _take_budget(self, given: ArchiveBudget | None, scope: _Scope | None) -> ArchiveBudget:
        if given is not None:
            return given
        if scope is None:
            return ArchiveBudget(self.name, self.size, self.limits.budget_for(self.size))
        if scope.budget is None:  # set by the first archive opened while this file is parsed
            size = self.size if scope.path == str(self.path) else os.stat(scope.path).st_size
            scope.budget = ArchiveBudget(scope.name, size, self.limits.budget_for(size))
        return scope.budget

    @property
    def budget(self) -> ArchiveBudget:
        return self._budget

    def _check(self) -> tuple[list[SafeMember], list[tuple[str, str]]]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_members:
            raise UnsafeArchiveError(f"archive has {len(infos)} members (limit {self.limits.max_members})", file=self.name)
        mismatched = self._check_layout(infos)
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.max_total_bytes:
            raise UnsafeArchiveError(
                f"archive declares {declared} bytes uncompressed (limit {self.limits.max_total_bytes})", file=self.name
            )
        # The archive itself may declare up to its whole budget (it may be opened more than once while
        # it is parsed); an archive nested in it, only what is left.
        outermost = self._budget.archive == self.name
        if declared > (self._budget.limit if outermost else self._budget.remaining):
            outer = "" if outermost else f" {self._budget.archive} (with what was already read from it)"
            raise UnsafeArchiveError(
                f"archive declares {declared} bytes uncompressed, {_times(declared, self._budget.archive_size)} the "
                f"{self._budget.archive_size} bytes of the archive{outer}; the limit is {self._budget.limit} bytes "
                f"({self.limits.max_archive_ratio:g} times, at least {self.limits.archive_ratio_floor_bytes}) (zip bomb?)",
                file=self.name,
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
            how = encryption_of(info)
            if how is not None:
                self.encrypted.append((info.filename, how))
                rejected.append((info.filename, f"member is encrypted ({how.value}); ask for an export without a password"))
                continue
            if info.header_offset in mismatched:
                rejected.append((info.filename, mismatched[info.header_offset]))
                continue
            if path.casefold() in seen:
                rejected.append((info.filename, "duplicate member name; only the first is used"))
                continue
            seen.add(path.casefold())
            ok.append(SafeMember(path, info.file_size, info.compress_size, info))
        return ok, rejected

    def _check_layout(self, infos: list[zipfile.ZipInfo]) -> dict[int, str]:
        """Refuse overlapping members; return the members (by header offset) whose local header is
        missing or names another file, with the reason.

        Each member occupies ``[header_offset, header_offset + local header + compressed size)``; sorted by
        offset, each must end at or before the next one starts, and the last before the central directory.
        """
        problems: dict[int, str] = {}
        spans: list[tuple[int, int, str]] = []
        with contextlib.ExitStack() as stack:
            fh = self._fh if self._fh is not None else stack.enter_context(open(self.path, "rb"))
            here = fh.tell()
            try:
                for info in sorted(infos, key=lambda i: i.header_offset):
                    start = info.header_offset
                    if start < 0 or start >= self.size:
                        problems[start] = "the member's local header is outside the file (the archive is damaged or crafted)"
                        continue
                    fh.seek(start)
                    raw = fh.read(_LOCAL_HEADER.size)
                    if len(raw) < _LOCAL_HEADER.size or raw[:4] != _LOCAL_SIG:
                        problems[start] = "the member's local header is missing (the archive is damaged or crafted)"
                        spans.append((start, start + _LOCAL_HEADER.size, info.filename))
                        continue
                    head = _LOCAL_HEADER.unpack(raw)
                    flags, name_len, extra_len = head[3], head[10], head[11]
                    local = fh.read(name_len)
                    try:
                        local_name = local.decode("utf-8" if flags & 0x800 else "cp437")
                    except UnicodeDecodeError:
                        local_name = local.decode("latin-1")
                    if local_name != info.orig_filename:
                        problems[start] = (
                            f"its name in the local header ({local_name!r}) differs from the central directory "
                            f"({info.orig_filename!r}); a crafted archive shows one name and holds another"
                        )
                    spans.append((start, start + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size, info.filename))
            except (OSError, ValueError, OverflowError) as exc:
                raise DamagedArchiveError(f"the member headers cannot be read: {exc}", file=self.name) from None
            finally:
                fh.seek(here)
        central = int(getattr(self._zip, "start_dir", self.size))
        for k, (start, end, name) in enumerate(spans):
            if k + 1 < len(spans):
                next_start, other = spans[k + 1][0], repr(spans[k + 1][2])
            else:
                next_start, other = central, "the central directory"
            if end > next_start:
                raise UnsafeArchiveError(
                    f"members overlap: {name!r} (bytes {start}-{end}) runs into {other} (from byte {next_start}). "
                    "Overlapping members let a small zip inflate one compressed stream many times over "
                    "(zip bomb); nothing in this archive was read",
                    file=self.name,
                )
        return problems

    def open(self, member: SafeMember) -> _BoundedReader:
        """Open a checked member for streaming reads, bounded by the limits."""
        try:
            raw = self._zip.open(member.info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise DamagedArchiveError(f"cannot read member {member.path!r}: {exc}", file=self.name) from None
        return _BoundedReader(raw, member, self.limits, self._budget, self.name)  # type: ignore[arg-type]

    def open_nested(self, member: SafeMember) -> SafeZip:
        """The zip held in ``member``, read within this archive's limits and budget: what it inflates counts
        against the outermost archive's budget. Held in memory (up to :data:`NESTED_IN_MEMORY`, then in a
        private temp file); the caller closes it."""
        if self.depth + 1 > self.limits.max_nesting:
            raise UnsafeArchiveError(
                f"member {member.path!r} is an archive nested more than {self.limits.max_nesting} levels deep", file=self.name
            )
        spool = tempfile.SpooledTemporaryFile(max_size=NESTED_IN_MEMORY)  # noqa: SIM115 (closed by the nested SafeZip)
        try:
            with self.open(member) as src:
                shutil.copyfileobj(src, spool, CHUNK)
            spool.seek(0)
            nested = SafeZip(spool, self.limits, name=f"{self.name}!{member.path}", budget=self._budget, depth=self.depth + 1)
        except BaseException:
            spool.close()
            raise
        nested._owned = spool
        return nested

    def iter_lines(self, member: SafeMember) -> Iterator[bytes]:
        """Stream a member's lines (bytes, with line endings) within the limits."""
        with self.open(member) as reader, io.BufferedReader(reader, CHUNK) as buffered:
            yield from buffered

    _owned: IO[bytes] | None = None

    def close(self) -> None:
        self._zip.close()
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(head: bytes) -> bool:
    """Zip local-file or empty-archive signature."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")
