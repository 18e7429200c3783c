"""``manifest.json`` and ``SHA256SUMS``; the optional Ed25519 seal is written here, made in ``seal.py``.

The manifest is written as RFC 8785 canonical bytes so that a signature over the file is a
signature over its meaning, and anyone can re-create the bytes. ``SHA256SUMS`` is in GNU
coreutils format so ``sha256sum -c --strict SHA256SUMS`` checks the store with no other tool.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import rfc8785

from cyberevidence.intel.filetype import extension_mismatch
from cyberevidence.store.atomic import atomic_write_bytes
from cyberevidence.store.custody import CustodyEntry, utc_now
from cyberevidence.store.index import Index
from cyberevidence.store.objects import EvidenceStore

# The seal code lives in store/seal.py; these names stay importable from here.
from cyberevidence.store.seal import PUBLIC_KEY as PUBLIC_KEY
from cyberevidence.store.seal import SIGNATURE as SIGNATURE
from cyberevidence.store.seal import generate_key as generate_key
from cyberevidence.store.seal import key_fingerprint as key_fingerprint
from cyberevidence.store.seal import sign_bytes as sign_bytes
from cyberevidence.store.seal import verify_signature as verify_signature

MANIFEST_VERSION = "1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every manifest validates against."""
    text = resources.files("cyberevidence.schemas").joinpath("manifest.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def event_schema() -> dict[str, Any]:
    """The JSON Schema of one timeline JSONL record."""
    text = resources.files("cyberevidence.schemas").joinpath("event.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def build_manifest(
    case_info: dict[str, Any],
    index: Index,
    store: EvidenceStore,
    head: CustodyEntry | None,
    tool_version: str,
    limitations: Mapping[str, list[dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """Assemble the manifest from the index and the custody head (no I/O on the evidence)."""
    parses = index.parses()
    counts = index.event_counts()
    warnings_by_sha: dict[str, int] = {}
    for w in index.warnings():
        warnings_by_sha[w["sha256"]] = warnings_by_sha.get(w["sha256"], 0) + 1
    artefacts: list[dict[str, Any]] = []
    for row in index.artefacts():
        sha = row["sha256"]
        prov = [
            {
                "how": p["how"],
                "original_name": p["original_name"],
                "original_path": p["original_path"],
                "original_mtime": p["original_mtime"],
                "parent_sha256": p["parent_sha256"],
                "path_in_parent": p["path_in_parent"],
                "acquired_at": p["acquired_at"],
                "acquired_by": p["actor"],
                "note": p["note"],
                "custody_seq": p["custody_seq"],
            }
            for p in index.provenance(sha)
        ]
        first = prov[0] if prov else {}
        parse = parses.get(sha)
        mismatches = sorted(
            {
                f"{name}: {note}"
                for p in prov
                if (name := p["path_in_parent"] or p["original_name"]) and (note := extension_mismatch(name, row["media_type"]))
            }
        )
        artefacts.append(
            {
                "sha256": sha,
                "digests": json.loads(row["digests"]),
                "size": row["size"],
                "media_type": row["media_type"],
                "role": row["role"],
                "store_path": store.relpath_for(sha),
                "original_name": first.get("original_name", ""),
                "original_path": first.get("original_path", ""),
                "acquired_at": first.get("acquired_at", ""),
                "acquired_by": first.get("acquired_by", ""),
                "parent_sha256": first.get("parent_sha256", ""),
                "path_in_parent": first.get("path_in_parent", ""),
                "parser": parse["parser"] if parse else "",
                "event_count": counts.get(sha, 0),
                "warning_count": warnings_by_sha.get(sha, 0),
                "provenance": prov,
                "type_mismatch": mismatches,
                "limitations": list((limitations or {}).get(sha, [])),
            }
        )
    return {
        "manifest_version": MANIFEST_VERSION,
        "generated_at": utc_now(),
        "tool": {"name": "cyberevidence", "version": tool_version},
        "case": case_info,
        "custody_head": {"seq": head.seq, "hash": head.hash} if head else {"seq": -1, "hash": ""},
        "artefacts": artefacts,
        "totals": {
            "artefacts": len(artefacts),
            "events": index.event_count(),
            "warnings": sum(warnings_by_sha.values()),
            "type_mismatches": sum(1 for a in artefacts if a["type_mismatch"]),
        },
    }


def manifest_head_seq(case_dir: Path) -> int:
    """The custody seq the manifest on disk was written at (-1 if it cannot be read)."""
    try:
        head = json.loads((case_dir / MANIFEST).read_bytes()).get("custody_head", {})
        seq = head.get("seq", -1)
    except (OSError, ValueError, AttributeError, RecursionError):
        return -1
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else -1


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return bytes(rfc8785.dumps(manifest))


def write_manifest(
    case_dir: Path, manifest: dict[str, Any], store: EvidenceStore, *, seal: tuple[bytes, bytes] | None = None
) -> bytes:
    """Write manifest.json and SHA256SUMS atomically, with the seal files when ``seal`` is given.

    ``seal`` is ``(signature, public key PEM)`` over exactly these manifest bytes (``Case.seal``
    makes it, and keeps a permanent copy in ``seals/<seq>/``). Without one, the seal files at
    the top of the case are removed *before* the new manifest is written, so they never sit
    beside a manifest they do not match.
    """
    data = manifest_bytes(manifest)
    sums = "".join(f"{a['sha256']}  {a['store_path']}\n" for a in manifest["artefacts"])
    # An old seal does not match the new manifest: never leave a stale one. The custody log keeps
    # the "seal" entry and seals/<seq>/ keeps the seal itself, so no seal is lost.
    (case_dir / SIGNATURE).unlink(missing_ok=True)
    (case_dir / PUBLIC_KEY).unlink(missing_ok=True)
    atomic_write_bytes(case_dir / SUMS, sums.encode("ascii"))
    atomic_write_bytes(case_dir / MANIFEST, data)
    if seal is not None:
        signature, public_pem = seal
        atomic_write_bytes(case_dir / PUBLIC_KEY, public_pem)
        atomic_write_bytes(case_dir / SIGNATURE, signature)
    return data
