"""Read an evidence database *with* the write-ahead log (``-wal``) acquired beside it.

A phone or computer extraction very often holds ``msgstore.db`` with ``msgstore.db-wal`` and
``msgstore.db-shm``: the app's most recent committed changes (new messages, edits, deletions) live
only in the ``-wal`` file until SQLite checkpoints them into the database. Reading the database
alone (``immutable=1``, as :func:`cyberevidence.sqlite_ro.open_readonly` does) silently misses
them. Every database parser therefore opens its input through :func:`open_applying_wal`:

1. The ``-wal`` is looked up among the files acquired with the database (``<name>-wal`` in
   ``source.siblings``; the lookup records it in the parse entry's ``siblings_used``). An absent
   or empty one changes nothing.
2. :func:`scan_wal` checks it against the format (https://www.sqlite.org/fileformat2.html#walformat):
   the 32-byte header (magic, version 3007000, page size, header checksum), then each frame (24-byte
   frame header + one page) in order, as SQLite's own recovery does: a frame is valid when its
   salts equal the header's and its cumulative checksum matches; SQLite applies every valid frame
   up to the last valid *commit* frame (database size in pages not 0) and stops at the first
   invalid one. The page size must equal the database's, and the database header must say WAL
   mode (bytes 18 and 19 = 2), else the log does not belong to this database.
3. A usable log: database and log are copied into a private scratch folder (``tempfile``, mode
   0700, removed on every exit path) and the *copy* is opened read-only but not immutable, so
   SQLite applies the log (see :func:`cyberevidence.sqlite_ro.open_readonly`). The original and the
   case's stored copies are never opened for writing and never opened by SQLite with a log. The
   ``-shm`` file is *not* used: it is only an index of the log, which SQLite rebuilds from the log
   itself; a stale or crafted one could make it read the wrong frames (it is kept as evidence).
   After opening, the frame count SQLite itself settled on (``mxFrame`` of the rebuilt index) is
   compared with the scan's.
4. What was done is a record in the results: ``wal_applied`` (which log, its SHA-256, the frames
   applied and the commits among them, located at the log's name) reaches the parse entry in
   custody through ``warning_codes`` and the index's warnings; frames after the last commit are
   ``wal_frames_not_applied``; a log that cannot be applied is ``wal_not_applied`` (located at
   the header or the frame that fails) and the database is read without it.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import ParseWarning
from cyberevidence.sqlite_ro import open_readonly

if TYPE_CHECKING:
    from cyberevidence.parsers.base import SourceFile

WAL_HEADER: Final = 32
FRAME_HEADER: Final = 24
WAL_VERSION: Final = 3007000
#: Magic numbers: checksums over little-endian (…82) or big-endian (…83) 32-bit words.
MAGIC_LE: Final = 0x377F0682
MAGIC_BE: Final = 0x377F0683
_MASK: Final = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class WalScan:
    """What a write-ahead log holds, counted as SQLite's recovery counts it.

    ``frames``: complete frames in the file; ``applied``: valid frames up to the last valid
    commit frame (what SQLite reads); ``commits``: commit frames among them; ``db_pages``: the
    database's size in pages after the last commit; ``first_skipped``: the 1-based number of the
    first frame not applied (0 when all are); ``skipped_why``: why; ``problem``: why nothing can
    be applied ("" when the header is sound); ``problem_at``: "header" or "frame N".
    """

    page_size: int = 0
    frames: int = 0
    applied: int = 0
    commits: int = 0
    db_pages: int = 0
    first_skipped: int = 0
    skipped_why: str = ""
    problem: str = ""
    problem_at: str = ""


def _checksum(data: bytes, s0: int, s1: int, fmt: str) -> tuple[int, int]:
    """SQLite's WAL checksum (fileformat2 §4.1) over ``data`` (a multiple of 8 bytes), continued from (s0, s1)."""
    words = iter(struct.unpack(fmt % (len(data) // 4), data))
    for a, b in zip(words, words, strict=True):
        s0 = (s0 + a + s1) & _MASK
        s1 = (s1 + b + s0) & _MASK
    return s0, s1


def _valid_page_size(n: int) -> bool:
    return 512 <= n <= 65536 and n & (n - 1) == 0


def scan_wal(path: Path) -> WalScan:
    """Check and count the frames of the log at ``path`` (streams it; never raises on content)."""
    try:
        with open(path, "rb") as fh:
            return _scan(fh)
    except OSError as exc:
        return WalScan(problem=f"it cannot be read ({exc.strerror})", problem_at="header")


def _scan(fh: BinaryIO) -> WalScan:
    """The checks and counts of :func:`scan_wal` over an open log."""
    header = fh.read(WAL_HEADER)
    if len(header) < WAL_HEADER:
        return WalScan(problem=f"it is {len(header)} bytes, shorter than a log header (32 bytes)", problem_at="header")
    magic, version, page_size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", header)
    if magic not in (MAGIC_LE, MAGIC_BE):
        found = f"found {magic:08x}"
        return WalScan(problem=f"its header does not start with the log's magic number ({found})", problem_at="header")
    fmt = ">%dI" if magic == MAGIC_BE else "<%dI"
    if version != WAL_VERSION:
        return WalScan(problem=f"its header gives format version {version}, not {WAL_VERSION}", problem_at="header")
    if not _valid_page_size(page_size):
        return WalScan(problem=f"its header gives an invalid page size ({page_size})", problem_at="header")
    s0, s1 = _checksum(header[:24], 0, 0, fmt)
    if (s0, s1) != (c0, c1):
        return WalScan(page_size, problem="its header checksum does not match (the header is damaged)", problem_at="header")
    frames = applied = commits = db_pages = since_commit = first_bad = 0
    bad_why = ""
    size = FRAME_HEADER + page_size
    while True:
        frame = fh.read(size)
        if len(frame) < size:
            break
        frames += 1
        if first_bad:
            continue  # counted, never applied: SQLite stops at the first invalid frame
        pgno, truncate, fsalt1, fsalt2, f0, f1 = struct.unpack(">6I", frame[:FRAME_HEADER])
        if (fsalt1, fsalt2) != (salt1, salt2):
            first_bad, bad_why = frames, "its salts differ from the header's (frames left from an earlier cycle of the log)"
            continue
        s0, s1 = _checksum(frame[:8], s0, s1, fmt)
        s0, s1 = _checksum(frame[FRAME_HEADER:], s0, s1, fmt)
        if (s0, s1) != (f0, f1) or pgno == 0:
            first_bad, bad_why = frames, "its checksum does not match (damage, or frames left from an earlier cycle)"
            continue
        since_commit += 1
        if truncate:
            applied += since_commit
            since_commit = 0
            commits += 1
            db_pages = truncate
    first_skipped = applied + 1 if applied < frames else 0
    unfinished = "they follow the last commit (a transaction not finished when the copy was taken)"
    if not first_skipped:
        why = ""
    elif first_bad == first_skipped:
        why = f"frame {first_bad}: {bad_why}"
    elif first_bad:
        why = f"frames {first_skipped} to {first_bad - 1} follow the last commit; frame {first_bad}: {bad_why}"
    else:
        why = unfinished
    return WalScan(page_size, frames, applied, commits, db_pages, first_skipped, why)


def db_page_size(path: Path) -> tuple[int, bool]:
    """The database's page size and whether its header says WAL mode (bytes 18 and 19 = 2)."""
    with open(path, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100:
        return 0, False
    (raw,) = struct.unpack(">H", head[16:18])
    return (65536 if raw == 1 else raw), head[18] == 2 and head[19] == 2


def mismatch(scan: WalScan, db: Path) -> str:
    """Why the log cannot belong to the database at ``db`` ("" when it can)."""
    try:
        page_size, wal_mode = db_page_size(db)
    except OSError:
        return ""
    if page_size and page_size != scan.page_size:
        return f"its page size ({scan.page_size}) is not the database's ({page_size}): it belongs to another database"
    if not wal_mode:
        return "the database's header does not say WAL mode (bytes 18-19 are not 2), so this log does not belong to it"
    return ""


def _described(wal: SourceFile) -> str:
    return f"{wal.name} ({wal.size} bytes, sha256 {wal.sha256})"


def not_applied(db_name: str, wal: SourceFile, reason: str, at: str) -> ParseWarning:
    return ParseWarning(
        "wal_not_applied",
        f"the write-ahead log {_described(wal)} acquired beside this database was not applied: {reason}. "
        "The database was read without it, so changes committed only to the log (recent messages, edits, "
        "deletions) are not in these results; the file is kept as evidence, ask a forensic examiner to look at it",
        locator=f"{wal.name} {at}",
        file=db_name,
    )


def applied_notes(db_name: str, wal: SourceFile, scan: WalScan) -> list[ParseWarning]:
    """The records of a log that was applied: ``wal_applied`` and, if any, ``wal_frames_not_applied``."""
    notes = [
        ParseWarning(
            "wal_applied",
            f"the write-ahead log {_described(wal)} was applied: frames={scan.applied} of {scan.frames} "
            f"(commits={scan.commits}, page size {scan.page_size}, database {scan.db_pages} pages after the last "
            "commit) were read with the database, as the app would read them; the rows committed only to the log "
            "are in these results. The -shm file was not used (SQLite rebuilt its index from the log)",
            locator=wal.name,
            file=db_name,
        )
    ]
    if scan.first_skipped:
        left = scan.frames - scan.applied
        notes.append(
            ParseWarning(
                "wal_frames_not_applied",
                f"{left} frame(s) of {wal.name}, from frame {scan.first_skipped} on, were not applied: {scan.skipped_why}. "
                "They may hold uncommitted or older versions of pages; the file is kept as evidence",
                locator=f"{wal.name} frame {scan.first_skipped}",
                file=db_name,
            )
        )
    return notes


def wal_beside(source: SourceFile, siblings: Mapping[str, SourceFile] | None = None) -> SourceFile | None:
    """The non-empty ``<name>-wal`` acquired with ``source`` (looked up in ``siblings``, default its own)."""
    sibs = source.siblings if siblings is None else siblings
    wal = sibs.get(f"{source.name.replace(chr(92), '/').rsplit('/', 1)[-1]}-wal")
    return wal if wal is not None and wal.size > 0 else None


@contextmanager
def open_applying_wal(
    source: SourceFile, notes: list[ParseWarning], *, siblings: Mapping[str, SourceFile] | None = None, name: str = ""
) -> Iterator[sqlite3.Connection]:
    """A hardened read-only connection to ``source`` with its ``-wal`` applied when one is usable.

    What was done is appended to ``notes`` (the caller yields them). ``siblings`` is where the log is
    looked up (default ``source.siblings``; a side database such as ``wa.db`` passes the main
    database's). ``name`` is passed on to :func:`open_readonly` for its error messages.
    """
    wal = wal_beside(source, siblings)
    db_name = source.name
    with ExitStack() as stack:
        conn: sqlite3.Connection | None = None
        if wal is not None:
            scan = scan_wal(wal.path)
            reason, at = scan.problem, scan.problem_at
            if not reason and scan.frames and not scan.applied:
                reason, at = f"it holds no valid committed frame ({scan.frames} frame(s); {scan.skipped_why})", "frame 1"
            if not reason:
                reason, at = mismatch(scan, source.path), "header"
            if not reason and not scan.frames:
                pass  # a header alone: nothing to apply, nothing lost
            elif reason:
                notes.append(not_applied(db_name, wal, reason, at))
            else:
                try:
                    conn = stack.enter_context(open_readonly(source.path, name=name, wal=wal.path))
                except ParseError as exc:
                    notes.append(not_applied(db_name, wal, f"SQLite could not read the database with it ({exc})", "header"))
                else:
                    notes.extend(applied_notes(db_name, wal, scan))
                    seen = getattr(conn, "wal_frames", None)
                    if seen is not None and seen != scan.applied:
                        notes.append(
                            ParseWarning(
                                "wal_count_differs",
                                f"SQLite read {seen} frame(s) of {wal.name}, the check counted {scan.applied}; "
                                "the results are what SQLite read",
                                locator=wal.name,
                                file=db_name,
                            )
                        )
        if conn is None:
            conn = stack.enter_context(open_readonly(source.path, name=name))
        yield conn
