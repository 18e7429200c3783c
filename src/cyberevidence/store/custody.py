"""The append-only, hash-chained custody log (DESIGN.md §3).

Each line is one JSON object with ``seq``, ``time``, ``actor``, ``action``, ``subject``,
``details``, ``prev`` and ``hash``. ``hash`` is the SHA-256 of the entry's RFC 8785 canonical
JSON without ``hash``; ``prev`` is the previous entry's ``hash`` (64 zeros for the first).
Editing, deleting or reordering any line breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import accumulate
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


def _finite_float(text: str) -> float:
    """A JSON number as a float; one too large for a float (``1e999``) would silently become infinity."""
    value = float(text)
    if math.isinf(value):
        raise MalformedEntryError(f"holds the number {shown(text)}, too large for JSON")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object with each key once: with a repeated key, readers disagree on which value counts."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedEntryError(f"has the key {shown(key)} twice")
            seen.add(key)
    return obj


def shown(value: object, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters: a hostile value must not flood a report (repr escapes controls)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in the words of JSON (``a string``, not ``str``)."""
    if isinstance(value, bool) or value is None:
        return "true or false" if value is not None else "null"
    kinds = ((str, "a string"), (int, "a number"), (float, "a number"), (list, "a list"), (dict, "an object"))
    return next((word for kind, word in kinds if isinstance(value, kind)), "a value")


def _lone_surrogate(value: Any) -> str | None:
    """The first string (or key) holding half of a UTF-16 pair (``"\\ud800"``), which is no character."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                return item
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


#: A JSON string (escapes included), and every byte that is not a bracket: what ``_too_deep`` strips.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = {0x5B: 1, 0x7B: 1, 0x5D: -1, 0x7D: -1}


def _too_deep(raw: bytes) -> bool:
    """Whether brackets outside strings nest deeper than :data:`MAX_DEPTH` (counted at C speed, not per byte)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def _place(line: int, column: int, one_line: bool) -> str:
    """``column C`` in one-line text (a custody line has its own line number), else ``line L, column C``."""
    return f"column {column}" if one_line else f"line {line}, column {column}"


