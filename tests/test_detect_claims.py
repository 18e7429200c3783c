"""Every fixture and every corpus sample is claimed by exactly the parser meant for it (issue 16 item 3,
issue 17 item 3): the oracle is ``tests/detection_expected.py`` (for the corpus, ``SOURCES.tsv``'s own
descriptions); runners-up are allowed only where declared there, and no choice is left to a tie."""

from __future__ import annotations

from pathlib import Path

from tests.detection_expected import Expected, corpus_expected, corpus_rows, fixture_expected

from cyberevidence.detect import detect
from cyberevidence.parsers import default_registry
from cyberevidence.parsers.base import Strength
from cyberevidence.standalone import source_file_for

REGISTRY = default_registry(include_plugins=False)


def _mismatch(rel: str, path: Path, expected: Expected) -> str | None:
    found = detect(source_file_for(path), REGISTRY)
    chosen = found.parser.name if found.parser else None
    claimed = {c.parser for c in found.candidates}
    meant = ({expected.parser} if expected.parser else set()) | set(expected.also)
    if chosen != expected.parser or claimed != meant:
        return f"{rel}: chosen {chosen}, claimed by {sorted(claimed)}; meant {expected.parser} (+ {sorted(expected.also)})"
    if found.tie:
        return f"{rel}: chosen by a tie at equal strength ({found.reason})"
    return None


def test_every_fixture_is_claimed_by_the_parser_meant_for_it(fixtures_dir: Path) -> None:
    files = sorted(p for p in fixtures_dir.rglob("*") if p.is_file())
    assert len(files) > 80
    wrong = []
    for path in files:
        rel = path.relative_to(fixtures_dir).as_posix()
        wrong.append(_mismatch(rel, path, fixture_expected(rel, path.read_bytes()[:16])))
    assert [w for w in wrong if w] == []


def test_every_corpus_sample_is_claimed_by_the_parser_meant_for_it(corpus: Path) -> None:
    rows = corpus_rows(corpus)
    assert len(rows) > 300
    wrong = [_mismatch(rel, corpus / rel, corpus_expected(rel, description)) for rel, description in rows]
    assert [w for w in wrong if w] == []


def test_docs_hold_the_confusion_table_the_census_prints(corpus: Path) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus_census.py"
    spec = importlib.util.spec_from_file_location("corpus_census", script)
    assert spec is not None and spec.loader is not None
    census = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(census)
    doc = (Path(__file__).resolve().parents[1] / "docs" / "detection.md").read_text(encoding="utf-8")
    begin, end = "<!-- claims:begin -->\n", "<!-- claims:end -->"
    held = doc[doc.index(begin) + len(begin) : doc.index(end)]
    assert held.strip() == census.claims(corpus).strip(), (
        "docs/detection.md is out of date: paste the output of "
        "`.venv/bin/python benchmarks/corpus_census.py ../shared/corpus --claims` between its claims markers"
    )


def test_the_strength_table_names_each_parser_at_its_declared_strength() -> None:
    """docs/detection.md's table of strengths lists every built-in parser in the row of its ``ParserInfo.strength``."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "detection.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^   \| `([a-z_]+)` \| [^|]+ \| (.+) \|$", doc, re.M)}
    assert set(rows) == {s.name.lower() for s in Strength}
    for info in REGISTRY.all():
        named = {level for level, cell in rows.items() if f"`{info.name}`" in cell}
        assert info.strength.name.lower() in named, f"{info.name} is not listed at {info.strength.name.lower()}"
        assert named <= {info.strength.name.lower(), "name_hint"}, f"{info.name} listed at {sorted(named)}"
