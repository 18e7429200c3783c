"""The host's warning cap (docs/warnings.md "The cap"): one cap per (file, code), applied by the
case ingest and the caseless ``parse`` around any parser's stream, with a truthful summary.

The parsers under test are synthetic (a plug-in shape) so the numbers are known exactly, and
one real parser (Telegram JSON) shows that a parser itself yields every warning it finds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.case import Case
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import ParseContext, ParseOptions, ParserInfo, SourceFile
from cyberevidence.parsers.kit.warncap import WARNING_CAP, WarningCap, capped
from cyberevidence.parsers.telegram_json import PARSER as TELEGRAM_JSON
from cyberevidence.standalone import HashOnlyContext, source_file_for

NOISY = 10_000
T0 = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)


def _noisy(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """10,000 ``unreadable_message`` warnings, 3 ``unreadable_date``, a second file's 1,200 and 50 events."""
    for i in range(NOISY):
        yield ParseWarning("unreadable_message", f"line {i} is not a message", locator=f"line {i}", file=source.name)
        if i % 200 == 0:
            yield Event(T0 + timedelta(minutes=i), "sms", "message", SourceRef(source.sha256, f"line {i}"), text=f"m{i}")
    for i in range(3):
        yield ParseWarning("unreadable_date", "no date", locator=f"row {i}", file=source.name)
    for i in range(1200):
        yield ParseWarning("unreadable_message", "member line", locator=f"inner:{i}", file=f"{source.name}:inner.json")


NOISY_PARSER = ParserInfo(
    name="noisy_test",
    platform="sms",
    description="a synthetic parser that yields 10,000 warnings",
    formats=("noisy.txt",),
    sniff=lambda source, head: head.startswith(b"NOISY"),
    parse=_noisy,
)


@pytest.fixture
def noisy_file(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "noisy.txt"
    path.parent.mkdir()
    path.write_bytes(b"NOISY\n")
    return path


def _registry() -> ParserRegistry:
    return ParserRegistry([NOISY_PARSER])


def test_the_caseless_parse_caps_each_file_and_code_and_says_how_many_more(noisy_file: Path) -> None:
    warnings: list[ParseWarning] = []
    events = list(ce.parse(noisy_file, format="noisy_test", registry=_registry(), warnings=warnings))
    assert len(events) == NOISY // 200  # events are never capped
    main = [w for w in warnings if w.code == "unreadable_message" and w.file == "noisy.txt"]
    inner = [w for w in warnings if w.code == "unreadable_message" and w.file == "noisy.txt:inner.json"]
    assert len(main) == WARNING_CAP + 1 and len(inner) == WARNING_CAP + 1
    assert [w.locator for w in main[:WARNING_CAP]] == [f"line {i}" for i in range(WARNING_CAP)]  # the first ones, in order
    assert main[-1].locator == "" and main[-1].message.startswith(f"{NOISY - WARNING_CAP} more 'unreadable_message'")
    assert inner[-1].message.startswith(f"{1200 - WARNING_CAP} more 'unreadable_message'")
    assert [w.locator for w in warnings if w.code == "unreadable_date"] == ["row 0", "row 1", "row 2"]  # under the cap
    assert ce.parse.last_warnings is warnings


def test_the_case_ingest_caps_the_same_way_and_its_counts_are_truthful(tmp_path: Path, noisy_file: Path) -> None:
    Case.create(tmp_path / "case", examiner="Test Examiner")
    case = Case.open(tmp_path / "case", registry=_registry())
    report = case.add(noisy_file, format="noisy_test")
    stored = case.index.warnings()
    ours = [r for r in stored if r["code"] in ("unreadable_message", "unreadable_date")]
    assert len(ours) == (WARNING_CAP + 1) * 2 + 3
    # The host's own plausibility finding is one more warning, under the same cap.
    assert [r["code"] for r in stored if r not in ours] == ["implausible_mostly_warnings"]
    assert report.warnings == len(stored)  # what the add reports is what the index holds
    entry = next(e for e in case.custody.entries() if e.action == "parse")
    assert entry.details["warnings"] == len(stored)
    assert entry.details["warnings_not_stored"] == (NOISY - WARNING_CAP) + (1200 - WARNING_CAP)
    summaries = [r for r in stored if r["locator"] == "" and "more 'unreadable_message'" in r["message"]]
    assert len(summaries) == 2
    assert case.index.event_count() == NOISY // 200


def test_a_parser_under_the_cap_is_untouched(tmp_path: Path) -> None:
    items: list[Event | ParseWarning] = [
        ParseWarning("unreadable_date", "x", locator=str(i), file="a") for i in range(WARNING_CAP)
    ]
    assert list(capped(iter(items))) == items


def test_the_counter_knows_what_it_did_not_store() -> None:
    cap = WarningCap(cap=2)
    out = list(capped((ParseWarning("unreadable_date", "x", str(i), "f") for i in range(5)), cap))
    assert len(out) == 3 and cap.seen == 5 and cap.not_stored == 3
    assert isinstance(out[-1], ParseWarning) and out[-1].message.startswith("3 more 'unreadable_date'")
    with pytest.raises(ValueError):
        WarningCap(cap=0)


def _telegram_with_bad_messages(tmp_path: Path, bad: int) -> Path:
    messages: list[object] = [{"id": 1, "type": "message", "date": "2025-01-01T10:00:00", "date_unixtime": "1735725600",
                 "from": "Mark", "from_id": "user1", "text": "hello"}]
    messages += [17] * bad  # not an object: one 'unreadable_message' warning each
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Mark", "type": "personal_chat", "id": 1, "messages": messages}), encoding="utf-8")
    return path


def test_a_real_parser_yields_every_warning_and_the_host_caps_them(tmp_path: Path) -> None:
    path = _telegram_with_bad_messages(tmp_path, 1500)
    raw = list(TELEGRAM_JSON.parse(source_file_for(path), HashOnlyContext(ParseOptions(timezone_assumed=False))))
    assert sum(1 for w in raw if isinstance(w, ParseWarning) and w.code == "unreadable_message") == 1500
    warnings: list[ParseWarning] = []
    events = list(ce.parse(path, timezone="UTC", registry=default_registry(include_plugins=False), warnings=warnings))
    assert len(events) == 1
    bad = [w for w in warnings if w.code == "unreadable_message"]
    assert len(bad) == WARNING_CAP + 1 and bad[-1].message.startswith("500 more 'unreadable_message'")
