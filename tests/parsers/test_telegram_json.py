"""Telegram JSON parser against the project's synthetic fixtures (fixtures/telegram/).

Expected instants are worked out by hand from the fixtures' London wall times (BST = UTC+1
until 26 October 2025, GMT afterwards).
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.telegram_json import PARSER, sniff
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for
from cyberevidence.timeutil import zone

from ._helpers import of
from ._helpers import parse_fixture as run


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


@pytest.fixture
def tg(fixtures_dir: Path) -> Path:
    return fixtures_dir / "telegram"


def test_single_chat(tg: Path) -> None:
    events, warnings = run(tg / "json_single" / "result.json")
    assert [e.source.locator for e in events] == [f"$.messages[{i}]" for i in range(9)]
    assert {e.thread for e in events} == {"Mark Kell"}
    old, parts, photo, missed, answered, edited, fwd, reply, video = events
    # An old-version entry: local time only, read as London (BST in July) with the assumption recorded.
    assert old.timestamp == utc(2019, 7, 5, 20, 15) and old.extra["from_id"] == "4455667788"
    assert not old.edited  # "edited": "1970-01-01T01:00:00" is the "never edited" placeholder
    assumed = of(warnings, "assumed_timezone")
    assert len(assumed) == 1 and assumed[0].locator == "$.messages[0]" and "Europe/London" in assumed[0].message
    assert not of(warnings, "timezone_mismatch")  # London was UTC+01:00 at the 1970 epoch, as the placeholder says
    # Text parts joined; links and mentions kept.
    assert parts.text == "You blocked me again. https://example.net/where-are-you @priya_s look"
    assert parts.extra["links"] == ["https://example.net/where-are-you", "https://example.net/track?id=7"]
    assert parts.extra["mentions"] == ["@priya_s"]
    assert parts.timestamp == utc(2025, 10, 5, 21, 5)  # from date_unixtime
    assert photo.attachments[0].name == "photos/photo_1@05-10-2025_22-10-00.jpg"
    assert missed.kind == "call" and missed.call_type == "call" and missed.extra["missed"] is True
    assert missed.text == "Missed call" and missed.duration_s is None and missed.timestamp == utc(2025, 10, 5, 22, 40)
    assert answered.kind == "call" and answered.duration_s == 95 and answered.extra["discard_reason"] == "hangup"
    assert not answered.extra["missed"]
    assert edited.edited and edited.extra["edited_at"] == "2025-10-06T08:03:00Z"
    assert fwd.extra["forwarded_from"] == "Priya Shah" and fwd.extra["forwarded_from_id"] == "user1122334455"
    assert reply.sender == "Priya Shah" and reply.extra["reply_to_message_id"] == 2005
    assert video.media_omitted and video.attachments == [] and video.extra["media_type"] == "video_file"
    assert all(e.direction == "unknown" for e in events)  # no personal_information in a single-chat export


def test_photo_is_linked_to_the_stored_sibling_by_relative_path(tg: Path) -> None:
    folder = tg / "json_single"
    rel = "photos/photo_1@05-10-2025_22-10-00.jpg"
    photo = source_file_for(folder / rel)
    source = source_file_for(folder / "result.json", {rel: photo})
    ctx = HashOnlyContext(ParseOptions(timezone=zone("Europe/London"), timezone_assumed=False))
    items = list(PARSER.parse(source, ctx))
    events = [i for i in items if isinstance(i, Event)]
    att = events[2].attachments[0]
    assert att.sha256 == hashlib.sha256((folder / rel).read_bytes()).hexdigest() == photo.sha256
    assert att.media_type == "image/jpeg"
    assert ctx.derived == []  # siblings are already stored: nothing is hashed again
    assert not [i for i in items if isinstance(i, ParseWarning) and i.code == "missing_attachment"]
    # The given zone replaces the assumption.
    assert [i.code for i in items if isinstance(i, ParseWarning)] == ["local_times"]


def test_without_the_media_folder_the_photo_is_named_and_warned(tg: Path) -> None:
    events, warnings = run(tg / "json_single" / "result.json")
    assert events[2].attachments[0].sha256 == ""
    (missing,) = of(warnings, "missing_attachment")
    assert missing.locator == "$.messages[2]" and "photos/photo_1@05-10-2025_22-10-00.jpg" in missing.message


def test_hostile_media_paths_are_never_followed(tg: Path, tmp_path: Path) -> None:
    outside = source_file_for(tg / "json_single" / "photos" / "photo_1@05-10-2025_22-10-00.jpg")
    data = {
        "name": "X",
        "type": "personal_chat",
        "id": 1,
        "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1700000000", "from": "X", "from_id": "user1",
             "photo": "../secret.jpg", "file": "/etc/passwd", "text": ""},
        ],
    }  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    source = source_file_for(path, {"../secret.jpg": outside, "/etc/passwd": outside})
    ctx = HashOnlyContext(ParseOptions())
    (event,) = [i for i in PARSER.parse(source, ctx) if isinstance(i, Event)]
    assert [a.sha256 for a in event.attachments] == ["", ""]


def test_whole_account_export_sets_direction_from_the_owner(tg: Path) -> None:
    events, warnings = run(tg / "account_export" / "result.json")
    assert [e.source.locator for e in events] == [
        "$.chats.list[0].messages[0]",
        "$.chats.list[0].messages[1]",
        "$.chats.list[0].messages[2]",
        "$.chats.list[1].messages[0]",
        "$.left_chats.list[0].messages[0]",
    ]
    assert [(e.sender, e.direction) for e in events] == [
        ("Mark Kell", "incoming"),
        ("Priya Shah", "outgoing"),
        ("Mark Kell", "incoming"),
        ("Priya Shah", "outgoing"),
        ("Mark Kell", "incoming"),
    ]
    assert events[2].kind == "call" and events[2].extra["missed"]
    assert events[3].thread == "saved_messages 1122334455"  # a chat without a name
    assert events[4].thread == "Running club" and events[4].extra["left_chat"] is True
    assert events[0].extra["export_owner_id"] == "user1122334455"
    assert events[4].timestamp == utc(2025, 9, 20, 7, 0)
    assert not warnings  # contacts are skipped, not turned into events


def test_truncated_export_keeps_what_came_before_the_damage(tg: Path) -> None:
    events, warnings = run(tg / "truncated" / "result.json")
    assert [e.text for e in events] == ["Why won't you answer?", "Do not contact me again.", "Missed call"]
    (damage,) = of(warnings, "damaged_json")
    assert damage.locator == "$.chats.list[1].messages[0]" and "3 event(s)" in damage.message


@pytest.mark.parametrize(
    "content",
    [b'{"messages": [ \x00\x01 garbage', b'{"name": "x", "type": "personal_chat", "messages": [', b"[1, 2, 3]"],
)
def test_unreadable_files_raise_a_located_parse_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with pytest.raises(ParseError) as info:
        list(parse(path, format="telegram_json"))
    assert info.value.file == "result.json" and info.value.locator.startswith("$")


def test_a_message_of_the_wrong_shape_is_skipped_with_a_warning(tmp_path: Path) -> None:
    data = {
        "name": "X",
        "type": "personal_chat",
        "id": 1,
        "messages": [
            "not an object",
            {"id": 2, "type": "message", "from": "X", "from_id": "user1", "text": "no date"},
            {"id": 3, "type": "message", "date_unixtime": "1700000000", "from": "X", "from_id": "user1",
             "text": {"weird": True}, "photo": 12},
            {"id": 4, "type": "message", "date_unixtime": "1700000001", "from": "X", "from_id": "user1", "text": "ok"},
        ],
    }  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    events, warnings = run(path)
    assert [e.text for e in events] == ["", "ok"]
    assert [(w.code, w.locator) for w in warnings] == [
        ("unreadable_message", "$.messages[0]"),
        ("no_time", "$.messages[1]"),
    ]


def test_sniff_is_content_based_and_strict(tg: Path, fixtures_dir: Path) -> None:
    for path in (tg / "json_single" / "result.json", tg / "account_export" / "result.json", tg / "truncated" / "result.json"):
        assert sniff(source_file_for(path), path.read_bytes()[:65536])
    for path in (fixtures_dir / "whatsapp").rglob("*"):
        if path.is_file():
            assert not sniff(source_file_for(path), path.read_bytes()[:65536]), path.name
    others = [
        b'{"messages": [{"sender_name": "A", "timestamp_ms": 1, "content": "hi"}], "participants": []}',  # Messenger
        b'{"guild": {}, "channel": {}, "messages": [{"id": "1", "timestamp": "2020", "author": {}}]}',  # Discord
        b'[{"sender_id": -1, "text": "x", "date": "2023-05-15T19:30:49+00:00"}]',  # Telethon list
    ]
    for head in others:
        assert not sniff(source_file_for(tg / "json_single" / "result.json"), head)


@pytest.mark.slow
def test_memory_stays_flat_per_message(tmp_path: Path) -> None:
    """A 10 000-message export (about 8 MB) is streamed: peak Python memory is a small fraction of the file."""
    path = tmp_path / "result.json"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"name": "Big", "type": "personal_chat", "id": 9, "messages": [')
        for i in range(10_000):
            sep = "," if i else ""
            msg = {"id": i, "type": "message", "date_unixtime": str(1_700_000_000 + i), "from": "Mark Kell",
                   "from_id": "user4455667788", "text": f"message {i} " + "x" * 700}  # fmt: skip
            fh.write(sep + json.dumps(msg))
        fh.write("]}")
    size = path.stat().st_size
    source = source_file_for(path)
    ctx = HashOnlyContext(ParseOptions())
    tracemalloc.start()
    count = 0
    for item in PARSER.parse(source, ctx):
        count += isinstance(item, Event)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 10_000
    assert peak < size / 10, (peak, size)


def test_through_a_real_case(tg: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith", timezone="Europe/London")
    report = case.add(tg / "account_export", tg / "json_single")
    parsed = [(f.original_path, f.events) for f in report.files if f.parser == "telegram_json"]
    assert parsed == [("result.json", 5), ("result.json", 9)]  # the photo is acquired too (other parsers may read it)
    assert not report.errors
    assert case.verify().exit_code == 0
    timeline = list(case.timeline(platforms=["telegram"]))
    assert len(timeline) == 14
    assert [e.timestamp for e in timeline] == sorted(e.timestamp for e in timeline)
    first = timeline[0]
    assert first.text == "Saw you at the station tonight." and first.timestamp == utc(2019, 7, 5, 20, 15)
    stored = {e.source.locator: e for e in timeline if e.thread == "Mark Kell" and e.kind == "call"}
    assert {e.duration_s for e in stored.values()} == {None, 95}
    outgoing = [e for e in timeline if e.direction == "outgoing"]
    assert {e.text for e in outgoing} == {"Do not contact me again.", "Note to self: screenshot everything."}
    warnings = case.warnings()
    assert any(w.code == "assumed_timezone" for w in warnings)


def test_case_links_media_from_the_export_subfolders(tg: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith", timezone="Europe/London")
    case.add(tg / "json_single")
    photo = next(e for e in case.timeline() if e.text == "Nice dress today")
    jpeg = tg / "json_single" / "photos" / "photo_1@05-10-2025_22-10-00.jpg"
    assert photo.attachments[0].sha256 == hashlib.sha256(jpeg.read_bytes()).hexdigest()
