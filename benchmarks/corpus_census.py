"""Detection census over a corpus of samples nobody here wrote (not a test).

For every file under the corpus folder: which parsers' sniffers accept it, which one detection
chooses, and whether the chosen parser gives events. It calls each ``ParserInfo.sniff`` directly
(so it runs unchanged against an older checkout: ``PYTHONPATH=/tmp/head17/src``) and
``cyberevidence.detect.detect`` for the choice.

    .venv/bin/python benchmarks/corpus_census.py /work/shared/corpus --json out.json
    .venv/bin/python benchmarks/corpus_census.py --compare before.json after.json   # markdown tables
    .venv/bin/python benchmarks/corpus_census.py /work/shared/corpus --claims   # docs/detection.md's confusion table

``--claims`` asks detection only (no parse) and sets each sample's choice beside the parser meant for it
(``tests/detection_expected.py``, from ``SOURCES.tsv``); tests/test_detect_claims.py checks that
docs/detection.md holds exactly what it prints.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

SKIP_NAMES = {"SOURCES.md", "SOURCES.tsv"}
PARSE_SECONDS = 60
#: The codes of cyberevidence.plausibility (written out: an older checkout has no such module).
PLAUSIBILITY = {
    "implausible_time_before_1990",
    "implausible_time_in_future",
    "implausible_one_event_holds_file",
    "implausible_mostly_warnings",
}


def _timeout(_sig: int, _frame: FrameType | None) -> None:
    raise TimeoutError("parse took too long")


def census(corpus: Path) -> list[dict[str, Any]]:
    from cyberevidence.detect import detect, read_head
    from cyberevidence.events import Event, ParseWarning
    from cyberevidence.parsers import default_registry
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.standalone import HashOnlyContext, _LazySiblings, source_file_for

    registry = default_registry(include_plugins=False)
    rows: list[dict[str, Any]] = []
    signal.signal(signal.SIGALRM, _timeout)
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in SKIP_NAMES):
        rel = path.relative_to(corpus).as_posix()
        source = source_file_for(path, _LazySiblings(path))
        head = read_head(path)
        claimed = []
        for info in registry.all():
            try:
                if info.sniff(source, head):
                    claimed.append(info.name)
            except Exception:
                continue
        found = detect(source, registry)
        chosen = found.parser.name if found.parser else ""
        events = warnings = 0
        codes: Counter[str] = Counter()
        error = ""
        if found.parser is not None:
            ctx = HashOnlyContext(ParseOptions())
            signal.alarm(PARSE_SECONDS)
            try:
                items = found.parser.parse(source, ctx)
                try:  # plausibility checks exist from issue 17 on; an older checkout has none
                    from cyberevidence.plausibility import PlausibilityCheck, checked

                    items = checked(items, PlausibilityCheck(found.parser.name, source.name, source.size))
                except ImportError:
                    pass
                for item in items:
                    if isinstance(item, Event):
                        events += 1
                    elif isinstance(item, ParseWarning):
                        warnings += 1
                        codes[item.code] += 1
            except Exception as exc:  # a census records failures, it does not stop on them
                error = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                signal.alarm(0)
        rows.append(
            {
                "sample": rel,
                "family": rel.split("/", 1)[0],
                "claimed": claimed,
                "chosen": chosen,
                "events": events,
                "warnings": warnings,
                "codes": dict(codes),
                "error": error,
            }
        )
    return rows


def markdown(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    out: list[str] = []
    b = {str(r["sample"]): r for r in before}
    a = {str(r["sample"]): r for r in after}

    def accepted(rows: list[dict[str, Any]]) -> int:
        return sum(1 for r in rows if r["chosen"] and int(str(r["events"])) > 0 and not r["error"])

    out.append(f"Samples: {len(a)}. Accepted with events: before {accepted(before)}, after {accepted(after)}.")
    out.append(
        f"Claimed by more than one parser: before {sum(1 for r in before if len(list(r['claimed'])) > 1)},"
        f" after {sum(1 for r in after if len(list(r['claimed'])) > 1)}."
    )
    flagged = [r for r in after if PLAUSIBILITY & set(dict(r["codes"]))]
    out.append(f"Samples with a plausibility warning (after): {len(flagged)}.")
    for r in flagged:
        codes = ", ".join(sorted(PLAUSIBILITY & set(dict(r["codes"]))))
        out.append(f"- `{r['sample']}` ({r['chosen']}): {codes}")
    out.append("")
    out.append("| corpus folder | chosen parser (after) | samples | with events | also claimed by |")
    out.append("|---|---|---:|---:|---|")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in after.copy():
        groups.setdefault((str(r["family"]), str(r["chosen"]) or "(none)"), []).append(r)
    for (family, chosen), rows in sorted(groups.items()):
        others: Counter[str] = Counter()
        for r in rows:
            others.update(c for c in r["claimed"] if c != r["chosen"])
        also = ", ".join(f"{n} ({k})" for n, k in sorted(others.items())) or "-"
        with_events = sum(1 for r in rows if int(str(r["events"])) > 0 and not r["error"])
        out.append(f"| {family} | {chosen} | {len(rows)} | {with_events} | {also} |")
    out.append("")
    changed = [s for s in sorted(a) if s in b and (a[s]["chosen"], a[s]["events"]) != (b[s]["chosen"], b[s]["events"])]
    out.append("Samples whose chosen parser or event count changed:")
    out.append("")
    out.append("| sample | before | after |")
    out.append("|---|---|---|")
    for s in changed:
        was = f"{b[s]['chosen'] or '(none)'}, {b[s]['events']} events"
        now = f"{a[s]['chosen'] or '(none)'}, {a[s]['events']} events"
        out.append(f"| `{s}` | {was} | {now} |")
    if not changed:
        out.append("| (none) | | |")
    return "\n".join(out) + "\n"


def _expectations() -> Any:
    """``tests/detection_expected.py`` (the oracle), loaded by path: benchmarks are not a package."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tests" / "detection_expected.py"
    spec = importlib.util.spec_from_file_location("detection_expected", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["detection_expected"] = module
    spec.loader.exec_module(module)
    return module


def claims(corpus: Path) -> str:
    """The detection confusion table (parser meant, by SOURCES.tsv, against parser chosen) and the refusals."""
    from cyberevidence.detect import detect
    from cyberevidence.parsers import default_registry
    from cyberevidence.standalone import source_file_for

    oracle = _expectations()
    registry = default_registry(include_plugins=False)
    table: dict[str, dict[str, Any]] = {}
    refused: list[tuple[str, str, str]] = []
    for rel, description in oracle.corpus_rows(corpus):
        meant = oracle.corpus_expected(rel, description)
        found = detect(source_file_for(corpus / rel), registry)
        chosen = found.parser.name if found.parser else "(none)"
        row = table.setdefault(meant.parser or "(none)", {"n": 0, "chosen": Counter(), "also": Counter()})
        row["n"] += 1
        row["chosen"][chosen] += 1
        row["also"].update(c.parser for c in found.runners_up)
        if meant.parser is None or meant.reason:
            refused.append((rel, chosen, meant.reason))
    out = [
        f"Samples: {sum(r['n'] for r in table.values())} (every row of SOURCES.tsv). Rows: the parser meant for a "
        "sample (from its SOURCES.tsv folder and description); columns: what detection chose.",
        "",
        "| meant (SOURCES.tsv) | samples | chosen by detection | also accepted by (runners-up) |",
        "|---|---:|---|---|",
    ]
    for meant_name in sorted(table, key=lambda n: (n == "(none)", n)):
        row = table[meant_name]
        chosen_text = ", ".join(f"{c} {k}" for c, k in sorted(row["chosen"].items()))
        also = ", ".join(f"{c} {k}" for c, k in sorted(row["also"].items())) or "-"
        out.append(f"| {meant_name} | {row['n']} | {chosen_text} | {also} |")
    out += ["", "Samples no parser is meant for, or meant for another parser than their folder says, and why:", ""]
    out += ["| sample | chosen | why |", "|---|---|---|"]
    out += [f"| `{rel}` | {chosen} | {why} |" for rel, chosen, why in sorted(refused)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("--json", type=Path, help="write the per-sample rows here")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--claims", action="store_true", help="print the detection confusion table (detection only)")
    args = ap.parse_args(argv)
    if args.claims and args.corpus is not None:
        sys.stdout.write(claims(args.corpus))
        return 0
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        sys.stdout.write(markdown(before, after))
        return 0
    if args.corpus is None:
        ap.error("give the corpus folder or --compare")
    rows = census(args.corpus)
    text = json.dumps(rows, indent=1, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
