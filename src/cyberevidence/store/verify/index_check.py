"""``index.sqlite`` checked against the custody log: the rows the outputs are built from.

The index is opened read-only with ``trusted_schema`` off (a planted index is hostile input);
each artefact's rows are digested by the rule of :mod:`cyberevidence.store.index_digest` and
compared with the digest the custody log recorded when they were written. Provenance rows
(names, paths, times shown in the report and the pack) are compared with custody directly.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cyberevidence.store.custody import is_sha256, next_link, shown
from cyberevidence.store.index_digest import ORPHAN_MERGES_QUERY, artefact_digest, owners
from cyberevidence.store.verify.chain import ChainFacts, collect_entry
from cyberevidence.store.verify.files import kind_of
from cyberevidence.store.verify.report import VerifyReport

INDEX = "index.sqlite"
_PROVENANCE_COMPARED = (
    "how", "original_name", "original_path", "original_mtime", "parent_sha256", "path_in_parent", "acquired_at"
)


# A damaged file can make sqlite3 itself fail to decode a schema or message: both mean "damaged".
UNREADABLE_INDEX: tuple[type[Exception], ...] = (sqlite3.Error, UnicodeDecodeError)


@contextmanager
def open_index(root: Path) -> Iterator[sqlite3.Connection]:
    """The case's index, read-only, untrusted schema; raises sqlite3.Error if it cannot be read.

    Anything but a regular file is refused before SQLite opens it: SQLite would wait for ever on a FIFO.
    """
    try:
        mode = os.stat(root / INDEX).st_mode
    except OSError as exc:
        raise sqlite3.OperationalError(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(mode):
        raise sqlite3.OperationalError(f"it is {kind_of(mode)}, not a regular file")
    db = sqlite3.connect(f"file:{(root / INDEX).as_posix()}?mode=ro", uri=True)
    db.text_factory = _utf8
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA query_only=ON")
        yield db
    finally:
        db.close()


def _utf8(raw: bytes) -> str:
    """A text value; one that is not UTF-8 is a damaged index (a sqlite3.Error), not a UnicodeDecodeError."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise sqlite3.DataError(f"a text value is not UTF-8 (byte 0x{raw[exc.start]:02x})") from None


def apply_pending(db: sqlite3.Connection, chain: ChainFacts, report: VerifyReport, manifest_seq: int) -> bytes:
    """A parse entry the index kept but the log never got (the writer stopped in between).

    If it chains onto the log's last entry, and the manifest (always written after the entry) does
    not already name it, it is what the next writer will append: its digests are expected now, and
    the interruption is a note. Returns the pending line (or b"").
    """
    try:
        row = db.execute("SELECT value FROM meta WHERE key='pending_custody'").fetchone()
    except UNREADABLE_INDEX:
        return b""
    if not row or not isinstance(row[0], str):
        return b""
    line = row[0].encode("utf-8", "surrogatepass")
    d = next_link(line, chain.last_seq, chain.last_hash)
    if d is not None and manifest_seq < d["seq"]:
        collect_entry(chain, d)
        report.note(
            "custody.jsonl",
            f"the writer stopped after the index was written and before its custody entry (seq {d['seq']}, "
            f"{d['action']}) reached the log; the index keeps that entry and the next command that writes to "
            "the case appends it",
        )
        return line
    return b""


def check_index(db: sqlite3.Connection, chain: ChainFacts, report: VerifyReport) -> None:
    """Every artefact's rows digest to what custody recorded; nothing in the index is unexplained."""
    try:
        if not _intact_pages(db, report):
            return
        found = owners(db)
        expected = chain.index_digests
        for sha in sorted(found | set(expected)):
            _check_artefact(db, sha, chain, report)
        for (event_id,) in db.execute(ORPHAN_MERGES_QUERY):
            report.problem(INDEX, f"a merge row names event {shown(event_id)}, which is not in the index")
        _check_provenance(db, chain, report)
    except UNREADABLE_INDEX as exc:
        report.problem(INDEX, f"cannot be read as the case's index ({exc}); 'cyberevidence rebuild CASE' recreates it")


