"""The append-only, hash-chained custody log (DESIGN.md §3).

Each line is one JSON object with ``seq``, ``time``, ``actor``, ``action``, ``subject``,
``details``, ``prev`` and ``hash``. ``hash`` is the SHA-256 of the entry's RFC 8785 canonical
JSON without ``hash``; ``prev`` is the previous entry's ``hash`` (64 zeros for the first).
Editing, deleting or reordering any line breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import rfc8785

from cyberevidence.errors import CustodyDamagedError

GENESIS = "0" * 64
_MAX_SAFE_INT = 2**53 - 1
_HEX = frozenset("0123456789abcdef")
#: Nesting deeper than this is refused before ``json`` recurses (a hostile file cannot crash a reader).
MAX_DEPTH = 64

#: Custody actions whose subject is a stored artefact (the store must hold it; the manifest lists it):
#: an original acquired, a member derived from one, the people file, a diary entry or marker version.
ARTEFACT_ACTIONS: tuple[str, ...] = ("acquire", "derive", "people", "record")


def utc_now() -> str:
    """Current time as ISO 8601 UTC with ``Z`` and microseconds (custody entries keep times as strings)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """Make ``value`` safe for a custody entry: only strings, booleans, small integers, lists and objects.

    Floats and big integers become strings, so any JSON library re-canonicalises to the same bytes.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= _MAX_SAFE_INT else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


class MalformedEntryError(ValueError):
    """One custody line is not a well-formed entry; the message says what is wrong, in plain words."""


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _refuse_constant(name: str) -> Any:
    raise MalformedEntryError(f"holds {name}, which is not JSON")


def _too_deep(raw: bytes) -> bool:
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def load_json_strict(raw: bytes) -> Any:
    """``json.loads`` that refuses NaN/Infinity and deep nesting with :class:`MalformedEntryError`."""
    if _too_deep(raw):
        raise MalformedEntryError(f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except MalformedEntryError:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedEntryError(f"is not valid JSON ({exc.__class__.__name__})") from None


def parse_entry(raw: bytes) -> dict[str, Any]:
    """Parse and type-check one custody line; raises :class:`MalformedEntryError` naming the fault.

    The checks are those of the contract (DESIGN.md §3): exactly the eight fields, ``seq`` a
    non-negative integer, ``details`` an object, ``prev``/``hash`` 64 lowercase hex digits,
    ``subject`` empty or a SHA-256, every other field a string.
    """
    d = load_json_strict(raw)
    if not isinstance(d, dict):
        raise MalformedEntryError(f"is a JSON {type(d).__name__}, not an object")
    fields = set(CustodyEntry.__slots__)
    if set(d) != fields:
        missing, extra = sorted(fields - set(d)), sorted(set(d) - fields)
        raise MalformedEntryError(
            "has " + "; ".join(x for x in (f"missing fields {missing}" if missing else "",
                                           f"unexpected fields {extra}" if extra else "") if x)
        )
    seq = d["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise MalformedEntryError(f"has seq {seq!r}, which is not a non-negative integer")
    for name in ("time", "actor", "action"):
        if not isinstance(d[name], str):
            raise MalformedEntryError(f"has a {name} that is not a string")
    if not isinstance(d["details"], dict):
        raise MalformedEntryError("has details that are not an object")
    for name in ("prev", "hash"):
        if not is_sha256(d[name]):
            raise MalformedEntryError(f"has a {name} that is not 64 lowercase hex digits")
    if d["subject"] != "" and not is_sha256(d["subject"]):
        raise MalformedEntryError("has a subject that is neither empty nor a SHA-256")
    return d


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``entry`` without its ``hash`` key."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class CustodyEntry:
    seq: int
    time: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": self.details,
            "prev": self.prev,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One break in the chain, named for the report: ``line`` is 1-based."""

    line: int
    problem: str


