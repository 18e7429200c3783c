"""The Ed25519 seal: ``manifest.json.sig`` over ``manifest.json``, with ``signer.pub.pem``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cyberevidence.store.manifest import PUBLIC_KEY, SIGNATURE, verify_signature
from cyberevidence.store.verify.chain import ChainFacts
from cyberevidence.store.verify.report import VerifyReport


def check_seals(
    root: Path, chain: ChainFacts, manifest_raw: bytes, report: VerifyReport, trusted_keys: Sequence[str] = ()
) -> None:
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
