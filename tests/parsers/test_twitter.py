"""X/Twitter archive parser: the public corpus files, the synthetic archive zip, hostile input, a real case."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest

import cyberevidence
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.twitter import PARSER
from cyberevidence.standalone import HashOnlyContext, source_file_for

from ._helpers import of, parse_fixture

ARCHIVE = "x-archive-sarah.zip"
DATA = "twitter-2024-05-01/data"


run = partial(parse_fixture, fmt="twitter", tz="UTC")


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=timezone.utc)  # type: ignore[misc]


# -- corpus (counts from ../shared/corpus/SOURCES.md) ----------------------------------------


def test_corpus_direct_messages_2000_in_100_conversations(corpus: Path) -> None:
    events, warnings = run(corpus / "twitter" / "xf_synthetic_direct-messages.js")
    assert len(events) == 2000 and {e.kind for e in events} == {"message"}
    assert len({e.thread for e in events}) == 100
    people = {e.sender for e in events} | {r for e in events for r in e.recipients}
    assert len(people) == 200
    assert min(e.timestamp for e in events) == utc(2021, 1, 2, 9, 0, 0)
    assert max(e.timestamp for e in events) == utc(2026, 1, 1, 11, 0, 0)
    first = events[0]
    assert (first.sender, first.recipients, first.text, first.thread) == (
        "100000",
        ["200000"],
        "Hey! meeting tomorrow",
        "3000000000000",
    )
    assert first.source.locator == "$[0].dmConversation.messages[0]"
    located = next(e for e in events if e.source.locator == "$[3].dmConversation.messages[17]")
    assert (located.sender, located.text, located.timestamp) == ("200003", "Interesting perspective.", utc(2021, 3, 14, 9))
    # no account.js beside it: the owner is not guessed
    assert {e.direction for e in events} == {"unknown"} and len(of(warnings, "owner_unknown")) == 1


def test_corpus_tweets(corpus: Path) -> None:
    events, _ = run(corpus / "twitter" / "knowledgemaxxing_tweets.js")
    assert [e.timestamp for e in events] == [utc(2018, 10, 10, 20, 19, 24), utc(2019, 11, 21, 9), utc(2019, 11, 21, 9, 1)]
    assert {e.kind for e in events} == {"post"} and {e.direction for e in events} == {"outgoing"}
    rt, _, reply = events
    assert rt.extra["retweet"] is True and rt.extra["urls"] == ["https://guzey.com/why-blog/"]
    assert reply.extra["in_reply_to_status_id"] == "4444444444444444444" and reply.recipients == ["me_myself"]
    assert reply.text == "2/ Second part of the thread"


@pytest.mark.parametrize(
    ("name", "code", "needle"),
    [
        ("knowledgemaxxing_like.js", "undated_records", "2 liked tweet(s): 1111111111111111111, 2222222222222222222"),
        ("twitter2sqlite_follower.js", "undated_records", "2 follower(s): 73747798, 386025404"),
        ("twitter2sqlite_following.js", "undated_records", "2 followed account(s): 547842573, 12158"),
        ("twitter2sqlite_saved-search.js", "not_read", "2 record(s) of 'saved_search'"),
        ("twitter2sqlite_app.js", "not_read", "1 record(s) of 'app'"),
        ("twitter2sqlite_account-suspension.js", "not_read", "0 record(s) of 'account_suspension'"),
        ("twitter2sqlite_account.js", "archive_owner", "account 12497 (@simonw, Simon Willison)"),
        ("xf_synthetic_manifest.js", "archive_owner", "account 123456789 (@perf_test_user, Performance Test User)"),
    ],
)
def test_corpus_files_without_dated_events(corpus: Path, name: str, code: str, needle: str) -> None:
    path = corpus / "twitter" / name
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert events == []
    assert [w.code for w in warnings] == [code] and needle in warnings[0].message


# -- the synthetic archive zip ----------------------------------------------------------------


def test_archive_zip(fixtures_dir: Path) -> None:
    path = fixtures_dir / "twitter" / ARCHIVE
    events, warnings = run(path)
    kinds = Counter(e.kind for e in events)
    assert kinds == {"message": 5, "reaction": 1, "system": 2, "post": 2}
    by_text = {e.text: e for e in events}
    stalker = by_text["I know where you parked today https://t.co/aaa"]
    assert stalker.direction == "incoming" and stalker.sender == "2002" and stalker.recipients == ["1001"]
    assert stalker.timestamp == utc(2024, 3, 1, 21, 15) and stalker.thread == "1001-2002"
    assert stalker.extra["urls"] == ["https://maps.example.com/p/1"]
    assert stalker.source.locator == f"{DATA}/direct-messages.js:$[0].dmConversation.messages[0]"
    mine = by_text["Please stop messaging me."]
    assert mine.direction == "outgoing" and mine.extra["sender_username"] == "sarah_j"
    reaction = next(e for e in events if e.kind == "reaction")
    assert (reaction.text, reaction.sender, reaction.direction) == ("angry", "1001", "outgoing")
    assert reaction.extra["reacted_to"] == "5000000000000000003" and reaction.timestamp == utc(2024, 3, 1, 21, 16, 30)
    # both parts of direct-messages are read
    witness = by_text["He was outside again, I saw him"]
    assert witness.source.locator.startswith(f"{DATA}/direct-messages-part1.js:")
    # media: linked to the derived member when present, else an attachment without digest
    photo = by_text["look at this"].attachments[0]
    assert photo.name == "5000000000000000002-AbCdEf.jpg" and len(photo.sha256) == 64
    assert witness.attachments[0].name == "Missing1.jpg" and witness.attachments[0].sha256 == ""
    assert "1 media file(s)" in of(warnings, "missing_attachment")[0].message
    # group DM: no recipientId, system records
    group = [e for e in events if e.thread == "7777777777"]
    assert sorted(e.kind for e in group) == ["message", "system", "system"]
    assert any(e.text == "3003 left the conversation" for e in group)
    # tweets: created_at with an offset
    assert by_text["Lovely walk today"].timestamp == utc(2024, 3, 3, 17, 45, 10)
    reply = by_text["@markk_77 leave me alone"]
    assert reply.sender == "1001" and reply.recipients == ["2002"] and reply.extra["mentions"] == ["markk_77"]
    # undated facts recorded, not invented
    blocks = of(warnings, "undated_records")
    assert any("1 blocked account(s): 2002" in w.message for w in blocks)
    assert any("1 muted account(s): 3003" in w.message for w in blocks)
    # damaged records are located
    bad = of(warnings, "unreadable_time")[0]
    assert bad.locator == f"{DATA}/direct-messages-part1.js:$[0].dmConversation.messages[1]"
    assert of(warnings, "unreadable_entry")[0].locator.endswith("direct-messages-group.js:$[0].dmConversation.messages[3]")


def test_archive_zip_members_are_derived(fixtures_dir: Path) -> None:
    path = fixtures_dir / "twitter" / ARCHIVE
    ctx = HashOnlyContext(ParseOptions())
    list(PARSER.parse(source_file_for(path), ctx))
    derived = [d[1] for d in ctx.derived]
    assert f"{DATA}/account.js" == derived[0]
    assert derived.index(f"{DATA}/direct-messages.js") < derived.index(f"{DATA}/direct-messages-part1.js")
    assert f"{DATA}/direct_messages_media/5000000000000000002-AbCdEf.jpg" in derived
    assert not any("assets/" in d for d in derived)


def test_single_file_uses_account_js_beside_it(tmp_path: Path, fixtures_dir: Path) -> None:
    with zipfile.ZipFile(fixtures_dir / "twitter" / ARCHIVE) as zf:
        for name in ("account.js", "direct-messages.js"):
            (tmp_path / name).write_bytes(zf.read(f"{DATA}/{name}"))
    events, warnings = run(tmp_path / "direct-messages.js")
    assert len(events) == 4 and not of(warnings, "owner_unknown")
    assert {e.text: e.direction for e in events if e.kind == "message"} == {
        "I know where you parked today https://t.co/aaa": "incoming",
        "look at this": "incoming",
        "Please stop messaging me.": "outgoing",
    }
    assert events[0].source.locator == "$[0].dmConversation.messages[0]"


def test_damaged_file_keeps_records_before_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "direct-messages.js"
    good = (
        '{"dmConversation": {"conversationId": "1-2", "messages": '
        '[{"messageCreate": {"senderId": "1", "text": "a", "createdAt": "2024-01-01T00:00:00.000Z"}}]}}'
    )
    path.write_text(f'window.YTD.direct_messages.part0 = [{good}, {{"dmConversation": {{"conv', encoding="utf-8")
    events, warnings = run(path)
    assert [e.text for e in events] == ["a"]
    assert of(warnings, "damaged_json")[0].locator == "$[1]"


def test_hostile_zip_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    body = b'window.YTD.tweets.part0 = [{"tweet": {"created_at": "Sat Mar 02 09:30:00 +0000 2024", "full_text": "hi"}}]'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/tweets.js", body)
        zf.writestr("../data/tweets.js", body)
    events, warnings = run(path)
    assert [e.text for e in events] == ["hi"]
    assert [w.code for w in warnings][:1] == ["rejected_member"]


def test_sniff_is_content_based(tmp_path: Path, fixtures_dir: Path) -> None:
    renamed = tmp_path / "notes.txt"
    renamed.write_bytes(b"\xef\xbb\xbfwindow.YTD.block.part0 = []")
    assert PARSER.sniff(source_file_for(renamed), renamed.read_bytes())
    other = tmp_path / "tweets.js"
    other.write_bytes(b"var x = 1;")
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
    zip_path = fixtures_dir / "twitter" / ARCHIVE
    assert PARSER.sniff(source_file_for(zip_path), zip_path.read_bytes()[:65536])


def test_through_a_case(tmp_path: Path, fixtures_dir: Path) -> None:
    case = cyberevidence.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="UTC")
    try:
        report = case.add(fixtures_dir / "twitter" / ARCHIVE)
        assert [f.parser for f in report.files] == ["twitter"] and report.files[0].events == 10
        assert case.verify().exit_code == 0
        timeline = list(case.timeline())
        assert len(timeline) == 10 and timeline[0].text == "Please stop messaging me."
        manifest = case.manifest()
        text = repr(manifest)
        assert f"{DATA}/direct-messages-part1.js" in text and f"{DATA}/account.js" in text
    finally:
        case.close()
