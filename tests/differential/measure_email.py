"""Print the e-mail family's agreement figures and every disagreement (for ``docs/differential.md``).

    .venv/bin/python -m tests.differential.measure_email [corpus dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.differential._email_peers import PEERS, compare, have_mailparser
from tests.differential._email_samples import corpus_samples, fixture_samples
from tests.differential.known_email import classify


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "shared" / "corpus"
    samples = fixture_samples() + (corpus_samples(corpus) if corpus.is_dir() else [])
    for peer in PEERS:
        if peer == "mailparser" and not have_mailparser():
            print(f"{peer}: not installed")
            continue
        compared = agreed = 0
        unclassified = 0
        for sample in samples:
            t = compare(sample, peer)
            compared += t.compared
            agreed += t.agreed
            for d in t.disagreements:
                verdict = classify(d)
                unclassified += verdict is None
                tag = verdict.value if verdict else "UNCLASSIFIED"
                print(f"  [{tag}] {d.sample} #{d.index} {d.field}: ours={d.ours} peer={d.theirs}")
        print(f"{peer}: {len(samples)} samples, {compared} field comparisons, {agreed} agree "
              f"({100 * agreed / max(compared, 1):.1f}%), {unclassified} unclassified")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
