"""DiscordChatExporter JSON parser against the three public samples in the corpus, plus damage."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from cyberevidence.parsers.discord_chat_exporter import PARSER
from cyberevidence.standalone import source_file_for

from ._helpers import of, parse_fixture

run = partial(parse_fixture, tz="UTC")


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=timezone.utc)  # type: ignore[misc]


def test_dm(corpus: Path) -> None:
    path = corpus / "discord" / "chatanalytics_dce_DM_2A_2M.json"
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert [e.sender for e in events] == ["mlomb", "Someones name", "Someones name"]
    assert [e.kind for e in events] == ["message", "message", "call"]
    assert events[0].timestamp == utc(2019, 1, 4, 17, 52, 39, 762000) and events[0].text == "blah"
    assert events[0].extra["reactions"] == [{"emoji": "\N{WHITE UP POINTING BACKHAND INDEX}", "count": 42}]
    assert {e.thread for e in events} == {"530805775262679064"} and events[0].extra["channel_name"] == "Someones name"
    call = events[2]
    assert call.timestamp == utc(2020, 7, 17, 17, 3, 14, 366000) and call.duration_s == 15098  # 17:03:14.366 → 21:14:52.787
    assert events[1].extra["author_nickname"] == "Someones nickname" and events[1].extra["author_id"] == "444444444444444444"
    assert events[2].source.locator == "$.messages[2]"
    assert warnings == []


def test_group_chat(corpus: Path) -> None:
    events, warnings = run(corpus / "discord" / "chatanalytics_dce_GC_3A_5M.json")
    assert len(events) == 6
    assert Counter(e.kind for e in events) == {"message": 3, "system": 2, "call": 1}
    assert set(e.sender for e in events) == {"lombi", "mlomb", "not a plant"}
    assert events[0].timestamp == utc(2023, 1, 17, 19, 33, 7, 489000) and events[-1].timestamp == utc(
        2023, 3, 3, 14, 47, 59, 187000
    )
    assert events[0].extra["message_type"] == "ChannelNameChange"
    assert events[4].extra["reply_to"] == "1064990824305274930" and events[4].text == "woah nice :custom_emoji:"
    assert events[5].duration_s == 6780  # 14:47:59.187 → 16:40:59.313, 113 minutes
    # the file says messageCount 5 but holds 6: all 6 read, the difference reported
    assert "messageCount 5 but holds 6" in of(warnings, "count_mismatch")[0].message


def test_server_channel(corpus: Path) -> None:
    events, warnings = run(corpus / "discord" / "chatanalytics_dce_SV_5A_5M.json")
    assert len(events) == 5 and {e.timestamp.date() for e in events} == {utc(2018, 5, 20).date()}
    assert set(e.sender for e in events) == {"mlomb", "Deleted User"}
    assert events[0].edited and events[0].extra["edited_at"] == "2018-05-20T16:09:56.439Z"
    assert events[0].extra["guild_name"] == "DefleMask" and events[0].extra["channel_name"] == "general-chiptune"
    assert events[3].attachments[0].name == "unknown.png" and events[3].attachments[0].sha256 == ""
    assert events[4].extra["reactions"] == [{"emoji": "paul", "count": 3}, {"emoji": "\u2764", "count": 2}]
    assert of(warnings, "duplicate_message_id")[0].locator == "$.messages[1]"
    assert len(of(warnings, "missing_attachment")) == 1


def test_damaged_file_keeps_messages_before_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        '{"guild": {"id": "0", "name": "Direct Messages"}, "channel": {"id": "9", "name": "x"}, "messages": ['
        '{"id": "1", "type": "Default", "timestamp": "2024-01-01T10:00:00+01:00", "content": "one",'
        ' "author": {"id": "5", "name": "a"}},'
        '{"id": "2", "type": "Default", "timestamp": "nonsense", "content": "two", "author": {"id": "5", "name": "a"}},'
        '{"id": "3", "type": "Default", "timest',
        encoding="utf-8",
    )
    events, warnings = run(path)
    assert [(e.text, e.timestamp) for e in events] == [("one", utc(2024, 1, 1, 9))]
    assert of(warnings, "unreadable_time")[0].locator == "$.messages[1]"
    assert len(of(warnings, "damaged_json")) == 1


def test_sniff_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"name": "chat", "messages": []}', encoding="utf-8")
    assert not PARSER.sniff(source_file_for(path), path.read_bytes())


def test_the_direct_messages_fixture(fixtures_dir: Path) -> None:
    """DiscordChatExporter writes ISO 8601 with the exporting computer's offset: the instant is exact."""
    events, warnings = run(fixtures_dir / "discord_chat_exporter" / "direct-messages-mark.json")
    first, second = events
    assert first.timestamp == datetime(2025, 10, 5, 21, 10, 0, 123000, tzinfo=timezone.utc)  # 22:10:00.123+01:00
    assert (first.sender, first.extra["author_id"]) == ("mark_k", "4400000000000000001")
    assert first.text == "I can see you are online. Answer me."
    assert second.edited and second.timestamp == datetime(2025, 10, 5, 21, 12, 30, tzinfo=timezone.utc)
    assert {e.thread for e in events} == {"1130000000000000002"}  # the channel id
    assert [w.code for w in warnings] == ["missing_attachment"]  # screenshot.png is a URL only: never downloaded
