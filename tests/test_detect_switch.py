"""Switching to a runner-up parser when the chosen one reads a file implausibly (docs/detection.md,
"Switching to a runner-up"): recorded in custody and as a warning, never with ``--format``, kept by a
rebuild, and bounded (runners-up are read only when the first reading is implausible)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cyberevidence.case import Case
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers.base import ParseContext, ParseOptions, ParserInfo, SourceFile
from cyberevidence.plausibility import ONE_EVENT_HOLDS_FILE, TIME_BEFORE_1990
from cyberevidence.runner_up import MAX_TRIALS, Reading, Switch, find_switch
from cyberevidence.standalone import source_file_for
from cyberevidence.warning_codes import WarningCode

MIXED = "whatsapp_mixed_headers_signal_head.txt"


@pytest.fixture
def mixed(fixtures_dir: Path) -> Path:
    return fixtures_dir / "detection" / MIXED


def _parse_entry(case: Case) -> dict[str, Any]:
    entries = [e for e in case.custody.entries() if e.action == "parse"]
    assert len(entries) == 1
    return dict(entries[0].details)


def test_implausible_first_choice_is_switched_to_the_plausible_runner_up(tmp_path: Path, mixed: Path) -> None:
    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    report = case.add(mixed, timezone="UTC", date_order="dmy")
    assert [(f.parser, f.events) for f in report.files] == [("whatsapp", 1360)]
    d = _parse_entry(case)
    assert d["parser"] == "whatsapp"
    # detection itself is unchanged and says what it chose; the switch is recorded beside it
    assert [c["parser"] for c in d["detection_candidates"]] == ["signal_export", "whatsapp"]
    switch = d["detection_switch"]
    assert isinstance(switch, dict)
    assert (switch["from"], switch["to"], switch["why"]) == ("signal_export", "whatsapp", [ONE_EVENT_HOLDS_FILE])
    assert switch["first"] == {"parser": "signal_export", "events": 60, "warnings": 1, "findings": [ONE_EVENT_HOLDS_FILE]}
    assert switch["adopted"]["events"] == 1360 and switch["adopted"]["findings"] == []
    assert "parser_switched" in d["warning_codes"]
    assert ONE_EVENT_HOLDS_FILE not in d["warning_codes"]  # that reading was discarded
    warned = [w for w in case.warnings() if w.code == WarningCode.PARSER_SWITCHED]
    assert len(warned) == 1
    assert "read with whatsapp instead of signal_export" in warned[0].message
    assert "signal_export: 60 event(s), 1 warning(s), implausible_one_event_holds_file" in warned[0].message
    assert case.index.event_count() == 1360  # nothing of the discarded reading is left on the timeline


def test_a_second_add_does_not_parse_again(tmp_path: Path, mixed: Path) -> None:
    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    case.add(mixed, timezone="UTC", date_order="dmy")
    again = case.add(mixed, timezone="UTC", date_order="dmy")
    assert [(f.parser, f.skipped) for f in again.files] == [("whatsapp", "already parsed with the same options")]
    assert sum(1 for e in case.custody.entries() if e.action == "parse") == 1


def test_format_given_never_switches(tmp_path: Path, mixed: Path) -> None:
    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    report = case.add(mixed, timezone="UTC", format="signal_export")
    assert [(f.parser, f.events) for f in report.files] == [("signal_export", 60)]
    d = _parse_entry(case)
    assert "detection_switch" not in d
    assert ONE_EVENT_HOLDS_FILE in d["warning_codes"]  # the finding stays, for a person


def test_rebuild_keeps_the_switch_and_its_warning(tmp_path: Path, mixed: Path) -> None:
    case = Case.create(tmp_path / "case", examiner="t", timezone="UTC")
    case.add(mixed, timezone="UTC", date_order="dmy")
    before = [(w.code, w.message) for w in case.warnings()]
    case.rebuild()
    assert [(w.code, w.message) for w in case.warnings()] == before
    assert case.index.event_count() == 1360
    assert case.verify().ok


# -- the rule on its own, with parsers made for the test ---------------------------------------


def _info(name: str, year: int, calls: list[str], *, fail: bool = False) -> ParserInfo:
    def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
        calls.append(name)
        if fail:
            raise ValueError("cannot read this")
        for i in range(3):
            yield Event(datetime(year, 1, 1 + i, tzinfo=UTC), "x", "message", SourceRef(source.sha256, f"line {i + 1}"))

    return ParserInfo(name, "x", "test", ("x",), lambda s, h: True, parse)


def test_runners_up_are_tried_in_order_until_one_is_plausible(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    src = source_file_for(path)
    calls: list[str] = []
    first = Reading("first", 3, 1, (TIME_BEFORE_1990,))
    runners = [_info("broken", 2020, calls, fail=True), _info("old", 1970, calls), _info("good", 2020, calls)]
    switch = find_switch(first, runners, src, ParseOptions())
    assert switch is not None and switch.adopted == Reading("good", 3, 0)
    assert calls == ["broken", "old", "good"]
    assert [(r.parser, r.findings, bool(r.error)) for r in switch.rejected] == [
        ("broken", (), True),
        ("old", (TIME_BEFORE_1990,), False),
    ]
    assert Switch.from_json(switch.to_json()) == switch  # custody round-trip (the rebuild reads it back)


def test_no_runner_up_is_read_when_the_first_reading_is_plausible(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    calls: list[str] = []
    plausible = Reading("first", 3, 0)
    assert find_switch(plausible, [_info("good", 2020, calls)], source_file_for(path), ParseOptions()) is None
    assert calls == []


def test_no_switch_when_no_runner_up_does_better_and_trials_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    calls: list[str] = []
    first = Reading("first", 3, 1, (TIME_BEFORE_1990,))
    runners = [_info(f"old{i}", 1970, calls) for i in range(MAX_TRIALS + 2)]
    assert find_switch(first, runners, source_file_for(path), ParseOptions()) is None
    assert len(calls) == MAX_TRIALS
