"""Our e-mail parsers (.eml, mbox) against Python's ``email`` (policy.default) and mail-parser on
every synthetic fixture and every corpus sample: any disagreement not classified in
:mod:`tests.differential.known_email` fails, and so does a classification nothing matches any more."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.differential._email_peers import Disagreement, Sample, compare
from tests.differential._email_samples import corpus_samples, fixture_samples
from tests.differential.known_email import KNOWN, key_of


def _run(samples: list[Sample], peer: str) -> tuple[list[Disagreement], set[tuple[str, int, str, str]], int, int]:
    unclassified: list[Disagreement] = []
    used: set[tuple[str, int, str, str]] = set()
    compared = agreed = 0
    for sample in samples:
        tally = compare(sample, peer)
        compared += tally.compared
        agreed += tally.agreed
        for d in tally.disagreements:
            key = key_of(d)
            if key is None:
                unclassified.append(d)
            else:
                used.add(key)
    return unclassified, used, compared, agreed


def _stale(used: set[tuple[str, int, str, str]], peer: str, prefix: str) -> list[tuple[str, int, str, str]]:
    return [k for k in KNOWN if k[0].startswith(prefix) and k[3] in (peer, "*") and k not in used]


def test_fixtures_agree_or_are_classified(email_peer: str) -> None:
    samples = fixture_samples()
    assert len(samples) >= 8
    unclassified, used, compared, agreed = _run(samples, email_peer)
    assert not unclassified, "\n".join(f"{d.sample} #{d.index} {d.field}: ours={d.ours} peer={d.theirs}" for d in unclassified)
    stale = [k for k in _stale(used, email_peer, "fixtures/") if k[3] == email_peer]
    assert not stale, f"classified disagreements that no longer occur: {stale}"
    assert compared > 0 and agreed / compared > 0.9


@pytest.mark.corpus
def test_corpus_agrees_or_is_classified(corpus: Path, email_peer: str) -> None:
    samples = corpus_samples(corpus)
    if not samples:
        pytest.skip("no e-mail samples in the corpus")
    unclassified, used, compared, agreed = _run(samples, email_peer)
    assert not unclassified, "\n".join(f"{d.sample} #{d.index} {d.field}: ours={d.ours} peer={d.theirs}" for d in unclassified)
    stale = [k for k in _stale(used, email_peer, "corpus/") if k[3] == email_peer]
    assert not stale, f"classified disagreements that no longer occur: {stale}"
    assert agreed / compared > 0.95


def test_the_table_has_no_entry_for_no_peer() -> None:
    assert all(k[3] in ("stdlib", "mailparser", "*") for k in KNOWN)
    assert all(reason.strip() for _, reason in KNOWN.values())
