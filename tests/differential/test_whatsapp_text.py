"""Our WhatsApp text parser against chat-miner, whatstk and the npm whatsapp-chat-parser on every text
fixture, every corpus WhatsApp text sample and generated variants of each export style: any
disagreement not classified in :mod:`tests.differential.known_whatsapp` fails, and so does a
classification that nothing matches any more. A peer that is not installed skips with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.differential._whatsapp_peers import PEERS, Disagreement, unavailable
from tests.differential._whatsapp_samples import corpus_samples, fixture_samples, generated_samples
from tests.differential.known_whatsapp import KNOWN, UNSTABLE, Verdict, key_of, run_peer


@pytest.fixture(params=PEERS)
def wa_peer(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    why = unavailable(name)
    if why:
        pytest.skip(why)
    return name


def _show(ds: list[Disagreement]) -> str:
    return "\n".join(f"{d.peer} {d.sample} #{d.index} {d.field}: ours={d.ours!r} peer={d.theirs!r}" for d in ds)


def _check(samples: list[tuple[str, Path]], peer: str, prefix: str, floor: float) -> None:
    tally = run_peer(peer, samples)
    unclassified = [d for d in tally.disagreements if key_of(d) is None]
    assert not unclassified, (
        "unclassified disagreements (classify them in known_whatsapp.py and docs/differential.md):\n" + _show(unclassified)
    )
    used = {key_of(d) for d in tally.disagreements}
    stale = [k for k in KNOWN if k[0].startswith(prefix) and k[3] == peer and k not in used and k not in UNSTABLE]
    assert not stale, f"classified disagreements that no longer occur: {stale}"
    assert tally.compared > 0 and tally.agreed / tally.compared >= floor


def test_fixtures_agree_or_are_classified(wa_peer: str) -> None:
    samples = fixture_samples()
    assert len(samples) >= 14
    _check(samples, wa_peer, "fixtures/", 0.9)


@pytest.mark.corpus
def test_corpus_agrees_or_is_classified(corpus: Path, wa_peer: str) -> None:
    samples = corpus_samples(corpus)
    if not samples:
        pytest.skip("no WhatsApp text samples in the corpus")
    _check(samples, wa_peer, "corpus/", 0.98)


def test_generated_variants_agree_completely(tmp_path: Path, wa_peer: str) -> None:
    """Every export style, 12/24 h, dmy/mdy/ISO, bracketed or dashed, with multi-line messages,
    attachments and notices: no disagreement at all is expected, so none is classified."""
    samples = generated_samples(tmp_path)
    tally = run_peer(wa_peer, samples)
    assert not tally.disagreements, _show(tally.disagreements)
    assert tally.compared >= 10 * 24 * 3


def test_the_table_is_well_formed() -> None:
    assert all(k[3] in (*PEERS, "*") for k in KNOWN)
    assert all(reason.strip() and isinstance(verdict, Verdict) for verdict, reason in KNOWN.values())
