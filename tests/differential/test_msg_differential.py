"""Our Outlook ``.msg`` parser against extract-msg (GPL-3.0, tests only) on every corpus ``.msg``: any
disagreement not classified in :mod:`tests.differential.known_msg` fails, and so does a classification
nothing matches any more. Skipped, with the reason, when extract-msg is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.differential._msg_peer import compare, corpus_samples, have_extract_msg
from tests.differential.known_msg import KNOWN, key_of

pytestmark = pytest.mark.skipif(
    not have_extract_msg(), reason="extract-msg is not installed (pip install extract-msg; it is in the 'test' extra)"
)


def test_corpus_msg_agrees_or_is_classified(corpus: Path) -> None:
    samples = corpus_samples(corpus)
    if not samples:
        pytest.skip("no .msg samples in the corpus")
    unclassified, used = [], set()
    compared = agreed = 0
    for path, label in samples:
        tally = compare(path, label)
        compared += tally.compared
        agreed += tally.agreed
        for d in tally.disagreements:
            key = key_of(d)
            if key is None:
                unclassified.append(d)
            else:
                used.add(key)
    assert not unclassified, "\n".join(f"{d.sample} {d.field}: ours={d.ours} peer={d.theirs}" for d in unclassified)
    stale = sorted(set(KNOWN) - used)
    assert not stale, f"classified disagreements that no longer occur: {stale}"
    assert len(samples) >= 29 and agreed / compared > 0.9


def test_every_classification_has_a_reason() -> None:
    assert all(reason.strip() for _, reason in KNOWN.values())