def load_json_strict(raw: bytes) -> Any:
    """``json.loads`` for hostile bytes: UTF-8 only; NaN, Infinity, numbers too large, repeated keys, lone
    surrogates and deep nesting are refused with :class:`MalformedEntryError` in plain words, with the place.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, start = raw.count(b"\n", 0, exc.start) + 1, raw.rfind(b"\n", 0, exc.start) + 1
        where = _place(line, exc.start - start + 1, b"\n" not in raw.rstrip(b"\n"))
        raise MalformedEntryError(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at {where})") from None
    if _too_deep(raw):
        raise MalformedEntryError(f"is nested more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys
        )
    except MalformedEntryError:
        raise
    except json.JSONDecodeError as exc:
        where = _place(exc.lineno, exc.colno, "\n" not in text.rstrip("\n"))
        raise MalformedEntryError(f"is not valid JSON: {exc.msg[:1].lower()}{exc.msg[1:]} at {where}") from None
    except RecursionError:
        raise MalformedEntryError("is nested too deeply to read") from None
    except ValueError:  # an integer of thousands of digits (Python refuses to convert it)
        raise MalformedEntryError("holds a number with too many digits to read") from None
    if "\\u" in text and (bad := _lone_surrogate(value)) is not None:
        raise MalformedEntryError(f"holds the text {shown(bad)}, half of a UTF-16 pair, which is not a character")
    return value


def parse_entry(raw: bytes) -> dict[str, Any]:
    """Parse and type-check one custody line; raises :class:`MalformedEntryError` naming every fault.

    The checks are those of the contract (DESIGN.md §3): exactly the eight fields, ``seq`` a
    non-negative integer JSON carries exactly, ``details`` an object, ``prev``/``hash`` 64 lowercase
    hex digits, ``subject`` empty or a SHA-256, every other field a string.
    """
    if not raw.strip():
        raise MalformedEntryError("is an empty line")
    d = load_json_strict(raw)
    if not isinstance(d, dict):
        raise MalformedEntryError(f"is {json_kind(d)}, not an object")
    fields = CustodyEntry.__slots__
    faults = [f"is missing the field {name!r}" for name in fields if name not in d]
    faults += [f"has a field {shown(name)} that entries do not have" for name in d if name not in fields]
    seq = d.get("seq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= _MAX_SAFE_INT:
        faults.append(f"has seq {shown(seq)}, which is not a whole number from 0 to 2**53-1")
    faults += [f"has a {k} that is not a string" for k in ("time", "actor", "action") if not isinstance(d.get(k, ""), str)]
    if not isinstance(d.get("details", {}), dict):
        faults.append("has details that are not an object")
    faults += [f"has a {k} that is not 64 lowercase hex digits" for k in ("prev", "hash") if k in d and not is_sha256(d[k])]
    if d.get("subject", "") != "" and not is_sha256(d["subject"]):
        faults.append("has a subject that is neither empty nor a SHA-256")
    if faults:
        raise MalformedEntryError("; ".join(faults))
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
        """(line number, raw bytes) for every line, streamed.

        Opened without blocking and refused unless it is a regular file (:class:`CustodyDamagedError`),
        so a FIFO or a device put in the log's place cannot hang or flood a reader.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CustodyDamagedError(f"{self.path} is not a regular file")
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
        """Recompute every hash and link. Returns the problems found and the last good entry.

        A line must also be the entry's exact canonical bytes (as :meth:`prepare` writes them): a
        re-spaced, re-ordered or re-escaped line is an edit even when it parses to the same entry.
        """
        problems: list[ChainProblem] = []
        prev_hash, expected_seq, last = GENESIS, 0, None
        for n, raw in self.iter_raw():
            if not raw.endswith(b"\n"):
                problems.append(ChainProblem(n, "the last line is incomplete (interrupted write)"))
            try:
                d = parse_entry(raw)
                canonical, computed = bytes(rfc8785.dumps(d)), entry_hash(d)
            except MalformedEntryError as exc:
                problems.append(ChainProblem(n, f"not a valid custody entry: it {exc}"))
                expected_seq += 1
                continue
            except (ValueError, TypeError, OverflowError) as exc:  # rfc8785 refuses a value it cannot canonicalise
                why = f"it holds a value canonical JSON cannot carry ({exc})"
                problems.append(ChainProblem(n, f"not a valid custody entry: {why}"))
                expected_seq += 1
                continue
            entry = CustodyEntry(**d)
            if canonical != raw.removesuffix(b"\n"):
                why = "is not written as the tool writes entries (RFC 8785 canonical JSON)"
                problems.append(ChainProblem(n, f"{why}: seq {entry.seq} was edited"))
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
        if data != b"\n" and self.torn_tail():
            raise CustodyDamagedError(
                f"{self.path}: it ends with an incomplete line, so nothing may be appended until it is repaired"
            )
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
    head = log.head()
    d = next_link(pending, head.seq if head else -1, head.hash if head else GENESIS)
    if d is None:
        return None
    log.write(PreparedEntry(CustodyEntry(**d), pending if pending.endswith(b"\n") else pending + b"\n"))
    return CustodyEntry(**d)


def next_link(line: bytes, last_seq: int, last_hash: str) -> dict[str, Any] | None:
    """The entry ``line`` holds if it is whole (its hash matches) and is the link right after
    ``(last_seq, last_hash)``; None otherwise. One rule for every repair and its check."""
    try:
        d = parse_entry(line)
        if entry_hash(d) != d["hash"]:
            return None
    except (MalformedEntryError, ValueError, TypeError, OverflowError):
        return None
    return d if d["seq"] == last_seq + 1 and d["prev"] == (last_hash or GENESIS) else None
