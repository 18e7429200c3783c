"""signal-export text/JSON parser: the shared corpus's chat-miner sample (SOURCES.md and chat-miner's
own expected parse), the synthetic chat.md / data.json / DST fixtures in fixtures/signal/, and a case."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import ParseError
from cyberevidence.parsers import whatsapp
from cyberevidence.parsers.signal_export import PARSER
from cyberevidence.standalone import source_file_for

from ._helpers import parse_fixture

run = partial(parse_fixture, tz="Europe/London")


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


@pytest.fixture
def sig(fixtures_dir: Path) -> Path:
    return fixtures_dir / "signal"


# -- corpus -----------------------------------------------------------------------------------


def test_corpus_chatminer_sample(corpus: Path) -> None:
    path = corpus / "signal" / "chatminer_signal_export.txt"
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path, tz="UTC")
    # SOURCES.md: 2 msgs: Jane Doe 2019-12-24 12:23, John Doe 2020-01-17 21:49 (2-line)
    assert [(e.sender, e.timestamp, e.text) for e in events] == [
        ("Jane Doe", utc(2019, 12, 24, 12, 23), "Hello John!"),
        ("John Doe", utc(2020, 1, 17, 21, 49), "Hello\nJane!"),
    ]
    assert all(e.platform == "signal" and e.direction == "unknown" for e in events)
    assert {e.thread for e in events} == {"chatminer_signal_export.txt"}  # two named senders: no one-to-one name
    assert warnings == []  # the zone was given
    # chat-miner's expected parse agrees on authors and minutes (it joins the two lines with a space)
    expected = json.loads((corpus / "signal" / "chatminer_signal_expected_parse.json").read_text())
    got = {(e.sender, e.timestamp.strftime("%Y-%m-%dT%H:%M:%S"), e.text.replace("\n", " ")) for e in events}
    assert got == {(x["author"], x["timestamp"], x["message"]) for x in expected}


def test_corpus_sample_local_time_and_assumed_zone(corpus: Path) -> None:
    events, warnings = run(corpus / "signal" / "chatminer_signal_export.txt", tz=None)
    # Europe/London assumed: GMT in December and January, so the instants equal the wall times
    assert events[0].timestamp == utc(2019, 12, 24, 12, 23)
    assert [w.code for w in warnings] == ["assumed_timezone"]


def test_whatsapp_keeps_its_files_and_we_win_the_chatminer_sample(corpus: Path) -> None:
    # WhatsApp's sniffer also accepts the chat-miner sample (same bracket shape); the stronger signature decides
    assert PARSER.strength > whatsapp.PARSER.strength
    for path in sorted((corpus / "whatsapp").rglob("*")):
        if path.is_file() and path.suffix in (".txt", ".zip"):
            assert not PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name


# -- synthetic chat.md / data.json --------------------------------------------------------------


@pytest.mark.parametrize("name", ["chat.md", "data.json"])
def test_signal_export_fixture(sig: Path, name: str) -> None:
    path = sig / name
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path)
    assert len(events) == 7
    assert {e.thread for e in events} == {"Mark Kell"}
    first = events[0]
    # 20:01:00 BST (UTC+1) on 14 Oct 2025
    assert (first.timestamp, first.sender, first.text) == (utc(2025, 10, 14, 19, 1), "Mark Kell", "Why did you block me?")
    assert first.extra["reactions"] == [["Me", "\U0001f44e"]]
    reply = events[1]
    assert (reply.sender, reply.direction, reply.recipients) == ("Me", "outgoing", ["Mark Kell"])
    assert reply.text == "Please stop contacting me." and reply.extra["quote"] == "Why did you block me?"
    assert reply.timestamp == utc(2025, 10, 14, 19, 2, 10)
    media = events[2]
    assert media.text == "Look" and [a.name for a in media.attachments] == ["IMG_0001.jpg", "notes.pdf"]
    assert all(a.sha256 == "" for a in media.attachments)
    missed, outgoing_call = events[3], events[4]
    assert (missed.kind, missed.direction, missed.call_type, missed.extra["missed"]) == ("call", "incoming", "video", True)
    assert (outgoing_call.kind, outgoing_call.direction, outgoing_call.duration_s) == ("call", "outgoing", 125)
    assert events[5].deleted and events[5].text == ""
    assert events[6].text == "line one\nline two"
    assert sorted(w.code for w in warnings) == ["missing_attachment", "missing_attachment"]


def test_chat_md_and_data_json_give_the_same_events(sig: Path) -> None:
    md, _ = run(sig / "chat.md")
    js, _ = run(sig / "data.json")
    assert [e.fingerprint() for e in md] == [e.fingerprint() for e in js]


def test_dst_fold_resolved_by_message_order(sig: Path) -> None:
    events, warnings = run(sig / "dst_fold_chat.md")
    # 26 Oct 2025, Europe/London: 01:00-02:00 happens twice (BST then GMT)
    assert [e.timestamp for e in events] == [
        utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 0, 50),  # first pass (BST)
        utc(2025, 10, 26, 1, 10), utc(2025, 10, 26, 1, 40),  # second pass (GMT), after the clock stepped back
        utc(2025, 10, 26, 2, 5),
    ]  # fmt: skip
    assert [e.time_ambiguous for e in events] == [True, True, True, True, False]
    assert "resolved by message order" in events[0].time_note and "line 3" in events[0].time_note
    assert not any(w.code == "ambiguous_time" for w in warnings)


def test_dst_fold_without_step_and_gap(sig: Path) -> None:
    events, warnings = run(sig / "dst_fold_no_step.md")
    assert [e.timestamp for e in events] == [utc(2025, 10, 26, 0, 20), utc(2025, 10, 26, 0, 40)]
    assert all("earlier instant assumed" in e.time_note for e in events)
    assert [w.code for w in warnings] == ["ambiguous_time"]
    events, warnings = run(sig / "dst_gap_chat.md")
    gap = events[1]
    # 01:30 does not exist on 30 Mar 2025; read with the offset before the change (GMT)
    assert gap.timestamp == utc(2025, 3, 30, 1, 30) and gap.time_ambiguous and "does not exist" in gap.time_note
    assert [w.code for w in warnings] == ["nonexistent_time"]


def test_bad_lines_are_warned_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "chat.md"
    path.write_bytes(
        b"preamble\n[2025-13-40 10:00:00] Mark Kell: impossible date\n[2025-10-14 10:00:00] Mark Kell: ok\nbad \xff byte\n"
    )
    events, warnings = run(path)
    assert len(events) == 1 and events[0].text == "ok\nbad \ufffd byte"
    # the impossible date is warned, and (coming before any message) also reported as unparsed text
    assert [(w.code, w.locator) for w in warnings] == [
        ("unparsed_line", "line 1"), ("invalid_date", "line 2"), ("unparsed_line", "line 2"), ("invalid_utf8", "line 4"),
    ]  # fmt: skip


def test_no_messages_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "chat.md"
    path.write_text("just some notes\n")
    with pytest.raises(ParseError, match=r"chat\.md.*no Signal message"):
        list(PARSER.parse(source_file_for(path), ce.standalone.HashOnlyContext(ce.parsers.base.ParseOptions())))


def test_case_with_media_folder(sig: Path, tmp_path: Path) -> None:
    folder = tmp_path / "Mark Kell"
    folder.mkdir()
    (folder / "chat.md").write_bytes((sig / "chat.md").read_bytes())
    (folder / "2025-10-14T20-05-00.000_00_IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    report = case.add(folder, timezone="Europe/London")
    outcome = next(f for f in report.files if f.original_path.endswith("chat.md"))
    assert outcome.parser == "signal_export" and outcome.events == 7
    assert case.verify().exit_code == 0
    signal = [e for e in case.timeline() if e.platform == "signal"]
    photo = next(e for e in signal if e.text == "Look")
    assert photo.attachments[0].sha256 == ce.hash_file(folder / "2025-10-14T20-05-00.000_00_IMG_0001.jpg")["sha256"]
