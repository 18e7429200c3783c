"""``verify``: is the case intact? Read-only; every problem is named.

Checks, in order:
1. ``case.json`` is readable (else the folder is not a case: exit 2);
2. the custody chain: every ``hash``, ``prev`` link and ``seq`` (edits, deletions, reorders);
3. every file in the store re-hashes to its own name, and every artefact the custody log
   acquired or derived is present;
4. the manifest agrees with both: its custody head is an entry of the chain, and its artefacts
   (digests and sizes) are exactly the ones in custody and in the store;
5. ``SHA256SUMS`` lists the same objects; the Ed25519 seal, where present, matches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cyberevidence.hashing import hash_file
from cyberevidence.store.custody import ARTEFACT_ACTIONS, CustodyLog
from cyberevidence.store.index import PROVENANCE_FIELDS
from cyberevidence.store.manifest import MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS, manifest_bytes, verify_signature
from cyberevidence.store.objects import EvidenceStore

Severity = Literal["problem", "note"]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class VerifyReport:
    """The outcome. ``exit_code`` is 0 intact, 1 problems found, 2 not a case."""

    case_dir: str
    is_case: bool = True
    findings: list[Finding] = field(default_factory=list)
    objects_checked: int = 0
    custody_entries: int = 0
    head_hash: str = ""
    signature: str = "absent"

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "problem"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    @property
    def ok(self) -> bool:
        return self.is_case and not self.problems

    @property
    def exit_code(self) -> int:
        return 2 if not self.is_case else (1 if self.problems else 0)

    def problem(self, where: str, message: str) -> None:
        self.findings.append(Finding("problem", where, message))

    def note(self, where: str, message: str) -> None:
        self.findings.append(Finding("note", where, message))

    def to_dict(self) -> dict[str, object]:
        return {
            "case": self.case_dir,
            "intact": self.ok,
            "exit_code": self.exit_code,
            "objects_checked": self.objects_checked,
            "custody_entries": self.custody_entries,
            "custody_head": self.head_hash,
            "signature": self.signature,
            "problems": [str(f) for f in self.problems],
            "notes": [str(f) for f in self.notes],
        }


def verify_case(root: Path) -> VerifyReport:
    report = VerifyReport(str(root))
    try:
        json.loads((root / "case.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report.is_case = False
        report.problem("case.json", "missing or unreadable: this folder is not a cyberevidence case")
        return report
    custody = CustodyLog(root / "custody.jsonl")
    chain = _check_chain(custody, report)
    store = EvidenceStore(root / "evidence")
    stored = _check_store(store, report)
    _check_manifest(root, chain, stored, report)
    return report


@dataclass
class ChainFacts:
    """What the custody log says, for comparison with the store and the manifest."""

    hashes: dict[int, str] = field(default_factory=dict)
    artefacts: set[str] = field(default_factory=set)
    provenance: dict[str, dict[tuple[str, ...], dict[str, object]]] = field(default_factory=dict)
    parses: dict[str, tuple[str, int]] = field(default_factory=dict)


def _check_chain(custody: CustodyLog, report: VerifyReport) -> ChainFacts:
    """Check the chain and collect the entries' hashes by seq and the artefacts custody says exist."""
    facts = ChainFacts()
    if not custody.path.exists():
        report.problem("custody.jsonl", "missing")
        return facts
    problems, last = custody.check()
    for p in problems:
        report.problem(f"custody.jsonl line {p.line}", p.problem)
    count = 0
    for _n, raw in custody.iter_raw():
        try:
            d = json.loads(raw)
        except ValueError:
            continue
        count += 1
        if isinstance(d, dict):
            facts.hashes[int(d.get("seq", -1))] = str(d.get("hash", ""))
            details = d.get("details", {}) if isinstance(d.get("details"), dict) else {}
            if d.get("action") in ARTEFACT_ACTIONS and d.get("subject"):
                sha = str(d["subject"])
                facts.artefacts.add(sha)
                row: dict[str, object] = {f: str(details.get(f, "")) for f in PROVENANCE_FIELDS}
                row.update(how=d["action"], acquired_at=d.get("time"), acquired_by=d.get("actor"), custody_seq=d.get("seq"))
                key = tuple(str(row[k]) for k in ("how", "original_path", "parent_sha256", "path_in_parent"))
                facts.provenance.setdefault(sha, {}).setdefault(key, row)
            elif d.get("action") == "parse" and d.get("subject"):
                facts.parses[str(d["subject"])] = (str(details.get("parser", "")), int(details.get("events", 0)))
    report.custody_entries = count
    report.head_hash = last.hash if last else ""
    return facts


def _check_store(store: EvidenceStore, report: VerifyReport) -> dict[str, int]:
    """Re-hash every object; returns sha256 -> size of the objects that are intact."""
    intact: dict[str, int] = {}
    for name, path in store.iter_objects():
        rel = f"evidence/sha256/{path.parent.parent.name}/{path.parent.name}/{name}"
        report.objects_checked += 1
        try:
            digest = hash_file(path)["sha256"]
        except OSError as exc:
            report.problem(rel, f"cannot be read ({exc.strerror})")
            continue
        if digest != name:
            report.problem(rel, f"content changed: its SHA-256 is now {digest}")
            continue
        if path.parent.parent.name != name[:2] or path.parent.name != name[2:4]:
            report.problem(rel, "stored in the wrong folder for its digest")
        if path.stat().st_mode & 0o222:
            report.note(rel, "is writable; evidence objects should be read-only")
        intact[name] = path.stat().st_size
    return intact


