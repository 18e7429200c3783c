"""The WhatsApp text parser's whole output is byte-identical to the recorded golden digests.

The digests were written by the parser before the whole-buffer reader (see ``whatsapp_golden.py``):
every event record, event id and warning, in order, for every fixture, every corpus WhatsApp
sample and 24 generated chats, each with three sets of options. A second run reads in tiny
chunks, so a message header, a CRLF or a multi-byte character split across a chunk boundary is
read exactly as in one piece (the events in order, the warnings as a multiset: a warning about a
block of lines, ``invalid_utf8``, comes with the block, so its place depends on the read size).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.parsers.whatsapp_golden import (
    GOLDEN,
    OPTIONS,
    corpus_inputs,
    file_sha256,
    fixture_inputs,
    output_digest,
    torture_files,
)

from cyberevidence.parsers import _whatsapp_lines

EXPECTED: dict[str, dict[str, object]] = json.loads(GOLDEN.read_text(encoding="utf-8"))


def _check(key: str, path: Path, exact: bool = True) -> None:
    for tz, order in OPTIONS:
        case = f"{key}|{tz}|{order}"
        assert case in EXPECTED, f"{case}: no golden digest (a new input: regenerate whatsapp_golden.json)"
        expected = {k: v for k, v in EXPECTED[case].items() if k != "file_sha256"}
        got = output_digest(path, tz, order)
        if not exact:  # where block-level warnings sit among the events depends on the read size
            expected.pop("sha256", None)
            got.pop("sha256", None)
        assert got == expected, case


def test_every_fixture_gives_the_recorded_output() -> None:
    inputs = list(fixture_inputs())
    assert len(inputs) >= 15
    for key, path in inputs:
        _check(key, path)


def test_generated_chats_give_the_recorded_output(tmp_path: Path) -> None:
    for key, path in torture_files(tmp_path):
        _check(key, path)


@pytest.mark.corpus
def test_every_corpus_sample_gives_the_recorded_output(corpus: Path) -> None:
    inputs = list(corpus_inputs(corpus))
    assert inputs, "the corpus has no WhatsApp text samples"
    for key, path in inputs:
        recorded = EXPECTED.get(f"{key}|None|None", {}).get("file_sha256")
        if recorded != file_sha256(path):
            continue  # a corpus file that changed or is new since the digests were recorded
        _check(key, path)


@pytest.mark.parametrize("chunk", [7, 4096])
def test_tiny_chunks_give_the_same_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunk: int) -> None:
    monkeypatch.setattr(_whatsapp_lines, "CHUNK", chunk)
    for key, path in [*fixture_inputs(), *list(torture_files(tmp_path))[:: 1 if chunk > 7 else 4]]:
        _check(key, path, exact=False)
