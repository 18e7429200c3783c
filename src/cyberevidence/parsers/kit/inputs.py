"""The inputs of a source: a single file, a zip as downloaded, or the files of an unpacked folder.

One way for every download format (Facebook, Instagram, X, Discord, Snapchat, TikTok, Google,
LinkedIn) to find and read what it wants, within the case's archive limits.

A victim downloads a zip from each platform and hands it over as it came, or unpacked. The
platforms rename and localise folders between releases, so members are found by *patterns*
matched case-insensitively against the member's path, wherever the layout puts them.

Each platform module only says which members it wants (:class:`MemberPatterns`) and how to read
one (:class:`Input`). The rules, for every platform:

* a zip is opened with :class:`~cyberevidence.archive.SafeZip`: members with ``..`` or absolute
  paths, links, encryption or duplicate names are refused, each with a ``rejected_member``
  warning naming the member and the reason; nothing is ever extracted to disk;
* every member a parser uses is first hashed and stored through ``ctx.derive`` with its path
  inside the zip, so the case keeps each one as a derived artefact of the zip;
* a member that breaks a safety limit while inflating is skipped with an ``unreadable_member``
  warning, and the rest of the download is still read;
* events from a zip point at the zip: ``SourceRef(<zip sha256>, "<member path>:<locator>")``.

An unpacked download is acquired file by file, so each platform parser also accepts a single
member file (e.g. ``message_1.json``) and reads it the same way (:func:`each_input`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cyberevidence.archive import CHUNK, SafeMember, SafeZip, is_zip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import DerivedRef, ParseContext, SourceFile
from cyberevidence.parsers.kit.jsonread import load_json

#: The largest member read whole (JSON, HTML, CSV: the platforms keep these files far smaller).
JSON_LIMIT = 512 * 1024 * 1024


def _compile(patterns: Sequence[str]) -> re.Pattern[str]:
    """Globs as one case-insensitive regex: ``*`` and ``?`` stay within one folder, ``**/`` spans folders."""
    parts = []
    for pat in patterns:
        rx = []
        i = 0
        while i < len(pat):
            if pat.startswith("**/", i):
                rx.append("(?:.*/)?")
                i += 3
            elif pat[i] == "*":
                rx.append("[^/]*")
                i += 1
            elif pat[i] == "?":
                rx.append("[^/]")
                i += 1
            else:
                rx.append(re.escape(pat[i]))
                i += 1
        parts.append("".join(rx))
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class MemberPatterns:
    """The member paths a platform parser wants, as case-insensitive globs.

    ``**/`` matches any number of leading folders, so ``**/messages/inbox/*/message_*.json``
    finds the inbox in the old root layout and under ``your_activity_across_facebook/``.
    """

    patterns: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rx", _compile(self.patterns))

    def matches(self, path: str) -> bool:
        rx: re.Pattern[str] = object.__getattribute__(self, "_rx")
        return rx.fullmatch(path.replace("\\", "/")) is not None


@lru_cache(maxsize=32)
def _names(path: Path, size: int, mtime_ns: int) -> tuple[str, ...]:
    try:
        with SafeZip(path) as zf:
            return tuple(m.path for m in zf.members)
    except (UnsafeArchiveError, OSError):
        return ()


def zip_member_paths(source: SourceFile, head: bytes) -> tuple[str, ...]:
    """The safe member paths of a zip (empty if ``source`` is not a readable zip). Never raises.

    For sniffing: reading the central directory is cheap, and the result is cached per file.
    """
    if not is_zip(head):
        return ()
    try:
        st = source.path.stat()
    except OSError:
        return ()
    return _names(source.path, st.st_size, st.st_mtime_ns)


def zip_or_file(
    on_zip: Callable[[SourceFile, ParseContext], Iterator[Event | ParseWarning]],
    on_file: Callable[[SourceFile, ParseContext], Iterator[Event | ParseWarning]],
) -> Callable[[SourceFile, ParseContext], Iterator[Event | ParseWarning]]:
    """A ``parse`` that reads a download zip with ``on_zip`` and one file of the unpacked download with ``on_file``."""

    def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
        yield from (on_zip if source_is_zip(source) else on_file)(source, ctx)

    return parse


def source_is_zip(source: SourceFile) -> bool:
    """Whether the stored file is a zip (a whole download) rather than one of its files."""
    with open(source.path, "rb") as fh:
        return is_zip(fh.read(4))


def zip_has(source: SourceFile, head: bytes, wanted: MemberPatterns, *, at_least: int = 1) -> bool:
    """Sniff helper: does the zip hold at least ``at_least`` members matching ``wanted``?"""
    found = 0
    for path in zip_member_paths(source, head):
        if wanted.matches(path):
            found += 1
            if found >= at_least:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Member:
    """A member chosen from a download: its path, its stored digest and a way to read it."""

    path: str
    ref: DerivedRef
    open: Callable[[], io.BufferedReader]

    def read_bytes(self, limit: int = JSON_LIMIT) -> bytes:
        """The whole member (bounded). For JSON/HTML files that platforms keep small."""
        with self.open() as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise UnsafeArchiveError(f"member {self.path!r} is larger than {limit} bytes; read it as a stream")
        return data


def iter_zip_members(
    zf: SafeZip,
    source: SourceFile,
    ctx: ParseContext,
    wanted: MemberPatterns,
    *,
    order: Callable[[str], object] | None = None,
) -> Iterator[Member | ParseWarning]:
    """Derive (hash and keep) each wanted member, then yield it for reading.

    Rejected members come first as ``rejected_member`` warnings. ``order`` sorts the chosen
    paths (e.g. ``message_2.json`` after ``message_1.json`` numerically); default: path order.
    """
    for raw, reason in zf.rejected:
        yield ParseWarning("rejected_member", f"zip member {raw!r} was refused: {reason}", locator=raw, file=source.name)
    chosen = [m for m in zf.members if wanted.matches(m.path)]
    chosen.sort(key=lambda m: numeric_order(m.path) if order is None else order(m.path))  # type: ignore[arg-type,return-value]
    for member in chosen:
        try:
            with _opener(zf, member)() as fh:
                ref = ctx.derive(fh, parent=source, path_in_parent=member.path)
        except UnsafeArchiveError as exc:
            message = f"zip member {member.path!r} could not be read safely: {exc}"
            yield ParseWarning("unreadable_member", message, locator=member.path, file=source.name)
            continue
        yield Member(member.path, ref, _opener(zf, member))


def _opener(zf: SafeZip, member: SafeMember) -> Callable[[], io.BufferedReader]:
    def open_it() -> io.BufferedReader:
        return io.BufferedReader(zf.open(member), CHUNK)

    return open_it


def numeric_order(path: str) -> tuple[object, ...]:
    """Sort key that puts ``message_10.json`` after ``message_9.json`` (numbers compared as numbers)."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", path))


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read: a zip member (``path`` set) or the source file itself (``path`` empty)."""

    path: str
    name: str
    opener: Callable[[], io.BufferedIOBase]

    @property
    def prefix(self) -> str:
        """Locator prefix: ``"<member path>:"`` inside a zip, nothing for a single file."""
        return f"{self.path}:" if self.path else ""

    @property
    def basename(self) -> str:
        return (self.path or self.name).rsplit("/", 1)[-1]

    def read_bytes(self, limit: int = JSON_LIMIT) -> bytes:
        with self.opener() as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise UnsafeArchiveError(f"{self.path or self.name!r} is larger than {limit} bytes")
        return data


def single_input(source: SourceFile) -> Input:
    """The source file itself, read as one :class:`Input` (a file of an unpacked download)."""

    def open_file() -> io.BufferedIOBase:
        return open(source.path, "rb")

    return Input("", source.name, open_file)


def inputs(source: SourceFile, ctx: ParseContext, wanted: MemberPatterns, zf: SafeZip | None) -> Iterator[Input | ParseWarning]:
    """The wanted members of ``zf`` (derived first), or the single file ``source`` when ``zf`` is None."""
    if zf is None:
        yield single_input(source)
        return
    for item in iter_zip_members(zf, source, ctx, wanted):
        if isinstance(item, Member):
            yield Input(item.path, source.name, item.open)
        else:
            yield item


def each_input(
    source: SourceFile,
    ctx: ParseContext,
    wanted: MemberPatterns,
    read: Callable[[Input], Iterator[Event | ParseWarning]],
    missing: ParseWarning,
) -> Iterator[Event | ParseWarning]:
    """``read`` the single file, or each wanted member of the zip; ``missing`` when the zip holds none."""
    if not source_is_zip(source):
        yield from read(single_input(source))
        return
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        found = False
        for got in inputs(source, ctx, wanted, zf):
            if isinstance(got, ParseWarning):
                yield got
                continue
            found = True
            yield from read(got)
        if not found:
            yield missing


def member_list(zf: SafeZip) -> list[str]:
    """Member paths without macOS resource forks and dot files (for "not read" summaries)."""
    out = []
    for m in zf.members:
        base = m.path.rsplit("/", 1)[-1]
        if m.path.startswith("__MACOSX/") or base.startswith(".") or m.path.endswith("/"):
            continue
        out.append(m.path)
    return out


def read_json(item: Input, *, code: str) -> tuple[Any, list[ParseWarning]]:
    """:func:`~cyberevidence.parsers.kit.jsonread.load_json` of one input (bounded by ``JSON_LIMIT``)."""
    try:
        raw = item.read_bytes()
    except UnsafeArchiveError as exc:
        return None, [ParseWarning("unreadable_member", str(exc), locator=item.path, file=item.name)]
    return load_json(raw, file=item.name, path=item.path, prefix=item.prefix, code=code)
