"""The case_record parser: a stored diary entry or marker version becomes one event."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cyberevidence.errors import ParseError
from cyberevidence.parsers.case_record import PARSER
from cyberevidence.records import make_diary_entry, make_marker, record_bytes
from cyberevidence.standalone import parse, source_file_for

LONDON = ZoneInfo("Europe/London")


def test_a_diary_entry_is_the_victims_account(tmp_path: Path) -> None:
    entry = make_diary_entry("2025-10-26 01:30", "Phone buzzed all night", LONDON, place="Home")
    path = tmp_path / "d.json"
    path.write_bytes(record_bytes(entry))
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    (ev,) = list(parse(path))
    assert (ev.kind, ev.platform, ev.sender, ev.text) == ("diary", "diary", "victim's diary", "Phone buzzed all night")
    assert ev.timestamp_utc == "2025-10-26T00:30:00Z"  # the earlier of the two 01:30s, and it says so
    assert "repeated hour" in ev.time_note
    assert ev.extra["place"] == "Home" and ev.extra["record_version"] == 1


def test_a_marker(tmp_path: Path) -> None:
    marker = make_marker("blocked", "2025-03-12T20:00:00+00:00", LONDON, person="Mark Kell", platform="whatsapp")
    path = tmp_path / "m.json"
    path.write_bytes(record_bytes(marker))
    (ev,) = list(parse(path))
    assert (ev.kind, ev.text, ev.thread, ev.timestamp_utc) == ("marker", "blocked", "Mark Kell", "2025-03-12T20:00:00Z")


def test_other_json_is_not_claimed_and_a_broken_record_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"messages": []}', encoding="utf-8")
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
    broken = tmp_path / "b.json"
    broken.write_text('{"format":"cyberevidence-record/1","type":"diary","record":{"entry_id":"D-1"}}', encoding="utf-8")
    with pytest.raises(ParseError, match="not a readable diary entry"):
        list(parse(broken, format="case_record"))
