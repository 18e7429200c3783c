"""Detection explains itself: every accepting parser is recorded, the choice follows ``CHOICE_RULE``,
and the result is checked for plausibility after the parse (docs/detection.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cyberevidence.detect import CHOICE_RULE, detect
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers import default_registry
from cyberevidence.parsers.base import ParserInfo, SourceFile, Strength
from cyberevidence.plausibility import (
    MOSTLY_WARNINGS,
    ONE_EVENT_HOLDS_FILE,
    TIME_AFTER_TOMORROW,
    TIME_BEFORE_1990,
    PlausibilityCheck,
)
from cyberevidence.standalone import parse, source_file_for


@pytest.fixture
def det(fixtures_dir: Path) -> Path:
    return fixtures_dir / "detection"


def test_bracketed_iso_minutes_is_whatsapp_not_signal(det: Path) -> None:
    path = det / "whatsapp_bracket_iso_minutes.txt"
    found = detect(source_file_for(path), default_registry(include_plugins=False))
    assert found.parser is not None and found.parser.name == "whatsapp"
    assert [c.parser for c in found.candidates] == ["whatsapp"]
    events = list(parse(path, timezone="UTC"))
    assert [e.platform for e in events] == ["whatsapp"] * 4
    assert events[2].text == "I know where you are\nand I will come round"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (b"[2019-12-24, 12:23] Jane Doe: Hello John!\n", "chat.txt", "signal_export"),  # chat-miner's Signal shape
        (b"[2019-12-24 12:23:01] Me: Hello  \n", "chat.txt", "signal_export"),  # signal-export's own marks
        (b"[2019-12-24 12:23] Jane Doe: Hello\n", "chat.md", "signal_export"),  # the name breaks the tie
        (b"[2019-12-24 12:23] Jane Doe: Hello\n", "chat.txt", "whatsapp"),
        (b"[2019-12-24 12:23:01] Jane Doe: Hello\n", "chat.txt", "whatsapp"),
        (b"[2019-12-24, 12:23] Jane Doe: <Media omitted>\n", "chat.txt", "whatsapp"),  # WhatsApp's own wording
        (b"[2019-12-24, 12:23] Jane Doe: Hi\n", "_chat.txt", "whatsapp"),  # WhatsApp's own file name
    ],
)
def test_signal_or_whatsapp_rule(tmp_path: Path, text: bytes, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(text)
    found = detect(source_file_for(path), default_registry(include_plugins=False))
    assert found.parser is not None and found.parser.name == expected


def _always(name: str, strength: Strength, said: bool | Strength = True) -> ParserInfo:
    def parse(source: SourceFile, ctx: object) -> list[Event]:
        return []

    return ParserInfo(name, "x", "test", ("x",), lambda s, h: said, parse, strength=strength)  # type: ignore[arg-type]


def test_every_accepting_parser_is_recorded_strongest_wins(tmp_path: Path) -> None:
    from cyberevidence.parsers import ParserRegistry

    path = tmp_path / "f.bin"
    path.write_bytes(b"x")

    def boom(s: SourceFile, h: bytes) -> bool:
        raise RuntimeError("broken sniffer")

    S = Strength
    broken = ParserInfo("broken", "x", "t", ("x",), boom, _always("b", S.SELF_DECLARED).parse, strength=S.SELF_DECLARED)
    reg = ParserRegistry(
        [_always("zeta", S.SHARED_SHAPE), _always("alpha", S.SHARED_SHAPE), _always("first", S.OWN_STRUCTURE), broken]
    )
    found = detect(source_file_for(path), reg)
    assert found.parser is not None and found.parser.name == "first" and not found.tie
    assert [(c.parser, c.strength) for c in found.candidates] == [
        ("first", S.OWN_STRUCTURE),
        ("alpha", S.SHARED_SHAPE),
        ("zeta", S.SHARED_SHAPE),
    ]
    assert [c.parser for c in found.runners_up] == ["alpha", "zeta"]
    assert "also accepted by alpha (shared_shape), zeta (shared_shape)" in found.reason
    assert "first chosen as the strongest (own_structure)" in found.reason
    assert found.candidates_json()[1] == {"parser": "alpha", "strength": "shared_shape", "reason": found.candidates[1].reason}
    tie = detect(source_file_for(path), ParserRegistry([_always("zeta", S.SHARED_SHAPE), _always("alpha", S.SHARED_SHAPE)]))
    assert tie.parser is not None and tie.parser.name == "alpha" and tie.tie
    assert "same strength (shared_shape), first by name" in tie.reason
    forced = detect(source_file_for(path), reg, "zeta")
    assert forced.parser is not None and forced.parser.name == "zeta" and forced.candidates == ()
    assert "strongest acceptance wins" in CHOICE_RULE


def test_a_content_signature_beats_a_name_hint(tmp_path: Path) -> None:
    """A sniffer that accepted on the file name only says so; it may weaken its strength, never raise it."""
    from cyberevidence.parsers import ParserRegistry

    path = tmp_path / "f.eml"
    path.write_bytes(b"x")
    S = Strength
    reg = ParserRegistry([_always("by_name", S.OWN_STRUCTURE, S.NAME_HINT), _always("by_shape", S.SHARED_SHAPE)])
    found = detect(source_file_for(path), reg)
    assert [(c.parser, c.strength) for c in found.candidates] == [("by_shape", S.SHARED_SHAPE), ("by_name", S.NAME_HINT)]
    boast = ParserRegistry([_always("boast", S.SHARED_SHAPE, S.SELF_DECLARED), _always("real", S.OWN_STRUCTURE)])
    assert [c.parser for c in detect(source_file_for(path), boast).candidates] == ["real", "boast"]


def test_few_headers_eml_is_accepted_on_its_name_only(fixtures_dir: Path) -> None:
    found = detect(source_file_for(fixtures_dir / "email" / "few_headers.eml"), default_registry(include_plugins=False))
    assert [(c.parser, c.strength) for c in found.candidates] == [("email_message", Strength.NAME_HINT)]
    full = detect(source_file_for(fixtures_dir / "email" / "delivery_status.eml"), default_registry(include_plugins=False))
    assert [(c.parser, c.strength) for c in full.candidates] == [("email_message", Strength.SHARED_SHAPE)]


def test_detection_candidates_in_custody(tmp_path: Path, det: Path) -> None:
    from cyberevidence.case import Case

    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    case.add(det / "whatsapp_bracket_iso_minutes.txt", timezone="UTC")
    parse_entry = next(e for e in case.custody.entries() if e.action == "parse")
    assert parse_entry.details["parser"] == "whatsapp"
    assert [c["parser"] for c in parse_entry.details["detection_candidates"]] == ["whatsapp"]


# -- plausibility ------------------------------------------------------------------------------


def _event(ts: datetime | None, text: str = "hi", at: str = "line 1") -> Event:
    return Event(ts, "whatsapp", "message", SourceRef("0" * 64, at), text=text)


NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _findings(items: list[Event | ParseWarning], parser: str = "whatsapp", size: int = 1000) -> list[ParseWarning]:
    check = PlausibilityCheck(parser, "f.txt", size, now=NOW)
    for item in items:
        check.see(item)
    return list(check.findings())


def test_plausible_file_gives_nothing() -> None:
    assert _findings([_event(datetime(2019, 4, 16, tzinfo=UTC)), _event(datetime(2026, 12, 4, 23, tzinfo=UTC))]) == []


def test_instants_before_1990_and_after_tomorrow_are_located() -> None:
    found = _findings(
        [
            _event(datetime(1970, 1, 19, tzinfo=UTC), at="line 3"),
            _event(datetime(1989, 12, 31, 23, tzinfo=UTC), at="line 4"),
            _event(datetime(2026, 12, 5, 0, tzinfo=UTC), at="line 9"),
            _event(None, at="line 10"),  # undated: not a time finding
        ]
    )
    assert [(w.code, w.locator) for w in found] == [
        (TIME_BEFORE_1990, "line 3"),
        (TIME_AFTER_TOMORROW, "line 9"),
    ]
    assert found[0].message.startswith("2 of 4 event(s) are dated before 1990-01-01 UTC")
    assert found[0].file == "f.txt"


def test_one_event_holding_most_of_the_file() -> None:
    big = _event(datetime(2020, 1, 1, tzinfo=UTC), text="x" * 70_000, at="message 1")
    found = _findings([big], parser="mbox", size=100_000)
    assert [(w.code, w.locator) for w in found] == [(ONE_EVENT_HOLDS_FILE, "message 1")]
    assert _findings([big], parser="email_message", size=100_000) == []  # one record per file by design
    assert _findings([big], parser="mbox", size=200_000) == []  # under half


def test_almost_every_record_a_warning() -> None:
    items: list[Event | ParseWarning] = [ParseWarning("unparsed_line", "x", f"line {i}") for i in range(30)]
    found = _findings([*items, _event(datetime(2020, 1, 1, tzinfo=UTC))])
    assert [(w.code, w.locator) for w in found] == [(MOSTLY_WARNINGS, "whole file")]
    assert "30 of the file's 31 record(s)" in found[0].message
    assert _findings(items[:10]) == []  # too few to say


def test_plausibility_warning_reaches_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Bob.txt"
    path.write_text("".join(f"01/01/1980, 10:0{i} - Bob: hi {i}\n" for i in range(3)), encoding="utf-8")
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone="UTC", date_order="dmy", warnings=warnings))
    assert len(events) == 3
    early = [w for w in warnings if w.code == TIME_BEFORE_1990]
    assert len(early) == 1 and early[0].locator == events[0].source.locator
