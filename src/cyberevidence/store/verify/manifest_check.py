"""``manifest.json`` and ``SHA256SUMS`` compared with the custody log and the store.

The manifest is hostile input like any other file of the case: every field is type-checked
before use, and anything malformed is a named problem, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyberevidence.store.custody import MalformedEntryError, is_sha256, load_json_strict
from cyberevidence.store.index import PROVENANCE_FIELDS
from cyberevidence.store.manifest import MANIFEST, SUMS, manifest_bytes
from cyberevidence.store.verify.chain import ChainFacts
from cyberevidence.store.verify.files import hash_object
from cyberevidence.store.verify.report import VerifyReport


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_manifest(root: Path, report: VerifyReport) -> tuple[dict[str, Any] | None, bytes]:
    """The manifest as an object and its raw bytes, or (None, b"") with the problem named."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except OSError:
        report.problem(MANIFEST, "missing or unreadable")
        return None, b""
    try:
        manifest = load_json_strict(raw)
    except MalformedEntryError as exc:
        report.problem(MANIFEST, f"{exc}")
        return None, raw
    if not isinstance(manifest, dict):
        report.problem(MANIFEST, f"is a JSON {type(manifest).__name__}, not an object")
        return None, raw
    try:
        canonical = manifest_bytes(manifest) == raw
    except (ValueError, TypeError, OverflowError):
        canonical = False
    if not canonical:
        report.problem(MANIFEST, "is not in canonical form (it was edited by hand or by another tool)")
    return manifest, raw


def check_manifest(
    root: Path, manifest: dict[str, Any], chain: ChainFacts, stored: dict[str, int], report: VerifyReport
) -> dict[str, dict[str, Any]]:
    """Compare the manifest with custody and the store; returns its artefacts by SHA-256."""
    hashes, logged = chain.hashes, chain.artefacts
    last_seq = chain.last_seq
    head = manifest.get("custody_head")
    seq = _int(head.get("seq")) if isinstance(head, dict) else None
    h = head.get("hash") if isinstance(head, dict) else None
    if seq is None or not isinstance(h, str):
        report.problem(MANIFEST, "its custody_head is missing or malformed")
        seq = -2
    elif seq > last_seq:
        report.problem(
            "custody.jsonl", f"ends at seq {last_seq} but {MANIFEST} was written at seq {seq}: entries were removed from the end"
        )
    elif seq >= 0 and hashes.get(seq) != h:
        report.problem(MANIFEST, f"its custody head (seq {seq}) is not an entry of the custody log")
    elif seq >= 0 and seq < last_seq:
        report.note(
            MANIFEST,
            f"custody has {last_seq - seq} entr(y/ies) after the manifest was written; "
            "run 'cyberevidence manifest' to regenerate it",
        )
    listed = _listed_artefacts(manifest, report)
    for sha, art in listed.items():
        where = f"{MANIFEST} artefact {sha}"
        if sha not in stored:
            if sha not in chain.artefacts:
                report.problem(where, "listed in the manifest but neither stored nor in the custody log")
            continue  # a missing stored file is named by the store check
        if _int(art.get("size")) != stored[sha]:
            report.problem(where, f"size {art.get('size')!r} differs from the stored file ({stored[sha]})")
        digests = art.get("digests")
        others = {k: v for k, v in digests.items() if k != "sha256"} if isinstance(digests, dict) else {}
        _check_other_digests(root, sha, others, where, report)
        if sha not in logged:
            report.problem(where, "listed in the manifest but never acquired in the custody log")
            continue
        _compare_with_custody(sha, art, chain, report)
    if seq >= 0 and seq == last_seq:
        for sha in sorted(logged - set(listed)):
            report.problem(f"evidence {sha}", "acquired in custody but missing from the manifest")
    return listed


def _listed_artefacts(manifest: dict[str, Any], report: VerifyReport) -> dict[str, dict[str, Any]]:
    arts = manifest.get("artefacts")
    if not isinstance(arts, list):
        report.problem(MANIFEST, "its artefacts list is missing or not a list")
        return {}
    listed: dict[str, dict[str, Any]] = {}
    for i, art in enumerate(arts):
        if not isinstance(art, dict) or not is_sha256(art.get("sha256")):
            report.problem(MANIFEST, f"artefact #{i + 1} is malformed (no valid sha256)")
            continue
        if art["sha256"] in listed:
            report.problem(MANIFEST, f"artefact {art['sha256']} is listed twice")
        listed[art["sha256"]] = art
    return listed


def _check_other_digests(root: Path, sha: str, others: dict[str, Any], where: str, report: VerifyReport) -> None:
    from cyberevidence.hashing.digests import SUPPORTED_ALGORITHMS

    unknown = sorted(k for k in others if k not in SUPPORTED_ALGORITHMS)
    if unknown:
        report.problem(where, f"names digest algorithm(s) this tool does not know: {', '.join(map(str, unknown))}")
    algos = tuple(k for k in others if k in SUPPORTED_ALGORITHMS)
    if not algos:
        return
    try:
        actual, _st = hash_object(root / f"evidence/sha256/{sha[:2]}/{sha[2:4]}/{sha}", algos)
    except OSError:
        return  # named by the store check
    for algo in algos:
        if actual.get(algo) != others[algo]:
            report.problem(where, f"{algo} digest does not match the stored file")


def _compare_with_custody(sha: str, art: dict[str, Any], chain: ChainFacts, report: VerifyReport) -> None:
    """The manifest's provenance, parser and event count must say what the custody log says."""
    expected = sorted(chain.provenance.get(sha, {}).values(), key=lambda r: int(str(r["custody_seq"])))
    listed = art.get("provenance", [])
    fields = (*PROVENANCE_FIELDS, "how", "acquired_at", "acquired_by", "custody_seq")
    got = [{f: p.get(f) for f in fields} if isinstance(p, dict) else {} for p in listed] if isinstance(listed, list) else []
    want = [{f: (r.get(f) if f == "custody_seq" else str(r.get(f, ""))) for f in fields} for r in expected]
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
            f"parser/event count {art.get('parser')!r}/{art.get('event_count')!r} "
            f"differ from the custody log ({parse[0]}/{parse[1]})",
        )


def check_sums(root: Path, listed: dict[str, dict[str, Any]], report: VerifyReport) -> None:
    """``SHA256SUMS`` in GNU format: one ``<sha256>  evidence/sha256/ab/cd/<sha256>`` line per listed file."""
    try:
        text = (root / SUMS).read_bytes().decode("ascii")
    except (OSError, UnicodeDecodeError):
        report.problem(SUMS, "missing, unreadable or not plain ASCII")
        return
    in_sums: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        digest, sep, path = line.partition("  ")
        if not sep or not is_sha256(digest) or path != f"evidence/sha256/{digest[:2]}/{digest[2:4]}/{digest}":
            report.problem(f"{SUMS} line {n}", "is not a '<sha256>  <store path>' line for that digest")
            continue
        in_sums.add(digest)
    if in_sums != set(listed):
        report.problem(SUMS, "does not list the same files as the manifest")
