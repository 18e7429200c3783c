"""Every fixture, parsed: each event's kind is a :class:`Kind`, its platform a declared
:class:`Platform`, and each warning's code a declared :class:`WarningCode`.

``Event`` refuses an undeclared kind when it is made; this run over ``fixtures/`` also checks
platforms and codes, so a parser that writes a new one fails here until it is declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import ParseError, UnknownFormatError
from cyberevidence.events import KINDS, Event, ParseWarning, SourceRef
from cyberevidence.kinds import Kind, UnknownKindError, is_kind
from cyberevidence.platforms import Platform
from cyberevidence.warning_codes import WarningCode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class Parsed:
    path: Path
    events: tuple[Event, ...]
    warnings: tuple[ParseWarning, ...]


@cache
def every_fixture() -> tuple[Parsed, ...]:
    """Each file under ``fixtures/`` that a parser claims, parsed without a case (refusals skipped)."""
    out: list[Parsed] = []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.suffix == ".py":
            continue
        warnings: list[ParseWarning] = []
        try:
            events = tuple(ce.parse(path, warnings=warnings))
        except (UnknownFormatError, ParseError):  # not an export, or refused on purpose (entities, ambiguous order)
            continue
        out.append(Parsed(path, events, tuple(warnings)))
    return tuple(out)


def test_the_fixtures_cover_most_kinds_and_platforms() -> None:
    parsed = every_fixture()
    assert len(parsed) > 50
    assert len({e.kind for p in parsed for e in p.events}) >= 8
    assert {"hangouts", "google_chat", "phone", "sms"} <= {e.platform for p in parsed for e in p.events}


def test_every_event_kind_is_a_kind() -> None:
    wrong = {(p.path.relative_to(FIXTURES).as_posix(), e.kind) for p in every_fixture() for e in p.events if not is_kind(e.kind)}
    assert not wrong, f"events whose kind is not a cyberevidence.kinds.Kind: {sorted(wrong)}"


def test_every_event_platform_is_declared() -> None:
    declared = set(Platform._value2member_map_)
    wrong = {(p.path.relative_to(FIXTURES).as_posix(), e.platform) for p in every_fixture() for e in p.events
             if e.platform not in declared}
    assert not wrong, f"events whose platform is not in cyberevidence.platforms.Platform: {sorted(wrong)}"


def test_every_warning_code_is_declared() -> None:
    declared = set(WarningCode._value2member_map_)
    wrong = {(p.path.relative_to(FIXTURES).as_posix(), w.code) for p in every_fixture() for w in p.warnings
             if w.code not in declared}
    assert not wrong, f"warnings whose code is not in cyberevidence.warning_codes.WarningCode: {sorted(wrong)}"


def test_kind_and_events_kinds_name_the_same_values() -> None:
    assert {str(k) for k in Kind} == set(KINDS)


@pytest.mark.parametrize("value", ["message", "call", "media_metadata", "marker"])
def test_is_kind(value: str) -> None:
    assert is_kind(value) and Kind(value) == value


def test_an_unknown_kind_is_not_a_kind() -> None:
    assert not is_kind("tweet") and not is_kind("")



@pytest.mark.parametrize("kind", ["tweet", "", "Message", "dm"])
def test_an_event_with_an_unknown_kind_is_refused_when_it_is_made(kind: str) -> None:
    with pytest.raises(UnknownKindError, match="not an event kind"):
        Event(timestamp=None, platform="sms", kind=kind, source=SourceRef("0" * 64, "line 1"))


@pytest.mark.parametrize("kind", [*Kind, "message"])
def test_an_event_with_a_declared_kind_is_made(kind: str) -> None:
    ev = Event(timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc), platform="sms", kind=kind, source=SourceRef("0" * 64, "x"))
    assert ev.kind == kind and ev.to_record()["kind"] == str(kind)


def test_a_record_with_an_unknown_kind_is_refused() -> None:
    record = Event(timestamp=None, platform="sms", kind="message", source=SourceRef("0" * 64, "x")).to_record()
    with pytest.raises(UnknownKindError):
        Event.from_record({**record, "kind": "tweet"})
