"""``verify``: is the case intact? Read-only; every problem is named; nothing here raises.

Checks, in order (docs/verification.md, section 6, has the full table):

1. the folder is a case (``case.json`` or ``custody.jsonl`` present; else exit 2);
2. the custody chain: every line type-checked, every ``hash``, ``prev`` link and ``seq``;
3. ``case.json`` (and the manifest's ``case``) repeat the settings of custody's ``create`` entry;
4. the case folder as files: nothing unexplained at its top or in the store; every object a
   regular file (never opened otherwise), re-hashed to its own name; custody's artefacts present;
5. the manifest and ``SHA256SUMS`` agree with custody and the store;
6. the index: each artefact's rows digest to what custody recorded; provenance rows are custody's;
7. the seals custody records are present and valid, by a pinned key where one is given.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cyberevidence.store.custody import CustodyLog
from cyberevidence.store.manifest import MANIFEST, manifest_head_seq
from cyberevidence.store.verify.case_check import check_case_settings, read_case_json
from cyberevidence.store.verify.chain import ChainFacts, read_chain
from cyberevidence.store.verify.files import NotRegularFileError, check_case_root, hash_object, is_regular, store_files
from cyberevidence.store.verify.index_check import INDEX, UNREADABLE_INDEX, apply_pending, check_index, open_index
from cyberevidence.store.verify.manifest_check import check_manifest, check_sums, read_manifest
from cyberevidence.store.verify.report import Finding, Severity, VerifyReport
from cyberevidence.store.verify.seals import check_seals

__all__ = ["Finding", "Severity", "VerifyReport", "verify_case", "verify_index"]


def verify_case(root: str | os.PathLike[str], *, trusted_keys: Sequence[str] = ()) -> VerifyReport:
    """Check everything the outputs are built from. ``trusted_keys``: public key files or fingerprints."""
    root = Path(root)
    report = VerifyReport(str(root))
    if not root.is_dir() or not ((root / "case.json").exists() or (root / "custody.jsonl").exists()):
        report.is_case = False
        report.problem("case.json", "missing or unreadable: this folder is not a cyberevidence case")
        return report
    custody = CustodyLog(root / "custody.jsonl")
    chain = read_chain(custody, report)
    info = read_case_json(root, report)
    check_case_root(root, report)
    pending = _check_index_and_pending(root, chain, report)
    _judge_torn_tail(chain, pending, report)
    stored = _check_store(root, chain, report)
    manifest, raw = read_manifest(root, report)
    check_case_settings(info, manifest.get("case") if manifest else None, chain, report)
    listed = check_manifest(root, manifest, chain, stored, report) if manifest is not None else {}
    check_sums(root, listed, report)
    check_seals(root, chain, raw, report, trusted_keys)
    return report


def verify_index(root: str | os.PathLike[str]) -> VerifyReport:
    """Only the custody chain, ``case.json`` and the index: the cheap check readers make before using it."""
    root = Path(root)
    report = VerifyReport(str(root))
    chain = read_chain(CustodyLog(root / "custody.jsonl"), report)
    info = read_case_json(root, report)
    check_case_settings(info, None, chain, report)
    pending = _check_index_and_pending(root, chain, report, for_reading=True)
    _judge_torn_tail(chain, pending, report)
    return report


def _check_index_and_pending(root: Path, chain: ChainFacts, report: VerifyReport, *, for_reading: bool = False) -> bytes:
    """Check the index; a missing one is a note for the case (it is derived: a bundle leaves it out)
    and a problem for a reader about to use it."""
    if not (root / INDEX).exists():
        if chain.index_digests:
            say = report.problem if for_reading else report.note
            say(INDEX, "not present (it is derived data); 'cyberevidence rebuild CASE' recreates it from evidence and custody")
        return b""
    try:
        with open_index(root) as db:
            manifest_seq = manifest_head_seq(root) if is_regular(root / MANIFEST) else -1  # never read a FIFO or device
            pending = apply_pending(db, chain, report, manifest_seq)
            check_index(db, chain, report)
            return pending
    except UNREADABLE_INDEX as exc:
        report.problem(INDEX, f"cannot be opened ({exc}); 'cyberevidence rebuild CASE' recreates it")
        return b""


def _judge_torn_tail(chain: ChainFacts, pending: bytes, report: VerifyReport) -> None:
    """An incomplete last custody line: an interrupted write of the pending entry, or damage."""
    if not chain.torn_tail:
        return
    where = f"custody.jsonl line {chain.torn_line}"
    if pending and pending.startswith(chain.torn_tail):
        report.note(where, "an interrupted write of the entry the index keeps; the next write completes it")
    else:
        report.problem(where, "the last line is incomplete (an interrupted write, or the file was cut)")


def _check_store(root: Path, chain: ChainFacts, report: VerifyReport) -> dict[str, int]:
    """Re-hash every object; returns sha256 -> size of the objects that are intact."""
    files = store_files(root / "evidence", report)
    intact: dict[str, int] = {}
    for name, path in files.items():
        rel = f"evidence/sha256/{name[:2]}/{name[2:4]}/{name}"
        report.objects_checked += 1
        try:
            digests, st = hash_object(path)
        except NotRegularFileError as exc:
            report.problem(rel, f"is not a regular file ({exc})")
            continue
        except OSError as exc:
            report.problem(rel, f"cannot be read ({exc.strerror or exc})")
            continue
        if digests["sha256"] != name:
            report.problem(rel, f"content changed: its SHA-256 is now {digests['sha256']}")
            continue
        if st.st_mode & 0o222:
            report.note(rel, "is writable; evidence objects should be read-only")
        intact[name] = st.st_size
    for sha in sorted(chain.artefacts - set(files)):
        if _staged_intact(root / "evidence" / "tmp" / f"{sha}.staged", sha):
            report.note(
                f"evidence {sha}",
                "logged in custody, and its verified copy waits in evidence/tmp: the writer stopped before "
                "moving it into the store; the next command that writes to the case moves it in",
            )
        else:
            report.problem(f"evidence {sha}", "recorded in custody but missing from the store")
    for sha in sorted(set(files) - chain.artefacts):
        report.problem(
            f"evidence {sha}",
            "in the store but not in the custody log: the tool only moves a file into the store after logging it, "
            "so it was put there by something else",
        )
    return intact


def _staged_intact(path: Path, sha: str) -> bool:
    try:
        digests, _st = hash_object(path)
    except OSError:
        return False
    return digests["sha256"] == sha
