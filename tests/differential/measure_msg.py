"""Print the .msg differential's agreement figures and every disagreement (docs/differential.md).

.venv/bin/python -m tests.differential.measure_msg [corpus dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.differential._msg_peer import compare, corpus_samples
from tests.differential.known_msg import KNOWN


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    compared = agreed = 0
    samples = corpus_samples(corpus)
    for path, label in samples:
        tally = compare(path, label)
        compared += tally.compared
        agreed += tally.agreed
        for d in tally.disagreements:
            known = KNOWN.get((d.sample, d.field))
            verdict = known[0].value if known else "UNCLASSIFIED"
            print(f"{d.sample} {d.field} [{verdict}]: ours={d.ours[:120]} peer={d.theirs[:120]}")
    share = 100 * agreed / max(compared, 1)
    print(f"extract-msg: {len(samples)} samples, {agreed} / {compared} field comparisons agree ({share:.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
