"""Telegram JSON parser against every Telegram file of the shared public corpus.

The expected counts are those of ../shared/corpus/SOURCES.md (telegram section); instants are
the files' own ``date_unixtime`` values, or their local ``date`` read in a stated zone.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import telegram_html, telegram_json
from cyberevidence.standalone import parse, source_file_for

pytestmark = pytest.mark.corpus


def run(path: Path, tz: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, warnings=warnings, format="telegram_json"))
    return events, warnings


def unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def codes(warnings: list[ParseWarning]) -> set[str]:
    return {w.code for w in warnings}


#: file -> (entries, kind counts) as SOURCES.md states them ("N entries (m msg, s service)").
COUNTS: dict[str, tuple[int, dict[str, int]]] = {
    "chatanalytics_BIG_20A_5475M.json": (5475, {"message": 5475}),
    "chatanalytics_DM_2A_7M.json": (8, {"message": 6, "system": 1, "call": 1}),
    "chatminer_batch_result.json": (2, {"message": 2}),
    "chatminer_single_chat_result.json": (2, {"message": 2}),
    "chm_telegram_2020-01_result.json": (50, {"message": 42, "system": 6, "call": 2}),
    "chm_telegram_2021-05_result.json": (3, {"message": 1, "system": 2}),
    "chm_telegram_2021-06_supergroup_result.json": (4, {"message": 3, "system": 1}),
    "chm_telegram_2021-07_result.json": (2, {"system": 2}),
    "chm_telegram_2023-01_result.json": (6, {"message": 1, "system": 5}),
    "chm_telegram_2023-08_result.json": (2, {"message": 1, "system": 1}),
    "chm_telegram_2023-10_audio-video_result.json": (4, {"message": 4}),
    "chm_telegram_2023-11_result.json": (1, {"message": 1}),
    "chm_telegram_2024-01_inline-bot-buttons_result.json": (5, {"message": 5}),
    "chm_telegram_2024-01_result.json": (2, {"message": 1, "system": 1}),
    "chm_telegram_2024-02_create-channel_saved-from_result.json": (2, {"message": 1, "system": 1}),
    "chm_telegram_2024-05_boosts_file-name_etc_result.json": (3, {"message": 2, "system": 1}),
    "chm_telegram_2024-06_blockquote-collapsed_result.json": (1, {"message": 1}),
    "chm_telegram_2024-08_result.json": (4, {"message": 3, "system": 1}),
    "chm_telegram_2025-02_joined_file-size_result.json": (2, {"message": 1, "system": 1}),
    "chm_telegram_2025-03_service-photo-size_result.json": (2, {"system": 2}),
    "chm_telegram_2025-12_result.json": (6, {"message": 4, "system": 2}),
    "langchain_docloader_telegram.json": (3, {"message": 3}),
    "langchain_personal_chat_result.json": (4, {"message": 4}),
}
#: Telegram-related corpus files that are not Telegram Desktop exports (SOURCES.md says so).
NOT_EXPORTS = ("chatminer_expected_parse.json", "langchain_docloader_telegram_channel.json")


def test_every_telegram_corpus_file_is_accounted_for(corpus: Path) -> None:
    names = {p.name for p in (corpus / "telegram").iterdir()}
    assert names == set(COUNTS) | set(NOT_EXPORTS) | {"langchain_messages.html"}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "telegram" / name
    assert telegram_json.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    total, kinds = COUNTS[name]
    assert len(events) == total
    assert Counter(e.kind for e in events) == Counter(kinds)
    assert all(e.platform == "telegram" and e.timestamp.tzinfo is not None for e in events)
    assert not codes(warnings) & {"damaged_json", "unreadable_message", "no_time"}
    assert len({e.source.locator for e in events}) == total


@pytest.mark.parametrize("name", NOT_EXPORTS)
def test_non_exports_are_not_taken_for_telegram(corpus: Path, name: str) -> None:
    path = corpus / "telegram" / name
    head = path.read_bytes()[:65536]
    assert not telegram_json.sniff(source_file_for(path), head)
    assert not telegram_html.sniff(source_file_for(path), head)


def test_whatsapp_corpus_is_not_stolen(corpus: Path) -> None:
    for path in (corpus / "whatsapp").rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:65536]
            assert not telegram_json.sniff(source_file_for(path), head), path.name
            assert not telegram_html.sniff(source_file_for(path), head), path.name


def test_big_supergroup(corpus: Path) -> None:
    events, warnings = run(corpus / "telegram" / "chatanalytics_BIG_20A_5475M.json")
    assert len({e.sender for e in events}) == 20
    assert events[0].timestamp_utc == "2017-01-01T06:20:09.248Z"  # ISO with 'Z': stated, not assumed
    assert events[-1].timestamp_utc == "2019-12-31T18:19:24.288Z"
    assert events[0].sender == "Marjory.Cartwright" and events[0].text == "Incidunt consequuntur alias."
    assert events[0].source.locator == "$.messages[0]" and events[-1].source.locator == "$.messages[5474]"
    assert "assumed_timezone" not in codes(warnings)


def test_dm_with_mixed_date_fields(corpus: Path) -> None:
    events, warnings = run(corpus / "telegram" / "chatanalytics_DM_2A_7M.json")
    assert {e.sender for e in events} == {"Alice", "Bob"}
    assert {e.thread for e in events} == {"Bob"}
    joined = events[0]
    assert joined.kind == "system" and joined.text == "Bob joined Telegram"
    world = next(e for e in events if e.text == "world?")
    assert world.timestamp == unix(1652135033)
    call = events[-1]
    assert call.kind == "call" and call.duration_s == 56 and call.extra["discard_reason"] == "hangup"
    assert call.timestamp == unix(1691719862) and call.sender == "Alice"
    assert [e.media_omitted for e in events].count(True) == 2
    # 'date'-only entries are local times: read in the default zone, and the file itself shows it was not London.
    first = events[1]
    assert first.extra["links"] == ["https://google.com"] and first.text == "https://google.com 👀"
    assert first.timestamp == datetime(2019, 7, 12, 15, 55, 32, tzinfo=timezone.utc)  # 16:55:32 BST
    assert {"assumed_timezone", "timezone_mismatch"} <= codes(warnings)
    mismatch = next(w for w in warnings if w.code == "timezone_mismatch")
    assert "UTC-03:00" in mismatch.message and mismatch.locator == "$.messages[7]"
    assert all(e.direction == "unknown" for e in events)  # a single-chat export does not name its owner


def test_chatminer_matches_the_upstream_expectation(corpus: Path) -> None:
    for name in ("chatminer_batch_result.json", "chatminer_single_chat_result.json"):
        events, _ = run(corpus / "telegram" / name)
        assert [(e.timestamp_utc, e.sender) for e in events] == [
            ("2018-12-05T10:39:10Z", "Author 1"),
            ("2018-12-05T10:49:24Z", "Author 2"),
        ]
        assert events[0].text == "Minimal Message"
        assert events[1].text == "Link:https://telegram.org/"  # the parts joined exactly as Telegram split them
        assert events[1].extra["links"] == ["https://telegram.org/"]
    batch, _ = run(corpus / "telegram" / "chatminer_batch_result.json")
    assert batch[0].thread == "Chatname" and batch[0].source.locator == "$.chats.list[0].messages[0]"


def test_2020_01_full_account_export(corpus: Path) -> None:
    path = corpus / "telegram" / "chm_telegram_2020-01_result.json"
    events, warnings = run(path)
    per_chat = Counter(e.thread for e in events)
    assert per_chat == {"ppppppp gggggg": 31, "Vvvvv": 12, "personal_chat 4321012345": 5, "Ddddddd": 2}
    group = [e for e in events if e.thread == "ppppppp gggggg"]
    assert Counter(e.kind for e in group) == {"message": 26, "system": 5}
    actions = [e.extra.get("action") for e in events if e.kind in ("system", "call")]
    assert actions == [
        "create_group", "edit_group_photo", "remove_members", "pin_message", "invite_members",
        "phone_call", "phone_call", "clear_history",
    ]  # fmt: skip
    missed, answered = (e for e in events if e.kind == "call")
    assert missed.extra["missed"] and missed.duration_s is None and missed.text == "Missed call"
    assert answered.duration_s == 77 and answered.extra["discard_reason"] == "hangup"
    assert missed.sender == "Vvvvv Vvvvvvvvv" and missed.direction == "incoming"
    # personal_information names the owner (user_id 11111111; old versions write from_id as a number).
    own = [e for e in events if e.sender == "Aaaaa Aaaaaaaaaaa"]
    assert own and all(e.direction == "outgoing" for e in own)
    assert all(e.direction == "incoming" for e in events if e.sender not in ("Aaaaa Aaaaaaaaaaa", ""))
    # 'edited: 1970-01-01T05:00:00' means never edited; one message really was.
    assert [e.extra["message_id"] for e in events if e.edited] == [67346, 129455]
    reply = next(e for e in events if e.extra.get("message_id") == 39740)
    assert reply.extra["reply_to_message_id"] == 39739 and reply.text == "+, окно в Ад"
    fwd = next(e for e in events if e.extra.get("message_id") == 39125)
    assert fwd.extra["forwarded_from"] == "Hearthstone Channel" and fwd.media_omitted
    nameless = [e for e in events if e.thread == "personal_chat 4321012345"]
    assert {e.sender for e in nameless} == {"32507588"}  # "from": null: the id stands in
    assert [e.text for e in nameless][-1] == "...and we expect order to be preserved."
    sticker = next(e for e in events if e.extra.get("message_id") == 4744)
    assert [a.name for a in sticker.attachments] == [
        "chats/chat_01/stickers/sticker.webp",
        "chats/chat_01/stickers/sticker.webp_thumb.jpg",
    ]
    assert all(a.sha256 == "" for a in sticker.attachments)  # not supplied with the corpus file
    # All times are local only; the 1970 placeholder shows the exporting computer was at UTC+05:00.
    mismatch = [w for w in warnings if w.code == "timezone_mismatch"]
    assert len(mismatch) == 1 and "UTC+05:00" in mismatch[0].message
    assert events[0].timestamp == datetime(2016, 11, 9, 0, 26, 24, tzinfo=timezone.utc)  # read as London (GMT)
    # Asia/Samarkand was UTC+05:00 in 1970 and in 2016 (Asia/Tashkent was +06:00 in 1970, so it would not fit).
    uzbek, uw = run(path, tz="Asia/Samarkand")
    assert uzbek[0].timestamp == datetime(2016, 11, 8, 19, 26, 24, tzinfo=timezone.utc)
    assert "timezone_mismatch" not in codes(uw) and "assumed_timezone" not in codes(uw) and "local_times" in codes(uw)


def test_format_versions_2021_to_2025(corpus: Path) -> None:
    tg = corpus / "telegram"
    e, _ = run(tg / "chm_telegram_2021-05_result.json")
    assert [x.extra["action"] for x in e if x.kind == "system"] == ["create_group", "migrate_from_group"]
    assert e[2].text == "Hello there!" and e[2].direction == "incoming"
    e, _ = run(tg / "chm_telegram_2021-06_supergroup_result.json")
    assert e[1].text == "Message text with emoji 🙂"
    assert e[3].extra["contact_information"]["phone_number"] == "+998 91 1234567" and e[3].direction == "outgoing"
    e, _ = run(tg / "chm_telegram_2021-07_result.json")
    assert [x.text for x in e] == [
        "Eeeee Eeeeeeeeee invited Www Wwwwww to the voice chat",
        "Eeeee Eeeeeeeeee invited Myself to the voice chat",
    ]
    e, _ = run(tg / "chm_telegram_2023-01_result.json")
    msg = next(x for x in e if x.kind == "message")
    assert msg.text == "this contains a lot of stuff: 😁http://mylink.org/HIDE ME"
    assert msg.timestamp == unix(1479387460) and msg.extra["links"] == ["http://mylink.org/"]
    e, _ = run(tg / "chm_telegram_2023-08_result.json")
    assert e[1].sender == "user5555555555" and e[1].text == "My message!"  # deleted account: name null
    e, _ = run(tg / "chm_telegram_2023-10_audio-video_result.json")
    assert [x.extra["media_type"] for x in e] == ["audio_file", "audio_file", "video_file", "video_file"]
    assert e[1].extra["duration_seconds"] == 123 and e[1].attachments[0].name == "audio_file.mp3"
    e, _ = run(tg / "chm_telegram_2023-11_result.json")
    assert e[0].text == "This has blockquote!My blockquote text" and e[0].direction == "outgoing"
    e, _ = run(tg / "chm_telegram_2024-01_inline-bot-buttons_result.json")
    assert e[0].extra["buttons"][0] == {"text": "Button link 1", "data": "https://www.example.com/"}
    e, _ = run(tg / "chm_telegram_2024-01_result.json")
    assert e[0].extra["reply_to_message_id"] == 1234567 and e[0].extra["reply_to_peer_id"] == "channel9876543210"
    assert e[1].extra["action"] == "set_messages_ttl"
    e, _ = run(tg / "chm_telegram_2024-02_create-channel_saved-from_result.json")
    assert e[0].text == "Channel «Dummy Supergroup» created"
    assert e[1].extra["forwarded_from"] == "Forwarded From Name" and e[1].extra["saved_from"] == "Saved From Name"
    e, _ = run(tg / "chm_telegram_2024-05_boosts_file-name_etc_result.json")
    assert e[0].media_omitted and e[0].extra["file_name"] == "my-file.jpg"
    assert e[2].extra["action"] == "boost_apply"
    e, _ = run(tg / "chm_telegram_2024-06_blockquote-collapsed_result.json")
    assert e[0].edited and e[0].extra["edited_at"] == "2022-10-11T14:49:15Z"
    e, _ = run(tg / "chm_telegram_2024-08_result.json")
    assert e[0].extra["author"] == "Admin Nickname" and e[1].extra["via_bot"] == "@SomeBot"
    assert e[3].media_omitted and e[3].extra["media_omitted_reason"].startswith("(File unavailable")
    e, _ = run(tg / "chm_telegram_2025-02_joined_file-size_result.json")
    assert e[0].text == "Aaaaa Aaaaaaaaaaa joined Telegram" and e[1].extra["file_size"] == 1337
    e, _ = run(tg / "chm_telegram_2025-03_service-photo-size_result.json")
    assert [a.name for x in e for a in x.attachments] == ["path/to/photo.jpg", "path/to/suggested_photo.jpg"]
    e, _ = run(tg / "chm_telegram_2025-12_result.json")
    assert Counter(x.thread for x in e) == {"Dummy Private Group": 5, "Dummy Public Channel": 1}
    assert [x.extra.get("action") for x in e if x.kind == "system"] == ["paid_messages_price_change", "todo_completions"]
    assert e[2].extra["todo_title"] == "testing" and e[2].edited


def test_langchain_files(corpus: Path) -> None:
    path = corpus / "telegram" / "langchain_docloader_telegram.json"
    grace = json.loads(path.read_text(encoding="utf-8"))["messages"][2]["from"]
    assert grace.startswith("Grace ðŸ§¤ ðŸ")  # double-encoded UTF-8 in the file itself
    e, w = run(path)
    assert Counter(x.sender for x in e) == {"Henry": 2, grace: 1}  # kept exactly as written, not "repaired"
    assert e[0].timestamp == datetime(2020, 1, 1, 0, 0, 2, tzinfo=timezone.utc)  # local GMT in January
    assert "assumed_timezone" in codes(w)
    e, w = run(corpus / "telegram" / "langchain_personal_chat_result.json")
    assert Counter(x.sender for x in e) == {"Jimmeny Marvelton": 3, "Batman & Robin": 1}
    assert [x.timestamp_utc for x in (e[0], e[-1])] == ["2023-08-23T20:11:23Z", "2023-08-23T20:15:53Z"]
    assert e[0].text == "i refuse to converse with you" and e[0].extra["shown_time"] == "2023-08-23T13:11:23"
    assert not w
