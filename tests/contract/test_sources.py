"""The source contract: a registered parser is complete, or this fails (docs/architecture.md "Adding a source").

For every parser in the registry, each step of the guide is checked:

1. its module declares ``PARSER = ParserInfo(...)`` (the registry found it);
2. its format doc ``docs/formats/<name>.md`` exists and names the parser's formats;
3. tests of its own (``tests/parsers/test_<name>*.py``) that mention it;
4. fixtures: ``ParserInfo.fixtures`` globs, each matching a file under ``fixtures/``, and the
   fixture files it is meant for are parsed by it;
5. fuzz seeds: ``tests/hardening/seeds.py`` finds at least one (its fixtures, a generated seed,
   or its declared ``corpus_seeds`` when the corpus is present);
6. every platform it declares (``platforms``) is a :class:`Platform` with a display name and a
   CASE/UCO application name, and the events of its fixtures keep to those platforms;
7. every warning its fixtures give is a :class:`WarningCode`;
8. each ``identity_keys`` entry is a key the module writes, and ``photo_facts`` is declared once.

A source that cannot meet a step yet is listed in ``GAPS`` with the reason; a test checks every
gap is still real, so the entry goes when the gap is closed.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import builtin_parsers, default_registry
from cyberevidence.parsers.base import ParserInfo
from cyberevidence.platforms import Platform
from cyberevidence.warning_codes import WarningCode

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
sys.path.insert(0, str(REPO / "tests"))

from hardening.seeds import seed_files  # noqa: E402

PARSERS = sorted(builtin_parsers(), key=lambda p: p.name)

#: Known gaps (parser -> step -> why). Each must still be a gap (``test_every_gap_is_still_real``).
GAPS: dict[str, dict[str, str]] = {
    "outlook_msg": {"fixtures": "no redistributable .msg file in fixtures/; the corpus samples are its tests' oracle"},
    "outlook_pst": {"fixtures": "no redistributable .pst file in fixtures/; the corpus samples are its tests' oracle"},
    "photo": {"events": "the pictures in fixtures/ are chat attachments without EXIF; its tests make their own"},
    "screenshot": {"events": "the pictures in fixtures/ are chat attachments without EXIF; its tests make their own"},
}


def _gap(info: ParserInfo, step: str) -> bool:
    return step in GAPS.get(info.name, {})


def _fixture_files(info: ParserInfo) -> list[Path]:
    return sorted({p for g in info.fixtures for p in FIXTURES.glob(g) if p.is_file() and p.suffix != ".py"})


@cache
def _parsed(name: str) -> tuple[tuple[Path, tuple[Event, ...], tuple[ParseWarning, ...]], ...]:
    """Each fixture file of ``name``, parsed with that parser forced (refusals on purpose left out)."""
    info = default_registry(include_plugins=False).get(name)
    out = []
    for path in _fixture_files(info):
        warnings: list[ParseWarning] = []
        try:
            events = tuple(ce.parse(path, format=name, timezone="Europe/London", warnings=warnings))
        except CyberEvidenceError:  # a fixture of a refusal (entities, an ambiguous date order ...)
            continue
        out.append((path, events, tuple(warnings)))
    return tuple(out)


def missing(info: ParserInfo) -> list[str]:
    """The steps of "Adding a source" that ``info`` has not done (static checks; empty when complete)."""
    out: list[str] = []
    doc = REPO / "docs" / "formats" / f"{info.name}.md"
    if not doc.is_file():
        out.append(f"format doc: write docs/formats/{info.name}.md (the format, its rules, what it cannot show)")
    elif len(doc.read_text(encoding="utf-8").split()) < 80:
        out.append(f"format doc: docs/formats/{info.name}.md is too short to state the format's rules")
    own = sorted((REPO / "tests" / "parsers").glob(f"test_{info.name}*.py"))
    if not any(info.name in p.read_text(encoding="utf-8") for p in own):
        out.append(f"tests: add tests/parsers/test_{info.name}.py that parses its fixtures")
    if not _gap(info, "fixtures"):
        if not info.fixtures:
            out.append("fixtures: declare ParserInfo.fixtures (globs under fixtures/)")
        out += [f"fixtures: fixtures/{g} matches nothing" for g in info.fixtures if not list(FIXTURES.glob(g))]
    for platform in info.platforms:
        member = Platform._value2member_map_.get(platform)
        if not isinstance(member, Platform):
            out.append(f"platforms: declare {platform!r} in cyberevidence/platforms.py")
        elif not (member.display and member.application):
            out.append(f"platforms: {platform!r} needs a display name and a CASE/UCO application")
    if info.identity_keys:
        module = next((m for m in list(sys.modules.values()) if getattr(m, "PARSER", None) is info), None)
        text = Path(inspect.getfile(module)).read_text(encoding="utf-8") if module else ""
        out += [f"identity_keys: {k!r} is never written by its module" for k in info.identity_keys if f'"{k}"' not in text]
    return out


def test_the_registry_holds_every_source() -> None:
    assert len(PARSERS) >= 25 and len({p.name for p in PARSERS}) == len(PARSERS)


@pytest.mark.parametrize("info", PARSERS, ids=lambda p: p.name)
def test_every_source_is_complete(info: ParserInfo) -> None:
    assert info.platforms[0] == info.platform
    assert not missing(info), f"{info.name} is not a complete source: " + "; ".join(missing(info))


def _incomplete(source: object, ctx: object) -> Iterator[Event | ParseWarning]:
    yield ParseWarning("unreadable_json", "x", "$", "x")


def test_an_incomplete_source_is_named_with_each_missing_step() -> None:
    """The contract can fail: a plug-in-shaped source with nothing but its module is refused step by step."""
    info = ParserInfo(
        name="brand_new_app", platform="brand_new_app", description="d", formats=("f",),
        sniff=lambda source, head: False, parse=_incomplete,
        fixtures=("brand_new_app/*.json",), identity_keys=("sender_handle",),  # no module declares it
    )  # fmt: skip
    found = " | ".join(missing(info))
    for step in ("format doc", "tests", "fixtures: fixtures/brand_new_app/*.json matches nothing",
                 "platforms: declare 'brand_new_app'", "identity_keys: 'sender_handle'"):  # fmt: skip
        assert step in found, found


@pytest.mark.parametrize("info", [p for p in PARSERS if p.fixtures], ids=lambda p: p.name)
def test_its_fixtures_are_parsed_by_it(info: ParserInfo) -> None:
    files = _fixture_files(info)
    if not files:  # only a generator (make_fixtures.py): its tests build the inputs
        pytest.skip("fixtures are generated by the tests")
    parsed = _parsed(info.name)
    assert parsed, "none of its fixtures could be parsed by it"
    if not _gap(info, "events"):
        assert any(events for _, events, _ in parsed), "its fixtures give no event at all"


@pytest.mark.parametrize("info", PARSERS, ids=lambda p: p.name)
def test_fuzz_seeds(info: ParserInfo, tmp_path: Path) -> None:
    if _gap(info, "fixtures") and not (REPO.parent / "shared" / "corpus").is_dir():
        pytest.skip("its only seeds are corpus samples, and the corpus is absent")
    assert seed_files(info.name, tmp_path), "declare fixtures or corpus_seeds (or a generated seed in tests/hardening/seeds.py)"


@pytest.mark.parametrize("info", PARSERS, ids=lambda p: p.name)
def test_its_fixtures_keep_to_its_platforms(info: ParserInfo) -> None:
    emitted = {e.platform for _, events, _ in _parsed(info.name) for e in events}
    assert emitted <= set(info.platforms), f"its fixtures give platforms it does not declare: {emitted - set(info.platforms)}"


@pytest.mark.parametrize("info", PARSERS, ids=lambda p: p.name)
def test_warnings_use_warning_codes(info: ParserInfo) -> None:
    declared = set(WarningCode._value2member_map_)
    codes = {w.code for _, _, warnings in _parsed(info.name) for w in warnings}
    assert codes <= declared, f"warning codes not in WarningCode: {sorted(codes - declared)}"


def test_one_source_reads_photo_metadata() -> None:
    assert [p.name for p in PARSERS if p.photo_facts] == ["photo"]
    assert default_registry(include_plugins=False).photo_parser() == "photo"


def test_the_readers_take_the_facts_from_the_registry() -> None:
    """No reader keeps a list of parser names of its own any more."""
    src = REPO / "src" / "cyberevidence"
    limitations = (src / "limitations.py").read_text(encoding="utf-8")
    assert "ONE_SIDED" not in limitations and 'parser == "' not in limitations and 'parser != "' not in limitations
    assert '"from_id"' not in (src / "analysis" / "resolve.py").read_text(encoding="utf-8")
    assert '"photo")' not in (src / "store" / "ingest.py").read_text(encoding="utf-8")
    seeds = (REPO / "tests" / "hardening" / "seeds.py").read_text(encoding="utf-8")
    assert '"telegram/*/result.json"' not in seeds


@pytest.mark.parametrize(("name", "step"), [(n, s) for n, steps in GAPS.items() for s in steps])
def test_every_gap_is_still_real(name: str, step: str) -> None:
    info = default_registry(include_plugins=False).get(name)
    assert step in ("fixtures", "events")
    if step == "fixtures":
        assert not _fixture_files(info), f"{name} has fixtures now: remove its entry from GAPS"
    else:
        assert not any(events for _, events, _ in _parsed(name)), f"{name}'s fixtures give events now: remove the gap"


def test_the_guide_states_the_steps_this_test_checks() -> None:
    guide = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8").split("## Adding a source", 1)
    assert len(guide) == 2, "docs/architecture.md has an 'Adding a source' guide"
    steps = guide[1].split("\n## ", 1)[0]
    for named in ("PARSER = ParserInfo", "docs/formats/<name>.md", "platforms.py", "ParserInfo.fixtures",
                  "corpus_seeds", "tests/parsers/test_<name>.py", "tests/contract/test_sources.py", "GAPS"):  # fmt: skip
        assert named in steps, f"the guide no longer names {named!r}"
