"""Print every WhatsApp-text disagreement with each peer (and the agreement figures), classified or not.

PYTHONPATH=src:cli .venv/bin/python -m tests.differential.measure_whatsapp [corpus dir]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.differential._whatsapp_peers import PEERS, unavailable
from tests.differential._whatsapp_samples import corpus_samples, fixture_samples, generated_samples
from tests.differential.known_whatsapp import key_of, run_peer


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "shared" / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        groups = {
            "fixtures": fixture_samples(),
            "corpus": corpus_samples(corpus),
            "generated": generated_samples(Path(tmp)),
        }
        for peer in PEERS:
            why = unavailable(peer)
            if why:
                print(f"{peer}: skipped: {why}")
                continue
            for group, samples in groups.items():
                tally = run_peer(peer, samples)
                share = tally.agreed / tally.compared if tally.compared else 0.0
                print(f"{peer} {group}: {len(samples)} samples, {tally.agreed}/{tally.compared} agree ({share:.1%})")
                for d in tally.disagreements:
                    mark = "  " if key_of(d) else "??"
                    print(f"  {mark} {peer} {d.sample} #{d.index} {d.field}: ours={d.ours!r} peer={d.theirs!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
