"""Google Takeout: corpus Location History / My Activity (recognised, not events) and our own
Google Chat and Hangouts fixtures (no public sample of those exists, see SOURCES.md)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.google_takeout import PARSER, parse_chat_date
from cyberevidence.standalone import HashOnlyContext, source_file_for

from ._helpers import parse_fixture as run


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("gtakeout2sqlite_Location_History.json", "holds 2 location record(s)"),  # SOURCES.md: 2 locations
        ("gtakeout2sqlite_MyActivity_Search.json", "holds 2 activity item(s)"),  # SOURCES.md: 2 activity items
    ],
)
def test_corpus_files_are_recognised_but_give_no_events(corpus: Path, name: str, what: str) -> None:
    path = corpus / "google_takeout" / name
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path)
    assert events == []
    assert [w.code for w in warnings] == ["not_contact_evidence"]
    assert what in warnings[0].message and "not turned into timeline events" in warnings[0].message


def test_chat_dates() -> None:
    utc = timezone.utc
    assert parse_chat_date("Wednesday, 1 March 2023 at 10:00:00 UTC") == (datetime(2023, 3, 1, 10, tzinfo=utc), True)
    assert parse_chat_date("Wednesday, March 1, 2023 at 10:05:00\u202fPM UTC") == (datetime(2023, 3, 1, 22, 5, tzinfo=utc), True)
    assert parse_chat_date("Thursday, 2 March 2023 at 08:00:00 UTC+1") == (datetime(2023, 3, 2, 7, 0, tzinfo=utc), True)
    assert parse_chat_date("Monday, 3 April 2023 at 12:00:00 UTC-05:30") == (datetime(2023, 4, 3, 17, 30, tzinfo=utc), True)
    assert parse_chat_date("Saturday, 1 July 2023 at 21:00:00") == (datetime(2023, 7, 1, 21, 0), False)
    assert parse_chat_date("Saturday, 1 July 2023 at 21:00:00 PST") is None
    assert parse_chat_date("Tuesday, 31 February 2023 at 21:00:00 UTC") is None


def test_google_chat_file(fixtures_dir: Path) -> None:
    path = fixtures_dir / "google_takeout" / "messages.json"
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path)
    assert [e.text for e in events] == ["Are you ignoring me?", "look at this", "Stop contacting me.", "no zone here", ""]
    assert {e.platform for e in events} == {"google_chat"}
    assert events[0].sender == "Mark Kell" and events[0].extra["sender_email"] == "mark.kell@example.net"
    assert events[1].timestamp == datetime(2023, 3, 1, 22, 5, tzinfo=timezone.utc)
    assert events[2].timestamp == datetime(2023, 3, 2, 7, 0, tzinfo=timezone.utc) and events[2].edited
    assert events[3].timestamp == datetime(2023, 7, 1, 20, 0, tzinfo=timezone.utc)  # 21:00 BST assumed
    assert events[4].deleted
    assert events[1].source.locator == "$.messages[1]"
    c = Counter(w.code for w in warnings)
    assert c == {"missing_attachment": 2, "assumed_timezone": 1, "unreadable_date": 1}


def test_hangouts_file(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "google_takeout" / "Hangouts.json")
    assert [(e.kind, e.direction) for e in events] == [
        ("message", "incoming"),
        ("message", "outgoing"),
        ("message", "incoming"),
        ("call", "incoming"),
        ("system", "incoming"),
    ]
    assert {e.platform for e in events} == {"hangouts"} and {e.thread for e in events} == {"Mark Kell"}
    first = events[0]
    assert first.text == "hey\nanswer me" and first.sender == "Mark Kell"
    assert first.timestamp == datetime(2015, 2, 20, 18, 53, 51, 291000, tzinfo=timezone.utc)
    assert events[1].recipients == ["Mark Kell"] and events[1].sender == "Sarah Jones"
    assert events[2].media_omitted and events[2].extra["attachments"] == 1
    assert events[3].call_type == "video" and events[3].duration_s == 95
    assert first.source.locator == "$.conversations[0].events[0]"
    assert [w.code for w in warnings] == ["unreadable_date"] and warnings[0].locator == "$.conversations[0].events[5]"


def test_takeout_zip(fixtures_dir: Path) -> None:
    path = fixtures_dir / "google_takeout" / "takeout-20231101T200000Z-001.zip"
    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source_file_for(path), ctx))
    derived = [d[1] for d in ctx.derived]
    group = "Takeout/Google Chat/Groups/DM 8kXb2AAAAAE"
    assert f"{group}/messages.json" in derived and f"{group}/File-photo.png" in derived
    assert "Takeout/Hangouts/Hangouts.json" in derived and "Takeout/My Activity/Search/My Activity.json" in derived
    assert f"{group}/group_info.json" not in derived  # not read, so not derived
    events = [i for i in items if isinstance(i, Event)]
    chat = [e for e in events if e.platform == "google_chat"]
    assert len(chat) == 5 and len(events) == 10
    assert {e.thread for e in chat} == {"DM 8kXb2AAAAAE"}
    assert [e.direction for e in chat] == [
        "incoming",
        "incoming",
        "outgoing",
        "incoming",
        "incoming",
    ]  # owner from user_info.json
    photo = chat[1].attachments[0]
    assert photo.name == "File-photo.png" and photo.sha256 == next(d[2].sha256 for d in ctx.derived if d[1].endswith(".png"))
    assert chat[4].attachments[0].sha256 == ""
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    assert Counter(w.code for w in warnings)["not_contact_evidence"] == 1


def test_through_a_real_case(tmp_path: Path, fixtures_dir: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    report = case.add(fixtures_dir / "google_takeout" / "takeout-20231101T200000Z-001.zip", note="victim's Takeout")
    assert not report.errors and report.events == 10
    assert case.verify().exit_code == 0
    timeline = list(case.timeline())
    assert len(timeline) == 10
    assert Counter(e.platform for e in timeline) == {"google_chat": 5, "hangouts": 5}
    assert any(e.text == "Stop contacting me." for e in timeline)
    assert any(w.code == "not_contact_evidence" for w in case.warnings())
    case.close()
