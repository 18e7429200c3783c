"""Facebook parser: the shared corpus (exact counts from SOURCES.md) and the synthetic fixtures."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.parsers._meta_mojibake import repair_text
from cyberevidence.parsers.facebook import PARSER
from cyberevidence.parsers.instagram import PARSER as INSTAGRAM
from cyberevidence.standalone import source_file_for

from ._helpers import of
from ._helpers import parse_fixture as run


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def sniffed(path: Path) -> bool:
    return bool(PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]))


@pytest.fixture
def fb(fixtures_dir: Path) -> Path:
    return fixtures_dir / "facebook"


# -- the shared corpus -----------------------------------------------------------------------


def test_corpus_chatanalytics_message_1(corpus: Path) -> None:
    path = corpus / "facebook_messenger" / "chatanalytics_2A_7M_message_1.json"
    assert sniffed(path)
    events, warnings = run(path)
    assert len(events) == 7
    assert Counter(e.sender for e in events) == {"Alice": 2, "Bob": 5}
    assert events[0].timestamp == utc(2014, 11, 5, 0, 35, 32, 56) and events[0].text == "Hello"  # newest first
    assert min(e.timestamp for e in events) == utc(2014, 11, 5, 0, 27, 20, 411)
    assert {e.thread for e in events} == {"Alice"} and events[0].extra["thread_path"] == "inbox/alice_aaaaaaaaaa"
    assert events[0].recipients == ["Bob"]
    assert events[3].extra["ip"] == "1.1.1.1"  # unknown keys are kept
    named = [a.name for e in events for a in e.attachments]
    assert named == [
        "messages/inbox/alice_aaaaaaaaaa/files/blabla.docx",
        "messages/inbox/alice_aaaaaaaaaa/audio/audioclip11111.mp4",
        "messages/stickers_used/123123123123123.png",
        "messages/inbox/alice_aaaaaaaaaa/photos/123123123123123.jpg",
    ]
    assert all(e.media_omitted for e in events[3:]) and events[5].extra["sticker"] is True
    assert [w.locator for w in of(warnings, "missing_attachment")] == [f"$.messages[{i}]" for i in (3, 4, 5, 6)]
    assert not of(warnings, "mojibake_repaired")  # no mojibake escapes in this file
    assert all(e.direction == "unknown" for e in events)  # a single file names no owner


def test_corpus_langchain_facebook_chat(corpus: Path) -> None:
    path = corpus / "facebook_messenger" / "langchain_facebook_chat.json"
    assert sniffed(path)
    events, _ = run(path)
    assert len(events) == 11
    assert Counter(e.sender for e in events) == {"User 1": 5, "User 2": 6}
    assert events[0].timestamp == utc(2023, 2, 5, 11, 46, 11, 851) and events[0].text == "Bye!"
    assert events[-1].timestamp == utc(2023, 2, 4, 22, 17, 2, 673)
    assert events[-1].text.startswith("Hi! Im interested in your bag.")
    assert {e.thread for e in events} == {"User 1 and User 2 chat"}
    assert sum(len(e.attachments) for e in events) == 1 and events[6].media_omitted
    assert events[6].source.locator == "$.messages[6]"


def test_corpus_legacy_messages_htm(corpus: Path) -> None:
    path = corpus / "facebook_messenger" / "fbchatarchive_legacy_messages.htm"
    assert sniffed(path)
    events, warnings = run(path)
    assert len(events) == 20
    assert Counter(e.thread for e in events) == {
        "First User 一, Second User 二": 5,
        "First User 一, Third User 三": 7,
        "First User 一, Second User 二, Third User 三": 8,
    }
    assert {e.sender for e in events} == {"First User 一", "Second User 二", "Third User 三"}
    first = events[0]
    assert first.timestamp == utc(2013, 10, 5, 5, 5)  # Friday, October 4, 2013 at 10:05pm PDT
    assert first.text == "The last message! Hello\x10"  # the file has a U+0010 there: kept as written
    assert first.sender == "Second User 二" and first.recipients == ["First User 一"]
    assert first.extra["shown_time"] == "Friday, October 4, 2013 at 10:05pm PDT"
    late = next(e for e in events if e.text == "8")
    assert late.timestamp == utc(2015, 12, 14, 20, 3)  # 1:03pm "PDT" as written, UTC-7
    assert [e.text for e in events if e.thread == "First User 一, Third User 三"] == ["7", "6", "5", "4", "3", "2", "1"]
    # The page's <h1> names the owner, so directions are set.
    assert of(warnings, "account_owner")[0].message.startswith("the account owner is 'First User 一'")
    assert Counter(e.direction for e in events) == {"incoming": 16, "outgoing": 4}  # 4 spans name First User
    assert events[5].source.locator == "div.thread[1] div.message[0]"


def test_corpus_instagram_single_threads_are_not_distinguishable_by_content(corpus: Path) -> None:
    """Stated limit: a bare message_1.json without an Instagram mark is taken by the Facebook parser."""
    for name in ("hestia_jaybaker_message_1.json", "chatminer_message_1.json"):
        path = corpus / "instagram" / name
        assert sniffed(path)
        assert not INSTAGRAM.sniff(source_file_for(path), path.read_bytes()[:65536])


def test_corpus_other_platforms_are_not_claimed(corpus: Path) -> None:
    for path in sorted((corpus / "telegram").glob("*.json"))[:10]:
        assert not sniffed(path), path.name
    for path in sorted((corpus / "discord").glob("*.json")):
        assert not sniffed(path), path.name
    assert not sniffed(corpus / "instagram" / "hestia_instagram_fake_dyi.zip")


# -- mojibake --------------------------------------------------------------------------------


def test_repair_rule() -> None:
    assert repair_text("caf\u00c3\u00a9") == "café"
    assert repair_text("\u00f0\u009f\u0098\u0080") == "😀"
    assert repair_text("café") is None and repair_text("naïve") is None  # not valid UTF-8 as bytes
    assert repair_text("5 € — ok") is None  # characters above U+00FF: not mojibake
    assert repair_text("plain") is None


def test_mojibake_thread_is_repaired(fb: Path) -> None:
    events, warnings = run(fb / "mojibake_message_1.json")
    assert [e.text for e in events] == ["Ça va? 😀 On se voit au café", "Très bien, merci — à bientôt"]
    assert events[0].sender == "Zoë Müller" and events[0].thread == "Zoë Müller"
    assert events[1].recipients == ["Zoë Müller"]
    assert events[0].extra["reactions"] == [{"reaction": "❤", "actor": "Sarah Jones"}]
    assert events[0].timestamp == utc(2025, 10, 14, 19, 2)
    (info,) = of(warnings, "mojibake_repaired")
    assert info.message.startswith("6 text value(s)") and info.locator == "$"


def test_correct_utf8_file_is_left_alone(fb: Path) -> None:
    raw = (fb / "correct_utf8_message_1.json").read_text(encoding="utf-8")
    assert "café" in raw and "naïve" in raw
    events, warnings = run(fb / "correct_utf8_message_1.json")
    assert [e.text for e in events] == ["Don't be naïve, meet me at the café", "Café crème, 5 € — ok"]
    assert not of(warnings, "mojibake_repaired")


# -- E2EE, HTML, malformed --------------------------------------------------------------------


def test_e2ee_export(fb: Path) -> None:
    path = fb / "Mark Kell_3.json"
    assert sniffed(path)
    events, warnings = run(path)
    assert [e.timestamp for e in events] == [
        utc(2025, 11, 1, 21, 15, 30), utc(2025, 11, 1, 21, 16), utc(2025, 11, 1, 21, 17), utc(2025, 11, 1, 21, 18)
    ]  # fmt: skip
    assert {e.thread for e in events} == {"Mark Kell"} and all(e.extra["e2ee"] for e in events)
    assert events[0].text == "You blocked me on the old chat" and events[0].recipients == ["Sarah Jones"]
    assert events[1].attachments[0].name == "./media/5f1c2d3e.jpeg" and events[1].media_omitted
    assert events[1].extra["reactions"] == [{"actor": "Mark Kell", "reaction": "😡"}]
    assert events[2].deleted and not events[0].deleted
    assert events[3].media_omitted and [w.locator for w in of(warnings, "media_not_exported")] == ["$.messages[3]"]


def test_modern_html_thread(fb: Path) -> None:
    path = fb / "message_1.html"
    assert sniffed(path)
    events, warnings = run(path)
    assert [(e.sender, e.text) for e in events[:2]] == [
        ("Mark Kell", "Why won't you answer me?"),
        ("Sarah Jones", "Please stop."),
    ]
    assert events[0].timestamp == utc(2025, 10, 14, 19, 1, 12)  # 8:01:12 pm BST
    assert {e.thread for e in events} == {"Mark Kell"}
    fold = events[2]  # 01:30 on 26 Oct 2025 happened twice in London
    assert fold.time_ambiguous and fold.timestamp == utc(2025, 10, 26, 0, 30)
    assert fold.extra["links"] == ["https://tracker.example.net/x"] and fold.media_omitted
    assert of(warnings, "assumed_timezone")
    events_berlin, _ = run(path, tz="Europe/Berlin")
    assert events_berlin[0].timestamp == utc(2025, 10, 14, 18, 1, 12)


def test_malformed_json_is_a_located_warning(fb: Path) -> None:
    events, warnings = run(fb / "malformed_message_1.json")
    assert events == []
    # Located where reading stopped (it was "$", the whole file, before the kit's one load_json).
    assert [w.locator for w in of(warnings, "malformed_json")] == ["line 1 column 74"]  # the end of the cut-off file


# -- the download zip ------------------------------------------------------------------------


def test_new_layout_zip(fb: Path) -> None:
    path = fb / "facebook-sarahjones-new-layout.zip"
    assert sniffed(path) and not INSTAGRAM.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    thread = "facebook-sarahjones-2025-11-05/your_facebook_activity/messages/inbox/markkell_xyz/"
    msgs = [e for e in events if e.thread == "Mark Kell"]
    # message_2.json is read before message_10.json (numeric order), each in file order
    assert [e.source.locator for e in msgs] == [f"{thread}message_2.json:$.messages[{i}]" for i in range(4)] + [
        f"{thread}message_10.json:$.messages[{i}]" for i in range(2)
    ]
    deleted, call, left, leave, pick, photo = msgs
    assert deleted.deleted and deleted.direction == "incoming"
    assert call.kind == "call" and call.duration_s == 0
    assert left.kind == "system" and left.sender == "" and left.extra["shown_sender"] == "Sarah Jones"
    assert left.extra["users"] == ["Sarah Jones"]
    assert leave.direction == "outgoing" and leave.media_omitted and leave.attachments[0].sha256 == ""
    assert pick.text == "Pick up." and pick.timestamp == utc(2025, 10, 2, 22, 30)
    with zipfile.ZipFile(path) as zf:
        png = zf.read("facebook-sarahjones-2025-11-05/your_facebook_activity/messages/inbox/markkell_xyz/photos/1234567890.png")
    import hashlib

    assert photo.attachments[0].sha256 == hashlib.sha256(png).hexdigest() and not photo.media_omitted
    assert photo.attachments[0].media_type == "image/png"
    kinds = {e.kind: e for e in events if e.thread != "Mark Kell"}
    assert kinds["friend_request"].sender == "Mark Kell" and kinds["friend_request"].timestamp == utc(2025, 10, 13, 9, 0)
    assert kinds["system"].recipients == ["Mark Kell"] and kinds["system"].extra["action"] == "blocked"
    assert kinds["comment"].text == "Please don't share this, Mark" and kinds["comment"].direction == "outgoing"
    assert kinds["post"].sender == "Mark Kell" and kinds["post"].text == "I know where you are 😀"
    assert of(warnings, "account_owner")[0].message.startswith("the account owner is 'Sarah Jones'")
    assert len(events) == 10


def test_new_layout_zip_derives_every_member_used(fb: Path) -> None:
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.standalone import HashOnlyContext

    path = fb / "facebook-sarahjones-new-layout.zip"
    ctx = HashOnlyContext(ParseOptions())
    list(PARSER.parse(source_file_for(path), ctx))
    derived = sorted(p.split("/", 1)[1] for _, p, _ in ctx.derived)
    assert derived == [
        "connections/friends/blocked_people.json",
        "connections/friends/friend_requests_received.json",
        "personal_information/profile_information/profile_information.json",
        "your_facebook_activity/comments_and_reactions/comments.json",
        "your_facebook_activity/messages/inbox/markkell_xyz/message_10.json",
        "your_facebook_activity/messages/inbox/markkell_xyz/message_2.json",
        "your_facebook_activity/messages/inbox/markkell_xyz/photos/1234567890.png",
        "your_facebook_activity/posts/other_people's_posts_to_your_timeline.json",
    ]  # the unused photo and the ads file are not read


def test_hostile_members_are_refused_and_the_rest_parses(fb: Path) -> None:
    events, warnings = run(fb / "hostile_members.zip")
    rejected = of(warnings, "rejected_member")
    assert {w.locator for w in rejected} == {
        "../../outside/messages/inbox/evil/message_1.json",
        "/tmp/absolute/messages/inbox/evil/message_1.json",
        "messages/inbox/linked/message_1.json",
    }
    text = " | ".join(w.message for w in rejected)
    assert "('..')" in text and "absolute path" in text and "symbolic link" in text
    assert [w.locator for w in of(warnings, "malformed_json")] == ["messages/inbox/broken_abc/message_1.json:line 1 column 64"]
    assert [(e.sender, e.text, e.direction) for e in events] == [("Mark Kell", "hi", "incoming")]


def test_case_round_trip(fb: Path, tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="Europe/London")
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    case.add(fb / "facebook-sarahjones-new-layout.zip", note="fixture")
    case.add(fb / "hostile_members.zip", note="hostile fixture")
    assert case.verify().exit_code == 0
    events = list(case.timeline(platforms=["facebook"]))
    assert len(events) == 11
    assert any(e.text == "I know where you are 😀" for e in events)
    manifest_text = repr(case.manifest())
    assert "your_facebook_activity/messages/inbox/markkell_xyz/message_10.json" in manifest_text
    assert "photos/1234567890.png" in manifest_text
    assert "outside" not in manifest_text and "/tmp/absolute" not in manifest_text
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before  # nothing written beside the case
    assert not (tmp_path / "outside").exists() and not Path("/tmp/absolute").exists()
