"""LinkedIn download: the public fake export (corpus, no messages.csv) and our own fixtures."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from cyberevidence.events import Event
from cyberevidence.parsers.linkedin import PARSER
from cyberevidence.standalone import source_file_for

from ._helpers import parse_fixture as run


def test_corpus_export_without_messages_gives_connections_and_says_so(corpus: Path) -> None:
    path = corpus / "linkedin" / "hestia_linkedin_fake_export.zip"
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path, tz="UTC")
    assert len(events) == 3000  # SOURCES.md: Connections.csv has 3000 data rows
    assert {e.kind for e in events} == {"connection"} and {e.direction for e in events} == {"unknown"}
    first, last = events[0], events[-1]
    assert first.thread == "Carla Smith" and first.timestamp == datetime(2009, 3, 15, tzinfo=timezone.utc)
    assert first.time_ambiguous and "only the date (15 Mar 2009)" in first.time_note
    assert first.extra["company"] == "Morris, Maddox and Harris"
    assert first.source.locator == "Linkedin-fake-data/Connections.csv:line 5"  # 3 note lines + header before it
    assert last.thread == "Kevin Hudson" and last.source.locator == "Linkedin-fake-data/Connections.csv:line 3004"
    assert Counter(w.code for w in warnings) == {"no_messages": 1, "skipped_notes": 1, "not_read": 1}
    notes = next(w for w in warnings if w.code == "skipped_notes")
    assert notes.message.startswith("3 line(s) of notes") and notes.locator == "Linkedin-fake-data/Connections.csv:line 1"
    assert "no messages.csv" in next(w for w in warnings if w.code == "no_messages").message
    assert "Ad_Targeting.csv" in next(w for w in warnings if w.code == "not_read").message


def test_messages_csv_with_notes_first(fixtures_dir: Path) -> None:
    path = fixtures_dir / "linkedin" / "messages.csv"
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path)
    assert len(events) == 5
    first = events[0]
    assert first.sender == "Mark Kell" and first.recipients == ["Sarah Jones"]
    assert first.text == "Saw you changed jobs.\nCongrats, I guess." and first.extra["subject"] == "Hello again"
    assert first.timestamp == datetime(2023, 3, 1, 10, 0, tzinfo=timezone.utc) and first.source.locator == "line 5"
    assert events[1].direction == "outgoing" and events[1].source.locator == "line 7"  # FOLDER=SENT
    assert events[2].text == '=HYPERLINK("http://example.net","click")'  # kept as text, never evaluated
    assert events[3].timestamp == datetime(2023, 7, 4, 8, 0, tzinfo=timezone.utc)  # no zone: 09:00 BST assumed
    assert events[4].extra["overflow_cells"] == ["surplus"]
    c = Counter(w.code for w in warnings)
    assert c == {"owner": 1, "skipped_notes": 1, "assumed_timezone": 1, "unreadable_date": 1, "extra_cells": 1}
    assert next(w for w in warnings if w.code == "skipped_notes").message.startswith("3 line(s)")
    assert next(w for w in warnings if w.code == "unreadable_date").locator == "line 10"
    # Profile.csv acquired beside it names the account holder
    assert [e.direction for e in events] == ["incoming", "outgoing", "incoming", "incoming", "incoming"]


def test_messages_csv_alone_only_folder_sets_direction(fixtures_dir: Path, tmp_path: Path) -> None:
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.standalone import HashOnlyContext

    alone = tmp_path / "messages.csv"
    alone.write_bytes((fixtures_dir / "linkedin" / "messages.csv").read_bytes())
    items = list(PARSER.parse(source_file_for(alone), HashOnlyContext(ParseOptions())))
    events = [i for i in items if isinstance(i, Event)]
    assert [e.direction for e in events] == ["unknown", "outgoing", "unknown", "unknown", "unknown"]


def test_zip_uses_profile_for_direction(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "linkedin" / "Complete_LinkedInDataExport_11-01-2023.zip", tz="Europe/London")
    msgs = [e for e in events if e.kind == "message"]
    assert [e.direction for e in msgs] == ["incoming", "outgoing", "incoming", "incoming", "incoming"]
    assert msgs[0].source.locator == "messages.csv:line 5"
    conns = [e for e in events if e.kind == "connection"]
    assert [e.thread for e in conns] == ["Mark Kell", "Amy White"]
    assert conns[1].timestamp == datetime(2020, 5, 31, 23, 0, tzinfo=timezone.utc)  # 00:00 BST on 1 Jun
    c = Counter(w.code for w in warnings)
    assert c["owner"] == 1 and c["skipped_notes"] == 2 and c["not_read"] == 1 and "no_messages" not in c
    assert "Invitations.csv" in next(w for w in warnings if w.code == "not_read").message


def test_sniff_refuses_other_csv(tmp_path: Path) -> None:
    other = tmp_path / "messages.csv"
    other.write_text("ID,Timestamp,Contents,Attachments\n1,2020-01-01,hi,\n")
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
