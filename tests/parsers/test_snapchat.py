"""Snapchat My Data: both chat_history.json layouts and friends.json (synthetic fixtures only:
no public sample of real Snapchat data exists, see ../shared/corpus/SOURCES.md)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.snapchat import PARSER
from cyberevidence.standalone import HashOnlyContext, source_file_for

from ._helpers import parse_fixture as run


@pytest.fixture
def snap(fixtures_dir: Path) -> Path:
    return fixtures_dir / "snapchat"


def test_every_fixture_is_sniffed(snap: Path) -> None:
    for name in ("old_layout/chat_history.json", "new_layout/chat_history.json", "friends.json", "mydata~1698868800000.zip"):
        path = snap / name
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), name


def test_old_layout(snap: Path) -> None:
    events, warnings = run(snap / "old_layout" / "chat_history.json")
    assert len(events) == 4
    received = events[0]
    assert (received.sender, received.thread, received.direction) == ("markk_88", "markk_88", "incoming")
    assert received.timestamp == datetime(2021, 6, 1, 21, 15, 3, tzinfo=timezone.utc)
    assert received.source.locator == "$['Received Saved Chat History'][0]"
    assert events[1].media_omitted and events[1].extra["media_type"] == "MEDIA"
    assert events[2].text == "I know you&#39;re home"  # kept exactly as written
    sent = events[3]
    assert (sent.sender, sent.recipients, sent.direction, sent.text) == (
        "",
        ["markk_88"],
        "outgoing",
        "Please stop messaging me.",
    )
    assert Counter(w.code for w in warnings) == {"layout": 1, "unreadable_date": 1, "unreadable_message": 1}
    assert next(w for w in warnings if w.code == "unreadable_message").locator == "$['Sent Saved Chat History'][1]"


def test_new_layout_decides_the_unit_by_magnitude(snap: Path) -> None:
    events, warnings = run(snap / "new_layout" / "chat_history.json")
    assert len(events) == 6
    first = events[0]
    assert first.timestamp == datetime(2023, 10, 14, 19, 1, 5, 250000, tzinfo=timezone.utc)  # ms value, 250 ms kept
    assert first.extra["created_unit"] == "ms" and first.direction == "incoming"
    assert events[1].media_omitted and events[1].text == ""
    mine = events[2]
    assert mine.extra["created_unit"] == "us" and mine.timestamp.microsecond == 999000
    assert (mine.sender, mine.direction, mine.recipients) == ("sarah.j2001", "outgoing", ["markk_88"])
    mismatch = events[3]
    assert mismatch.timestamp == datetime(2023, 10, 15, 6, 30, tzinfo=timezone.utc)  # 'Created' wins
    assert mismatch.time_ambiguous and "disagree by 10800 s" in mismatch.time_note
    group = events[4:]
    assert {e.thread for e in group} == {"Girls"} and group[1].recipients == []
    c = Counter(w.code for w in warnings)
    assert c == {"layout": 1, "time_mismatch": 1, "unreadable_date": 1, "created_unit": 1}
    unit = next(w for w in warnings if w.code == "created_unit")
    assert "5 as milliseconds, 1 as microseconds" in unit.message


def test_friends(snap: Path) -> None:
    events, warnings = run(snap / "friends.json")
    got = [(e.kind, e.extra["status"], e.thread, e.direction) for e in events]
    assert got == [
        ("friend_request", "friends", "amy.w", "unknown"),
        ("friend_request", "request_sent", "jo.h", "outgoing"),
        ("friend_request", "request_received", "markk_new", "incoming"),
        ("system", "blocked", "markk_88", "unknown"),
    ]
    blocked = events[3]
    assert blocked.timestamp == datetime(2020, 5, 5, 18, 0, tzinfo=timezone.utc)  # Creation Timestamp, no time invented
    assert blocked.extra["last_modified"] == "2023-10-15 06:45:00 UTC"
    assert events[2].sender == "markk_new"
    assert Counter(w.code for w in warnings) == {"unreadable_entry": 1, "not_read": 1}
    assert next(w for w in warnings if w.code == "unreadable_entry").locator == "$['Deleted Friends'][0]"


def test_zip_derives_members_and_refuses_hostile_one(snap: Path) -> None:
    path = snap / "mydata~1698868800000.zip"
    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source_file_for(path), ctx))
    assert sorted(d[1] for d in ctx.derived) == ["json/chat_history.json", "json/friends.json"]
    events = [i for i in items if isinstance(i, Event)]
    assert len(events) == 10
    assert events[0].source.locator == "json/chat_history.json:$['markk_88'][0]"
    assert events[0].source.sha256 == source_file_for(path).sha256  # events point at the zip
    rejected = [i for i in items if isinstance(i, ParseWarning) and i.code == "rejected_member"]
    assert len(rejected) == 1 and ".." in rejected[0].message


def test_truncated_file_is_a_located_warning(snap: Path) -> None:
    events, warnings = run(snap / "broken" / "chat_history.json")
    assert events == []
    assert [w.code for w in warnings] == ["unreadable_json"] and warnings[0].locator.startswith("line ")


def test_through_a_real_case(tmp_path: Path, snap: Path) -> None:
    import cyberevidence as ce

    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    report = case.add(snap / "mydata~1698868800000.zip")
    assert not report.errors and report.events == 10
    assert case.verify().exit_code == 0
    timeline = list(case.timeline(platforms=["snapchat"]))
    assert len(timeline) == 10 and timeline[0].kind == "friend_request"  # 2019 friendship comes first
    assert any(e.text == "Leave me alone." and e.direction == "outgoing" for e in timeline)
    case.close()
