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

GENESIS = "0" * 64
_MAX_SAFE_INT = 2**53 - 1

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
        """Parsed entries in file order (no checking; use :meth:`check` for that)."""
        for _n, raw in self.iter_raw():
            if raw.strip():
                d = json.loads(raw)
                yield CustodyEntry(**{k: d[k] for k in CustodyEntry.__slots__})

    def check(self) -> tuple[list[ChainProblem], CustodyEntry | None]:
        """Recompute every hash and link. Returns the problems found and the last good entry."""
        problems: list[ChainProblem] = []
        prev_hash, expected_seq, last = GENESIS, 0, None
        for n, raw in self.iter_raw():
            if not raw.endswith(b"\n"):
                problems.append(ChainProblem(n, "the last line is incomplete (interrupted write)"))
            try:
                d = json.loads(raw)
                entry = CustodyEntry(**{k: d[k] for k in CustodyEntry.__slots__})
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(ChainProblem(n, f"not a valid custody entry ({exc.__class__.__name__})"))
                continue
            if set(d) != set(CustodyEntry.__slots__):
                problems.append(ChainProblem(n, f"unexpected fields {sorted(set(d) - set(CustodyEntry.__slots__))}"))
            if entry.seq != expected_seq:
                problems.append(ChainProblem(n, f"seq is {entry.seq}, expected {expected_seq} (entry removed or reordered)"))
            if entry.prev != prev_hash:
                problems.append(ChainProblem(n, f"prev does not match the previous entry's hash (seq {entry.seq})"))
            if entry_hash(d) != entry.hash:
                problems.append(ChainProblem(n, f"hash does not match the entry's content (seq {entry.seq} was edited)"))
            prev_hash, expected_seq, last = entry.hash, entry.seq + 1, entry
        return problems, last

    def head(self) -> CustodyEntry | None:
        """The last entry, read from the end of the file without scanning it all."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        with open(self.path, "rb") as fh:
            end = fh.seek(0, os.SEEK_END)
            pos, tail = end, b""
            while pos > 0 and tail.count(b"\n") < 2:
                step = min(65536, pos)
                pos -= step
                fh.seek(pos)
                tail = fh.read(step) + tail
        lines = [ln for ln in tail.split(b"\n") if ln.strip()]
        d = json.loads(lines[-1])
        return CustodyEntry(**{k: d[k] for k in CustodyEntry.__slots__})

    # ---------------------------------------------------------------- writing
    def repair_torn_tail(self) -> bytes:
        """Cut an incomplete last line left by a killed writer; returns the cut bytes (caller logs them).

        Only bytes after the final newline are removed: they were never a complete entry.
        """
        if not self.path.exists():
            return b""
        with open(self.path, "rb+") as fh:
            end = fh.seek(0, os.SEEK_END)
            if end == 0:
                return b""
            pos = end
            tail = b""
            while pos > 0:
                step = min(65536, pos)
                pos -= step
                fh.seek(pos)
                tail = fh.read(step) + tail
                if b"\n" in tail:
                    break
            if tail.endswith(b"\n"):
                return b""
            cut_at = tail.rfind(b"\n") + 1
            torn = tail[cut_at:]
            fh.truncate(end - len(torn))
            fh.flush()
            os.fsync(fh.fileno())
            return torn

    def append(self, actor: str, action: str, subject: str = "", details: Mapping[str, Any] | None = None) -> CustodyEntry:
        """Append one entry and fsync. The caller must hold the case lock."""
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
        line = memoryview(rfc8785.dumps(body) + b"\n")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            while line:
                line = line[os.write(fd, line) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return CustodyEntry(**body)
