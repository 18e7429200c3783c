"""``manifest.json`` and ``SHA256SUMS`` compared with the custody log and the store.

The manifest is hostile input like any other file of the case: every field is type-checked
before use, and anything malformed is a named problem, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyberevidence.store.custody import MalformedEntryError, is_sha256, json_kind, load_json_strict, shown
from cyberevidence.store.index import PROVENANCE_FIELDS
from cyberevidence.store.manifest import MANIFEST, SUMS, manifest_bytes, manifest_schema
from cyberevidence.store.verify.chain import ChainFacts, same_json
from cyberevidence.store.verify.files import hash_object, read_case_file
from cyberevidence.store.verify.report import VerifyReport

#: The provenance fields of a manifest artefact, each compared with the custody log.
_PROVENANCE_KEYS = (*PROVENANCE_FIELDS, "how", "acquired_at", "acquired_by", "custody_seq")
#: The artefact fields that repeat its first provenance record.
_FLAT = ("original_name", "original_path", "acquired_at", "acquired_by", "parent_sha256", "path_in_parent")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def store_path(sha: str) -> str:
    return f"evidence/sha256/{sha[:2]}/{sha[2:4]}/{sha}"


def read_manifest(root: Path, report: VerifyReport) -> tuple[dict[str, Any] | None, bytes]:
    """The manifest as an object and its raw bytes, or (None, b"") with the problem named."""
    raw = read_case_file(root, MANIFEST, report)
    if raw is None:
        return None, b""
    try:
        manifest = load_json_strict(raw)
    except MalformedEntryError as exc:
        report.problem(MANIFEST, f"{exc}")
        return None, raw
    if not isinstance(manifest, dict):
        report.problem(MANIFEST, f"is {json_kind(manifest)}, not an object")
        return None, raw
    try:
        canonical = manifest_bytes(manifest) == raw
    except (ValueError, TypeError, OverflowError):
        canonical = False
    if not canonical:
        report.problem(MANIFEST, "is not in canonical form (it was edited by hand or by another tool)")
    _check_fields(MANIFEST, manifest, manifest_schema(), report)
    return manifest, raw


def _check_fields(where: str, obj: dict[str, Any], schema: dict[str, Any], report: VerifyReport) -> None:
    """Every field the format requires is there, and no other: an added field is an edit a reader may show."""
    known, required = schema.get("properties", {}), schema.get("required", [])
    for key in required:
        if key not in obj:
            report.problem(where, f"lacks the field {key!r}")
    for key in obj:
        if key not in known:
            report.problem(where, f"has a field {shown(key)} that the manifest format does not have")


def check_manifest(
    root: Path, manifest: dict[str, Any], chain: ChainFacts, stored: dict[str, int], report: VerifyReport
) -> dict[str, dict[str, Any]]:
    """Compare the manifest with custody and the store; returns its artefacts by SHA-256."""
    hashes, logged = chain.hashes, chain.artefacts
    last_seq = chain.last_seq
    head = manifest.get("custody_head")
    seq = _int(head.get("seq")) if isinstance(head, dict) else None
    h = head.get("hash") if isinstance(head, dict) else None
    if seq is None or not isinstance(h, str) or not isinstance(head, dict) or set(head) != {"seq", "hash"}:
        report.problem(MANIFEST, f"its custody_head is missing or malformed ({shown(head)})")
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
            report.problem(where, f"size {shown(art.get('size'))} differs from the stored file ({stored[sha]})")
        if art.get("store_path") != store_path(sha):
            report.problem(where, f"its store_path {shown(art.get('store_path'))} is not where the store keeps it")
        digests = art.get("digests")
        if not isinstance(digests, dict) or digests.get("sha256") != sha:
            report.problem(where, f"its digests {shown(digests)} do not give its own SHA-256")
        others = {k: v for k, v in digests.items() if k != "sha256"} if isinstance(digests, dict) else {}
        _check_other_digests(root, sha, others, where, report)
        if sha not in logged:
            report.problem(where, "listed in the manifest but never acquired in the custody log")
            continue
        _compare_with_custody(sha, art, chain, report)
    if seq >= 0 and seq == last_seq:
        for sha in sorted(logged - set(listed)):
            report.problem(f"{MANIFEST} artefact {sha}", "acquired in custody but missing from the manifest")
    return listed


def _listed_artefacts(manifest: dict[str, Any], report: VerifyReport) -> dict[str, dict[str, Any]]:
    arts = manifest.get("artefacts")
    if not isinstance(arts, list):
        report.problem(MANIFEST, "its artefacts list is missing or not a list")
        return {}
    listed: dict[str, dict[str, Any]] = {}
    schema = manifest_schema()["properties"]["artefacts"]["items"]
    for i, art in enumerate(arts):
        if not isinstance(art, dict) or not is_sha256(art.get("sha256")):
            report.problem(MANIFEST, f"artefact #{i + 1} is malformed (no valid sha256)")
            continue
        if art["sha256"] in listed:
            report.problem(MANIFEST, f"artefact {art['sha256']} is listed twice")
        _check_fields(f"{MANIFEST} artefact {art['sha256']}", art, schema, report)
        listed[art["sha256"]] = art
    return listed


def _check_other_digests(root: Path, sha: str, others: dict[str, Any], where: str, report: VerifyReport) -> None:
    from cyberevidence.hashing.digests import SUPPORTED_ALGORITHMS

    unknown = sorted(k for k in others if k not in SUPPORTED_ALGORITHMS)
    if unknown:
        report.problem(where, f"names digest algorithm(s) this tool does not know: {', '.join(map(shown, unknown))}")
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
    want = [{f: (r.get(f) if f == "custody_seq" else str(r.get(f, ""))) for f in _PROVENANCE_KEYS} for r in expected]
    first = want[0] if want else {}
    flat_differs = any(not same_json(art.get(f), first.get(f, "")) for f in _FLAT)
    if not same_json(art.get("provenance"), want) or flat_differs:
        report.problem(
            f"{MANIFEST} artefact {sha}", "its provenance (names, paths, times or examiner) differs from the custody log"
        )
    parse = chain.parses.get(sha)
    if parse and not same_json([art.get("parser"), art.get("event_count")], list(parse)):
        report.problem(
            f"{MANIFEST} artefact {sha}",
            f"parser/event count {shown(art.get('parser'))}/{shown(art.get('event_count'))} "
            f"differ from the custody log ({parse[0]}/{parse[1]})",
        )


def check_sums(root: Path, listed: dict[str, dict[str, Any]], report: VerifyReport) -> None:
    """``SHA256SUMS`` exactly as the tool writes it: one ``<sha256>  evidence/sha256/ab/cd/<sha256>`` line
    per listed file, in the manifest's order, each ended by a newline (any other byte is an edit)."""
    raw = read_case_file(root, SUMS, report)
    if raw is None:
        return
    lines = raw.split(b"\n")
    if lines[-1]:
        report.problem(f"{SUMS} line {len(lines)}", "does not end with a newline (the file was cut or edited)")
    else:
        lines.pop()
    in_sums: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        if not line.isascii():
            report.problem(f"{SUMS} line {n}", "is not plain ASCII")
            continue
        digest, sep, path = line.decode("ascii").partition("  ")
        if not sep or not is_sha256(digest) or path != store_path(digest):
            report.problem(f"{SUMS} line {n}", "is not a '<sha256>  <store path>' line for that digest")
        elif digest in in_sums:
            report.problem(f"{SUMS} line {n}", f"lists the file of line {in_sums[digest]} again")
        else:
            in_sums[digest] = n
    if set(in_sums) != set(listed):
        report.problem(SUMS, "does not list the same files as the manifest")
    elif list(in_sums) != list(listed):
        report.problem(SUMS, "lists the files in another order than the manifest (it was rewritten)")
