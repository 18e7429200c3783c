"""Read the custody log once for ``verify``: check the chain and collect what it says was done.

Every line is type-checked (``custody.parse_entry``); a malformed line is a named problem and
is left out of the facts, so a hostile log can neither crash the verifier nor feed it bad types.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from typing import Any

from cyberevidence.errors import CustodyDamagedError
from cyberevidence.store.custody import ARTEFACT_ACTIONS, CustodyLog, MalformedEntryError, is_sha256, parse_entry, shown
from cyberevidence.store.index import PROVENANCE_FIELDS
from cyberevidence.store.index_digest import IndexDigest
from cyberevidence.store.verify.files import kind_of
from cyberevidence.store.verify.report import VerifyReport

#: The case settings the ``create`` entry records and ``case.json`` must repeat.
CASE_SETTINGS = ("case_id", "title", "examiner", "timezone", "region", "created", "tool_version", "hash_algorithms")


@dataclass
class ChainFacts:
    """What the custody log says, for comparison with the store, the index and the manifest."""

    #: Every well-formed entry, in file order.
    entries: list[dict[str, Any]] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)
    artefacts: set[str] = field(default_factory=set)
    provenance: dict[str, dict[tuple[str, ...], dict[str, object]]] = field(default_factory=dict)
    #: sha256 -> (parser, event count) of the latest parse.
    parses: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: sha256 -> the index digest custody expects now (None: recorded but unreadable).
    index_digests: dict[str, IndexDigest | None] = field(default_factory=dict)
    #: sha256 -> seq of the entry that recorded the expected digest.
    index_digest_seq: dict[str, int] = field(default_factory=dict)
    #: Parsed artefacts whose parse entry predates index digests.
    undigested: set[str] = field(default_factory=set)
    create: dict[str, Any] | None = None
    last_seq: int = -1
    last_hash: str = ""
    #: An incomplete last line (no newline, not an entry) and its line number.
    torn_tail: bytes = b""
    torn_line: int = 0
    #: The last line has no newline but is otherwise a complete, chained entry.
    missing_newline: bool = False

    def of_action(self, *actions: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["action"] in actions]


def read_chain(custody: CustodyLog, report: VerifyReport) -> ChainFacts:
    """Check the chain (problems go into ``report``) and collect its facts."""
    facts = ChainFacts()
    if not _is_readable_log(custody, report):
        return facts
    try:
        problems, last = custody.check()
        count = _collect(custody, facts, report)
    except (CustodyDamagedError, OSError) as exc:  # replaced or unreadable between the checks
        report.problem("custody.jsonl", f"cannot be read ({exc})")
        return facts
    for p in problems:
        if p.line == facts.torn_line or p.problem.startswith("the last line is incomplete"):
            continue  # an incomplete last line is judged by the caller (see ``verify_case``)
        report.problem(f"custody.jsonl line {p.line}", p.problem)
    report.custody_entries = count
    report.head_hash = last.hash if last else ""
    facts.last_seq = last.seq if last else -1
    facts.last_hash = last.hash if last else ""
    if facts.missing_newline:
        report.note("custody.jsonl", "its last entry is whole but lacks its final newline; the next write adds it")
    return facts


def _is_readable_log(custody: CustodyLog, report: VerifyReport) -> bool:
    """The log is a regular file (a folder, FIFO or device in its place is named, never read)."""
    try:
        mode = custody.path.stat().st_mode
    except FileNotFoundError:
        report.problem("custody.jsonl", "missing")
        return False
    except OSError as exc:
        report.problem("custody.jsonl", f"cannot be read ({exc.strerror or exc})")
        return False
    if not stat.S_ISREG(mode):
        report.problem("custody.jsonl", f"was not read: it is {kind_of(mode)}, not a regular file")
        return False
    return True


def _collect(custody: CustodyLog, facts: ChainFacts, report: VerifyReport) -> int:
    """Fold every well-formed line into ``facts``; returns the number of lines."""
    count = 0
    for n, raw in custody.iter_raw():
        count += 1
        try:
            d = parse_entry(raw)
        except MalformedEntryError:
            if not raw.endswith(b"\n"):
                facts.torn_tail, facts.torn_line = raw, n
            continue
        if not raw.endswith(b"\n"):
            facts.missing_newline = True
        for fault in collect_entry(facts, d):
            report.problem(f"custody.jsonl line {n}", fault)
    return count


def collect_entry(facts: ChainFacts, d: dict[str, Any]) -> list[str]:
    """Fold one well-formed entry into the facts (also used for an entry the index kept pending).

    Returns what in its details cannot be used, in plain words (the caller names the place).
    """
    seq, action, subject, details = d["seq"], d["action"], d["subject"], d["details"]
    facts.hashes[seq] = d["hash"]
    facts.entries.append(d)
    if action == "create" and facts.create is None:
        facts.create = details
    if action in ARTEFACT_ACTIONS and subject:
        facts.artefacts.add(subject)
        row: dict[str, object] = {f: str(details.get(f, "")) for f in PROVENANCE_FIELDS}
        row.update(how=action, acquired_at=d["time"], acquired_by=d["actor"], custody_seq=seq)
        key = tuple(str(row[k]) for k in ("how", "original_path", "parent_sha256", "path_in_parent"))
        facts.provenance.setdefault(subject, {}).setdefault(key, row)
    elif action == "parse" and subject:
        return _collect_parse(facts, subject, details, seq)
    elif action == "rebuild":
        facts.index_digests.clear()
        facts.index_digest_seq.clear()
        facts.undigested.clear()
        if "index_digests" in details:
            return _expect(facts, details["index_digests"], seq)
    return []


def _collect_parse(facts: ChainFacts, subject: str, details: dict[str, Any], seq: int) -> list[str]:
    events = details.get("events", 0)
    counted = isinstance(events, int) and not isinstance(events, bool) and events >= 0
    facts.parses[subject] = (str(details.get("parser", "")), events if counted else -1)
    faults = [] if counted else [f"its event count {shown(events)} is not a whole number"]
    if "index_digests" not in details:
        facts.undigested.add(subject)  # written by a version that recorded no digests
        return faults
    return faults + _expect(facts, details["index_digests"], seq)


def _expect(facts: ChainFacts, digests: object, seq: int) -> list[str]:
    """Record the index digests an entry lists; a name that is not a SHA-256 is a fault, never queried."""
    if not isinstance(digests, dict):
        return [f"its index_digests are {shown(digests)}, not an object of SHA-256 to digest"]
    faults = []
    for sha, text in digests.items():
        if not is_sha256(sha):
            faults.append(f"its index_digests name {shown(sha)}, which is not a SHA-256")
            continue
        facts.index_digests[sha] = IndexDigest.from_text(text)
        facts.index_digest_seq[sha] = seq
        facts.undigested.discard(sha)
    return faults


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values: ``true`` is not ``1`` (for Python it is), ``1.0`` is ``1``; keys must match."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_json, a, b))
    return type(a) is type(b) and a == b
