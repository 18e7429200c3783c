"""Our message-database parsers (iMessage, WhatsApp Android and iOS, Signal Desktop) against direct SQL written from each
format's schema, on every fixture (the iMessage one built by fixtures/imessage/make_fixtures.py) and corpus
sample: any disagreement not classified in :mod:`tests.differential.known_sqlite` fails, and so does a
classification that matches nothing any more."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from tests.differential._sqlite_peers import compare, samples
from tests.differential.known_sqlite import KNOWN, key_of


def _generator(fixtures: Path, family: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"{family}_fixtures", fixtures / family / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _built(fixtures: Path, folder: Path) -> list[tuple[Path, str, str]]:
    """The databases the iMessage and Signal fixture generators build (no binary .db is committed)."""
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    chat = _generator(fixtures, "imessage").build_chat_db(folder / "chat.db")
    signal = _generator(fixtures, "signal").build_signal_db(folder / "db.sqlite")
    return [
        (chat, "fixtures/imessage/chat.db (built)", "imessage"),
        (signal, "fixtures/signal/db.sqlite (built)", "signal_desktop"),
    ]


def _check(prefix: str, triples: list[tuple[Path, str, str]]) -> float:
    unclassified, used = [], set()
    compared = agreed = 0
    for path, label, family in triples:
        tally = compare(path, label, family)
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


def test_fixtures_agree_or_are_classified(fixtures_dir: Path, tmp_path: Path) -> None:
    triples = [*_built(fixtures_dir, tmp_path), *samples(fixtures_dir, None)]
    assert {f for _, _, f in triples} == {"imessage", "signal_desktop", "whatsapp_android_db", "whatsapp_ios_db"}
    assert _check("fixtures/", triples) > 0.9


def test_corpus_agrees_or_is_classified(corpus: Path, fixtures_dir: Path) -> None:
    triples = [t for t in samples(fixtures_dir, corpus) if t[1].startswith("corpus/")]
    assert len(triples) >= 9
    assert _check("corpus/", triples) > 0.95
