"""Choosing a parser by content: libmagic for the media type, then each parser's ``sniff``.

File names never decide alone; a parser's sniff may use the name only to break ties.
"""

from __future__ import annotations

import enum
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from cyberevidence.archive import ArchiveLimits, SafeZip, is_zip
from cyberevidence.errors import (
    DamagedArchiveError,
    EncryptedInputError,
    ParseError,
    UnknownFormatError,
    UnsafeArchiveError,
)
from cyberevidence.parsers import ParserRegistry
from cyberevidence.parsers.base import ParserInfo, SourceFile, Strength
from cyberevidence.sqlite_ro import SQLITE_MAGIC, open_readonly

SNIFF_BYTES = 64 * 1024


def media_type_of(path: Path) -> str:
    """The libmagic MIME type of a file (``application/octet-stream`` if libmagic cannot tell)."""
    import magic  # imported lazily: libmagic is a system library and loading it costs time

    try:
        return str(magic.from_file(str(path), mime=True))
    except (OSError, magic.MagicException):
        return "application/octet-stream"


def media_type_of_bytes(data: bytes) -> str:
    import magic

    try:
        return str(magic.from_buffer(data, mime=True))
    except magic.MagicException:
        return "application/octet-stream"


#: The rule that chooses among the parsers whose sniffers accept a file (docs/detection.md).
CHOICE_RULE = (
    "every parser's sniffer is asked; among those that accept the content, the strongest acceptance wins "
    "(the file states its format > a structure only that format has > a structure with generic names > a shape "
    "with marks only that format writes > a shape several formats write > a media type > the file name only); "
    "equal strengths in name order; the others are runners-up"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parser whose sniffer accepted the content, how strongly, and why."""

    parser: str
    strength: Strength
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"parser": self.parser, "strength": self.strength.name.lower(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Detection:
    """Which parser was chosen and why; recorded in the custody log.

    ``candidates`` are every parser that accepted the content, the chosen one first, in the order
    of :data:`CHOICE_RULE`; empty when ``--format`` decided. ``tie`` is true when the chosen one
    and the first runner-up accepted at the same strength (then the name decided).
    """

    parser: ParserInfo | None
    reason: str
    candidates: tuple[Candidate, ...] = ()
    tie: bool = False

    @property
    def runners_up(self) -> tuple[Candidate, ...]:
        """The accepting parsers that were not chosen."""
        return self.candidates[1:] if self.parser is not None else self.candidates

    def candidates_json(self) -> list[dict[str, object]]:
        """``detection_candidates`` of a parse entry in custody."""
        return [c.to_json() for c in self.candidates]


def read_head(path: Path, n: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


_SAYS: dict[Strength, str] = {
    Strength.SELF_DECLARED: "the file states its format",
    Strength.OWN_STRUCTURE: "a structure only this format has",
    Strength.GENERIC_STRUCTURE: "a structure with names other formats also use",
    Strength.NARROW_SHAPE: "a shape with marks only this format writes",
    Strength.SHARED_SHAPE: "a shape several formats write",
    Strength.MEDIA_TYPE: "its media type only",
    Strength.NAME_HINT: "its file name only",
}


def _candidate(info: ParserInfo, strength: Strength) -> Candidate:
    formats = "; ".join(info.formats[:3]) or info.platform
    return Candidate(info.name, strength, f"its sniffer recognised the content as {formats} ({_SAYS[strength]})")


def sniff_strength(info: ParserInfo, source: SourceFile, head: bytes) -> Strength | None:
    """How strongly ``info``'s sniffer accepts ``source`` (``None``: not at all, or the sniffer raised)."""
    try:
        said = info.sniff(source, head)
    except Exception:  # a sniffer must never break detection; treat as "not mine"
        return None
    if isinstance(said, Strength):
        return min(said, info.strength)  # a sniffer may weaken its declared strength, never raise it
    return info.strength if said else None


def detect(source: SourceFile, registry: ParserRegistry, forced: str | None = None) -> Detection:
    """Pick the parser for ``source`` by :data:`CHOICE_RULE`; ``forced`` (``--format``) overrides sniffing."""
    if forced:
        info = registry.get(forced)
        return Detection(info, f"format {forced!r} given by the user")
    head = read_head(source.path)
    accepted: list[tuple[ParserInfo, Strength]] = []
    for info in registry.all():
        strength = sniff_strength(info, source, head)
        if strength is not None:
            accepted.append((info, strength))
    media = source.media_type or "unknown"
    if not accepted:
        return Detection(None, f"no parser recognised this content (media type {media})")
    accepted.sort(key=lambda a: (-a[1], a[0].name))
    chosen, strength = accepted[0]
    candidates = tuple(_candidate(i, st) for i, st in accepted)
    reason = f"content recognised by {chosen.name} (media type {media}; {_SAYS[strength]})"
    tie = len(accepted) > 1 and accepted[1][1] == strength
    if len(accepted) > 1:
        others = ", ".join(f"{i.name} ({st.name.lower()})" for i, st in accepted[1:])
        level = strength.name.lower()
        how = f"at the same strength ({level}), first by name" if tie else f"as the strongest ({level})"
        reason += f"; also accepted by {others}; {chosen.name} chosen {how}"
    return Detection(chosen, reason, candidates, tie)


def require_parser(source: SourceFile, registry: ParserRegistry, forced: str | None = None) -> ParserInfo:
    found = detect(source, registry, forced)
    if found.parser is None:
        raise UnknownFormatError(f"{source.name}: {found.reason}")
    return found.parser


# -- saying what is wrong with a file no parser read ------------------------------------------


class Problem(enum.Enum):
    """Why a preserved file could not be read (``FileOutcome.problem``; ``problem`` in its custody entry)."""

    #: Encrypted (a zip with a password): nothing in it can be read without it.
    ENCRYPTED = "encrypted"
    #: Damaged: cut short, corrupt pages or streams.
    DAMAGED = "damaged"
    #: Refused by a safety rule (zip bomb, overlapping members, too many members).
    UNSAFE = "unsafe"
    #: A parser took it but could not read it (``ParseError``).
    PARSE_FAILED = "parse_failed"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is wrong with a file, what could still be read from it, and what to do."""

    problem: Problem
    message: str
    readable: str
    hint: str

    def text(self) -> str:
        """One paragraph for the add summary: the problem, what could still be read, what to do."""
        return " ".join(p for p in (self.message, self.readable, self.hint) if p)


def diagnose(source: SourceFile, limits: ArchiveLimits | None = None) -> Diagnosis | None:
    """Why no parser read ``source``, when the reason is in the file: an encrypted, damaged or refused zip,
    or a damaged SQLite database. ``None`` for a readable file that is simply of a kind no parser reads.
    Never raises; reads the file only (SQLite: read-only and immutable)."""
    try:
        head = read_head(source.path, 64)
        if is_zip(head):
            return _diagnose_zip(source, limits)
        if head.startswith(SQLITE_MAGIC):
            return _diagnose_sqlite(source)
    except Exception:  # a diagnosis only adds words to a report: it must never stop an add
        return None
    return None


def _names(names: list[str], limit: int = 5, *, quote: bool = True) -> str:
    shown = ", ".join(repr(n) if quote else n for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _diagnose_zip(source: SourceFile, limits: ArchiveLimits | None) -> Diagnosis | None:
    try:
        with SafeZip(source.path, limits, name=source.name) as zf:
            encrypted = list(zf.encrypted)
            total = len(zf.members) + len(zf.rejected)
            plain = [m.path for m in zf.members]
    except DamagedArchiveError as exc:
        return _damaged_zip(source, str(exc))
    except UnsafeArchiveError as exc:
        return Diagnosis(Problem.UNSAFE, f"refused: {exc}", "Nothing in it was read or unpacked.", UnsafeArchiveError.hint)
    except OSError:
        return None
    if not encrypted:
        return None
    methods = ", ".join(sorted({how.value for _, how in encrypted}))
    message = (
        f"{source.name}: the archive is encrypted ({methods}): {len(encrypted)} of its {total} member(s) need a password, "
        "so no parser could read it."
    )
    if plain:
        readable = f"Not encrypted, but not a kind any parser reads: {_names(plain)}."
    else:
        readable = f"Only the names of its members can be read: {_names([n for n, _ in encrypted])}."
    return Diagnosis(Problem.ENCRYPTED, message, readable, EncryptedInputError.hint)


def _damaged_zip(source: SourceFile, error: str) -> Diagnosis:
    """A zip whose central directory cannot be read: walk its local headers from the start to say which
    members are still whole."""
    whole: list[str] = []
    cut = ""
    size = source.path.stat().st_size
    with open(source.path, "rb") as fh:
        at = 0
        while len(whole) < 100_000:
            fh.seek(at)
            raw = fh.read(30)
            if len(raw) < 30 or raw[:4] != b"PK\x03\x04":
                break
            (flags,) = struct.unpack_from("<H", raw, 6)
            (csize,) = struct.unpack_from("<L", raw, 18)
            name_len, extra_len = struct.unpack_from("<2H", raw, 26)
            name = fh.read(name_len).decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
            end = at + 30 + name_len + extra_len + csize
            if flags & 0x8 and csize == 0:  # sizes only in a trailing data descriptor: cannot walk on safely
                cut = name
                break
            if end > size:
                cut = name
                break
            whole.append(name)
            at = end + (16 if flags & 0x8 else 0)
    said = error.rpartition(": ")[2] or error
    message = (
        f"{source.name}: the archive is damaged: its central directory (the list of members at its end) is missing "
        f"or unreadable ({said}), so no parser could open it."
    )
    if whole:
        readable = (
            f"Still whole before the damage: {len(whole)} member(s) ({_names(whole)})"
            + (f"; {cut!r} is cut short" if cut else "")
            + ". They were not read; the copy kept in the case lets an examiner recover them."
        )
    else:
        readable = "No member could be found whole" + (f" ({cut!r} is cut short)" if cut else "") + "."
    return Diagnosis(Problem.DAMAGED, message, readable, DamagedArchiveError.hint)


def _diagnose_sqlite(source: SourceFile) -> Diagnosis | None:
    """Open the database read-only and count each table's rows; a table that cannot be read means damage."""
    readable: list[str] = []
    broken: list[str] = []
    try:
        with open_readonly(source.path, name=source.name) as conn:
            tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for table in tables[:500]:
                quoted = '"' + table.replace('"', '""') + '"'
                try:
                    n = conn.execute(f"SELECT count(*) FROM {quoted} NOT INDEXED").fetchone()[0]
                except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                    broken.append(f"{table} ({exc})")
                else:
                    readable.append(f"{table} ({n} rows)")
    except ParseError as exc:
        said = str(exc).rpartition(": ")[2] or str(exc)
        return Diagnosis(
            Problem.DAMAGED,
            f"{source.name}: the database is damaged ({said}): its list of tables cannot be read, so no parser could "
            "recognise it.",
            "Nothing could be read from it.",
            DAMAGED_DATABASE_HINT,
        )
    if not broken:
        return None
    message = f"{source.name}: the database is damaged: {len(broken)} table(s) cannot be read: {_names(broken, 3, quote=False)}."
    still = f"Still readable: {_names(readable, 8, quote=False)}." if readable else "No table could be read."
    return Diagnosis(Problem.DAMAGED, message, still + " No parser recognised it as a whole.", DAMAGED_DATABASE_HINT)


DAMAGED_DATABASE_HINT = (
    "The database is damaged (often copied while the app was writing, or cut short). It is kept in the case as it "
    "is; ask for a fresh extraction, and ask an examiner to recover what they can from the kept copy."
)