def _intact_pages(db: sqlite3.Connection, report: VerifyReport) -> bool:
    """SQLite's own page check (``quick_check``, about 2 s per GB): a damaged page the digest queries
    never touch (an index the timeline reads through, say) would still change what outputs show."""
    found = [str(r[0]) for r in db.execute("PRAGMA quick_check(5)")]
    if found == ["ok"]:
        return True
    report.problem(INDEX, f"is damaged ({shown('; '.join(found), 200)}); 'cyberevidence rebuild CASE' recreates it")
    return False


def _check_artefact(db: sqlite3.Connection, sha: str, chain: ChainFacts, report: VerifyReport) -> None:
    where = f"{INDEX} artefact {_name(sha)}"
    actual = artefact_digest(db, sha)
    report.index_artefacts_checked += 1
    if sha not in chain.index_digests:
        if sha in chain.undigested:
            report.problem(where, "was parsed by a version that recorded no index digest; run 'cyberevidence rebuild CASE'")
        else:
            report.problem(where, f"the index holds {actual.rows} row(s) for it that no custody entry accounts for")
        return
    want = chain.index_digests[sha]
    seq = chain.index_digest_seq.get(sha, -1)
    if want is None:
        report.problem(where, f"the index digest recorded in custody (seq {seq}) is malformed")
    elif want != actual:
        report.problem(
            where,
            f"its rows in the index (events, sources, merges, warnings, parse) differ from what custody recorded at "
            f"seq {seq}: {want.rows} row(s) were written, {actual.rows} are there now, and their digest differs",
        )


def _check_provenance(db: sqlite3.Connection, chain: ChainFacts, report: VerifyReport) -> None:
    """Names, paths and times the report and the pack print come from these rows: they must be custody's."""
    logged = {
        (sha, int(str(r["custody_seq"]))): r for sha, rows in chain.provenance.items() for r in rows.values()
    }
    cols = ", ".join(("sha256", "custody_seq", *_PROVENANCE_COMPARED, "actor", "note"))
    seen: set[tuple[str, int]] = set()
    for row in db.execute(f"SELECT {cols} FROM provenance"):
        sha, seq = _name(row[0]), row[1]
        want = logged.get((sha, seq)) if isinstance(seq, int) and (sha, seq) not in seen else None
        if want is None:
            why = f"row (custody seq {shown(seq)}) matches no custody entry, or repeats one"
            report.problem(f"{INDEX} provenance of {sha}", why)
            continue
        seen.add((sha, seq))
        got = dict(zip((*_PROVENANCE_COMPARED, "actor", "note"), row[2:], strict=True))
        expected = {**{f: str(want.get(f, "")) for f in _PROVENANCE_COMPARED}, "actor": want.get("acquired_by"),
                    "note": str(want.get("note", ""))}
        if got != expected:
            changed = sorted(k for k in got if got[k] != expected[k])
            report.problem(f"{INDEX} provenance of {sha}", f"differs from custody seq {seq} in: {', '.join(changed)}")
    for sha, seq in sorted(set(logged) - seen):
        report.note(  # an interrupted parse rolled back after its members were logged: the next write re-indexes them
            f"{INDEX} provenance of {sha}",
            f"has no row yet for custody seq {seq} (an interrupted write); the next command that writes to the case adds it",
        )
    artefacts = {_name(r[0]) for r in db.execute("SELECT sha256 FROM artefacts")}
    for sha in sorted(artefacts - chain.artefacts):
        report.problem(f"{INDEX} artefact {sha}", "is listed in the index but was never stored in custody")


def _name(value: object) -> str:
    """An artefact's SHA-256 from a row, or the value shown safely (a planted index may hold anything)."""
    return str(value) if is_sha256(value) else shown(value)
