"""Read the custody log once for ``verify``: check the chain and collect what it says was done.

Every line is type-checked (``custody.parse_entry``); a malformed line is a named problem and
is left out of the facts, so a hostile log can neither crash the verifier nor feed it bad types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cyberevidence.store.custody import ARTEFACT_ACTIONS, CustodyLog, MalformedEntryError, parse_entry
from cyberevidence.store.index import PROVENANCE_FIELDS
from cyberevidence.store.index_digest import IndexDigest
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
    if not custody.path.is_file():
        report.problem("custody.jsonl", "missing")
        return facts
    problems, last = custody.check()
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
        collect_entry(facts, d)
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


def collect_entry(facts: ChainFacts, d: dict[str, Any]) -> None:
    """Fold one well-formed entry into the facts (also used for an entry the index kept pending)."""
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
        events = details.get("events", 0)
        facts.parses[subject] = (str(details.get("parser", "")), events if isinstance(events, int) else -1)
        digests = details.get("index_digests")
        if isinstance(digests, dict):
            _expect(facts, digests, seq)
        else:
            facts.undigested.add(subject)
    elif action == "rebuild":
        digests = details.get("index_digests")
        facts.index_digests.clear()
        facts.index_digest_seq.clear()
        facts.undigested.clear()
        if isinstance(digests, dict):
            _expect(facts, digests, seq)


def _expect(facts: ChainFacts, digests: dict[str, Any], seq: int) -> None:
    for sha, text in digests.items():
        facts.index_digests[str(sha)] = IndexDigest.from_text(text)
        facts.index_digest_seq[str(sha)] = seq
        facts.undigested.discard(str(sha))