class CustodyLog:
    """Append entries (under the case lock) and read or check the chain."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # ---------------------------------------------------------------- reading
    def iter_raw(self) -> Iterator[tuple[int, bytes]]:
        """(line number, raw bytes) for every line, streamed."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as fh:
            yield from enumerate(fh, start=1)

    def entries(self) -> Iterator[CustodyEntry]:
        """Parsed entries in file order (chain links are not checked; use :meth:`check` for that).

        Raises :class:`~cyberevidence.errors.CustodyDamagedError` at a line that is not an entry,
        so a writer never builds on a damaged log.
        """
        for n, raw in self.iter_raw():
            if raw.strip():
                try:
                    d = parse_entry(raw)
                except MalformedEntryError as exc:
                    raise CustodyDamagedError(f"{self.path} line {n}: {exc}") from None
                yield CustodyEntry(**d)

    def check(self) -> tuple[list[ChainProblem], CustodyEntry | None]:
        """Recompute every hash and link. Returns the problems found and the last good entry."""
        problems: list[ChainProblem] = []
        prev_hash, expected_seq, last = GENESIS, 0, None
        for n, raw in self.iter_raw():
            if not raw.endswith(b"\n"):
                problems.append(ChainProblem(n, "the last line is incomplete (interrupted write)"))
            try:
                d = parse_entry(raw)
                computed = entry_hash(d)
            except MalformedEntryError as exc:
                problems.append(ChainProblem(n, f"not a valid custody entry: it {exc}"))
                expected_seq += 1
                continue
            except (ValueError, TypeError, OverflowError) as exc:  # rfc8785 refuses a value it cannot canonicalise
                why = f"a value cannot be canonicalised ({exc.__class__.__name__})"
                problems.append(ChainProblem(n, f"not a valid custody entry: {why}"))
                expected_seq += 1
                continue
            entry = CustodyEntry(**d)
            if entry.seq != expected_seq:
                problems.append(ChainProblem(n, f"seq is {entry.seq}, expected {expected_seq} (entry removed or reordered)"))
            if entry.prev != prev_hash:
                problems.append(ChainProblem(n, f"prev does not match the previous entry's hash (seq {entry.seq})"))
            if computed != entry.hash:
                problems.append(ChainProblem(n, f"hash does not match the entry's content (seq {entry.seq} was edited)"))
            prev_hash, expected_seq, last = entry.hash, entry.seq + 1, entry
        return problems, last

    def head(self) -> CustodyEntry | None:
        """The last complete entry, read from the end of the file without scanning it all.

        Raises :class:`CustodyDamagedError` when the last line is not a valid entry.
        """
        lines = self._tail_lines(2)
        complete = [ln for ln in lines if ln.endswith(b"\n") and ln.strip()]
        if not complete:
            return None
        try:
            return CustodyEntry(**parse_entry(complete[-1]))
        except MalformedEntryError as exc:
            raise CustodyDamagedError(f"{self.path}: its last entry {exc}") from None

    def _tail_lines(self, count: int) -> list[bytes]:
        """The last ``count`` lines (a final line without a newline counts as one), read backwards."""
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            end = fh.seek(0, os.SEEK_END)
            pos, tail = end, b""
            while pos > 0 and tail.count(b"\n") <= count:
                step = min(65536, pos)
                pos -= step
                fh.seek(pos)
                tail = fh.read(step) + tail
        lines = tail.splitlines(keepends=True)
        return lines[-count:] if pos == 0 else lines[1:][-count:]

    # ---------------------------------------------------------------- writing
    def torn_tail(self) -> bytes:
        """The bytes after the final newline: an entry whose write was cut short (or b"")."""
        lines = self._tail_lines(1)
        return lines[0] if lines and not lines[0].endswith(b"\n") else b""

    def cut_torn_tail(self, torn: bytes) -> None:
        """Remove exactly ``torn`` from the end of the file (the caller decided it was never committed)."""
        with open(self.path, "rb+") as fh:
            end = fh.seek(0, os.SEEK_END)
            fh.seek(end - len(torn))
            if fh.read() != torn:
                raise CustodyDamagedError(f"{self.path}: its end changed while it was being repaired")
            fh.truncate(end - len(torn))
            fh.flush()
            os.fsync(fh.fileno())

    def complete_torn_tail(self) -> None:
        """Add the missing newline after a last entry that is whole and valid (only its newline was lost)."""
        self._write_line(b"\n")

    def next_seq(self) -> int:
        last = self.head()
        return 0 if last is None else last.seq + 1

    def prepare(self, actor: str, action: str, subject: str = "", details: Mapping[str, Any] | None = None) -> PreparedEntry:
        """Build the next entry (seq, prev, hash) without writing it; :meth:`write` appends it.

        The two steps let a writer record the exact line elsewhere first (the index keeps the line
        of a ``parse`` entry in the same transaction as the rows it describes), so an interruption
        between the two writes can be completed, never guessed.
        """
        last = self.head()
        body: dict[str, Any] = {
            "seq": 0 if last is None else last.seq + 1,
            "time": utc_now(),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": plain(dict(details or {})),
            "prev": GENESIS if last is None else last.hash,
        }
        body["hash"] = entry_hash(body)
        return PreparedEntry(CustodyEntry(**body), bytes(rfc8785.dumps(body)) + b"\n")

    def write(self, prepared: PreparedEntry) -> CustodyEntry:
        """Append a prepared entry and fsync. The caller must hold the case lock."""
        self._write_line(prepared.line)
        return prepared.entry

    def append(self, actor: str, action: str, subject: str = "", details: Mapping[str, Any] | None = None) -> CustodyEntry:
        """Append one entry and fsync. The caller must hold the case lock."""
        return self.write(self.prepare(actor, action, subject, details))

    def _write_line(self, data: bytes) -> None:
        """Append ``data`` whole or not at all: a failed write (a full disk) is cut back off."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            start = os.fstat(fd).st_size
            line = memoryview(data)
            try:
                while line:
                    line = line[os.write(fd, line) :]
                os.fsync(fd)
            except OSError as exc:
                os.ftruncate(fd, start)
                raise OSError(exc.errno, exc.strerror, str(self.path)) from None
        finally:
            os.close(fd)


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """An entry computed by :meth:`CustodyLog.prepare` and its exact line, not yet written."""

    entry: CustodyEntry
    line: bytes


def complete_pending(log: CustodyLog, pending: bytes) -> CustodyEntry | None:
    """Append ``pending`` (a line the index kept) if the log stops just before it; else nothing.

    Returns the appended entry, or None when the line is already in the log or no longer fits
    (it is then stale: the rows it described were rolled back or replaced).
    """
    try:
        d = parse_entry(pending)
        whole = entry_hash(d) == d["hash"]
    except (MalformedEntryError, ValueError, TypeError, OverflowError):
        return None
    head = log.head()
    if whole and d["seq"] == (head.seq + 1 if head else 0) and d["prev"] == (head.hash if head else GENESIS):
        log.write(PreparedEntry(CustodyEntry(**d), pending if pending.endswith(b"\n") else pending + b"\n"))
        return CustodyEntry(**d)
    return None
