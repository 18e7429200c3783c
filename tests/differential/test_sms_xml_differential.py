"""Our SMS Backup & Restore parser against direct lxml XPath queries written from the app's field list, on
every fixture and corpus sample: any disagreement not classified in :mod:`tests.differential.known_sms_xml`
fails, and so does a classification that matches nothing any more."""

from __future__ import annotations

from pathlib import Path

from tests.differential._sms_xml_peer import compare, samples
from tests.differential.known_sms_xml import KNOWN, key_of


def _check(prefix: str, pairs: list[tuple[Path, str]]) -> float:
    unclassified, used = [], set()
    compared = agreed = 0
    for path, label in pairs:
        tally = compare(path, label)
        compared += tally.compared
        agreed += tally.agreed
        for d in tally.disagreements:
            key = key_of(d)
            if key is None:
                unclassified.append(d)
            else:
                used.add(key)
    assert not unclassified, "\n".join(f"{d.sample} {d.record} {d.field}: ours={d.ours} peer={d.theirs}" for d in unclassified)
    stale = sorted(k for k in KNOWN if k[0].startswith(prefix) and k not in used)
    assert not stale, f"classified disagreements that no longer occur: {stale}"
    return agreed / compared


def test_fixtures_agree_or_are_classified(fixtures_dir: Path) -> None:
    pairs = samples(fixtures_dir, None)
    assert len(pairs) >= 4
    assert _check("fixtures/", pairs) > 0.85  # the fixtures are made of edge cases: withheld, undated, damaged


def test_corpus_agrees_or_is_classified(corpus: Path, fixtures_dir: Path) -> None:
    pairs = [p for p in samples(fixtures_dir, corpus) if p[1].startswith("corpus/")]
    assert len(pairs) >= 20
    assert _check("corpus/", pairs) > 0.95