def _check_manifest(root: Path, chain: ChainFacts, stored: dict[str, int], report: VerifyReport) -> None:
    hashes, logged = chain.hashes, chain.artefacts
    for sha in sorted(logged - set(stored)):
        if not (root / EvidenceStore(root / "evidence").relpath_for(sha)).exists():
            report.problem(f"evidence {sha}", "recorded in custody but missing from the store")
    for sha in sorted(set(stored) - logged):
        report.note(f"evidence {sha}", "in the store but not in the custody log (an interrupted acquisition?)")
    mpath = root / MANIFEST
    try:
        raw = mpath.read_bytes()
        manifest = json.loads(raw)
    except (OSError, ValueError):
        report.problem(MANIFEST, "missing or not valid JSON")
        return
    if manifest_bytes(manifest) != raw:
        report.problem(MANIFEST, "is not in canonical form (it was edited by hand or by another tool)")
    head = manifest.get("custody_head", {})
    seq, h = head.get("seq", -1), head.get("hash", "")
    last_seq = max(hashes, default=-1)
    if seq > last_seq:
        report.problem(
            "custody.jsonl", f"ends at seq {last_seq} but {MANIFEST} was written at seq {seq}: entries were removed from the end"
        )
    elif seq >= 0 and hashes.get(seq) != h:
        report.problem(MANIFEST, f"its custody head (seq {seq}) is not an entry of the custody log")
    elif seq >= 0 and seq < max(hashes, default=-1):
        report.note(
            MANIFEST,
            f"custody has {max(hashes) - seq} entr(y/ies) after the manifest was written; "
            "run 'cyberevidence manifest' to regenerate it",
        )
    listed: dict[str, dict[str, object]] = {a["sha256"]: a for a in manifest.get("artefacts", [])}
    for sha, art in listed.items():
        if sha not in stored:
            if not (root / str(art.get("store_path", ""))).exists():
                report.problem(f"{MANIFEST} artefact {sha}", "listed in the manifest but missing from the store")
            continue
        if art.get("size") != stored[sha]:
            report.problem(f"{MANIFEST} artefact {sha}", f"size {art.get('size')} differs from the stored file ({stored[sha]})")
        others = {k: v for k, v in dict(art.get("digests", {})).items() if k != "sha256"}  # type: ignore[call-overload]
        if others:
            actual = hash_file(root / str(art["store_path"]), tuple(others))
            for algo, value in others.items():
                if actual.get(algo) != value:
                    report.problem(f"{MANIFEST} artefact {sha}", f"{algo} digest does not match the stored file")
        if sha not in logged:
            report.problem(f"{MANIFEST} artefact {sha}", "listed in the manifest but never acquired in the custody log")
            continue
        _compare_with_custody(sha, art, chain, report)
    for sha in sorted(logged - set(listed)):
        if seq >= 0 and seq == max(hashes, default=-1):
            report.problem(f"evidence {sha}", "acquired in custody but missing from the manifest")
    _check_sums(root, listed, report)
    _check_signature(root, raw, report)


def _compare_with_custody(sha: str, art: dict[str, object], chain: ChainFacts, report: VerifyReport) -> None:
    """The manifest's provenance, parser and event count must say what the custody log says."""
    expected = sorted(chain.provenance.get(sha, {}).values(), key=lambda r: int(str(r["custody_seq"])))
    listed = art.get("provenance", [])
    fields = (*PROVENANCE_FIELDS, "how", "acquired_at", "acquired_by", "custody_seq")
    got = [{f: p.get(f) for f in fields} for p in listed] if isinstance(listed, list) else []
    want = [{f: (r.get(f) if f in ("custody_seq",) else str(r.get(f, ""))) for f in fields} for r in expected]
    first = want[0] if want else {}
    flat = ("original_name", "original_path", "acquired_at", "acquired_by", "parent_sha256", "path_in_parent")
    if got != want or any(str(art.get(f, "")) != str(first.get(f, "")) for f in flat):
        report.problem(
            f"{MANIFEST} artefact {sha}", "its provenance (names, paths, times or examiner) differs from the custody log"
        )
    parse = chain.parses.get(sha)
    if parse and (art.get("parser"), art.get("event_count")) != parse:
        report.problem(
            f"{MANIFEST} artefact {sha}",
            f"parser/event count {art.get('parser')}/{art.get('event_count')} "
            f"differ from the custody log ({parse[0]}/{parse[1]})",
        )


def _check_sums(root: Path, listed: dict[str, dict[str, object]], report: VerifyReport) -> None:
    try:
        lines = (root / SUMS).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        report.problem(SUMS, "missing or unreadable")
        return
    in_sums = {ln.split("  ", 1)[0] for ln in lines if ln.strip()}
    if in_sums != set(listed):
        report.problem(SUMS, "does not list the same files as the manifest")


def _check_signature(root: Path, manifest_raw: bytes, report: VerifyReport) -> None:
    sig, pub = root / SIGNATURE, root / PUBLIC_KEY
    if not sig.exists():
        report.signature = "absent"
        return
    try:
        good = verify_signature(manifest_raw, sig.read_bytes(), pub.read_bytes())
    except Exception as exc:  # missing optional dependency or unreadable key: say so, do not crash
        report.signature = "unchecked"
        report.note(SIGNATURE, f"could not be checked ({exc})")
        return
    report.signature = "valid" if good else "invalid"
    if not good:
        report.problem(SIGNATURE, "does not match manifest.json and signer.pub.pem")
