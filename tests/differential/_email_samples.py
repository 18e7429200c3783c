"""Which files the e-mail differential harness compares: every synthetic fixture under
``fixtures/`` that is a message or a mailbox, and every ``.eml``/mbox sample of the shared corpus
(an mbox row whose ground truth says ``0 messages``, or a MimeKit expected-structure summary, is
not a mailbox and is left out; ``.msg``/``.pst`` have no installed peer here)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.differential._email_peers import Sample

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def fixture_samples() -> list[Sample]:
    out: list[Sample] = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix.lower() in (".eml", ".mht"):
            out.append(Sample(path, "eml", f"fixtures/{path.relative_to(FIXTURES)}"))
        elif path.suffix.lower() == ".mbox" or (path.parent.name == "email" and path.is_file() and not path.suffix):
            out.append(Sample(path, "mbox", f"fixtures/{path.relative_to(FIXTURES)}"))
    return out


def corpus_samples(corpus: Path) -> list[Sample]:
    rows: dict[str, dict[str, str]] = {}
    tsv = corpus / "SOURCES.tsv"
    if tsv.is_file():
        with open(tsv, encoding="utf-8", newline="") as fh:
            rows = {r["corpus_path"]: r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    out: list[Sample] = []
    for path in sorted((corpus / "email" / "eml").glob("*")):
        if path.is_file():
            out.append(Sample(path, "eml", f"corpus/{path.relative_to(corpus)}"))
    for path in sorted((corpus / "email" / "mbox").glob("*")):
        row = rows.get(str(path.relative_to(corpus)), {})
        if not path.is_file() or "summary" in row.get("description", "").lower():
            continue
        m = re.search(r"\b(\d+) messages?\b", row.get("ground_truth", ""))
        if m is not None and int(m.group(1)) == 0:
            continue
        out.append(Sample(path, "mbox", f"corpus/{path.relative_to(corpus)}"))
    return out
