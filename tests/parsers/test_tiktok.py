"""TikTok JSON download: the public fake sample (corpus) and our own fixtures (fixtures/tiktok/)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cyberevidence.events import Event
from cyberevidence.parsers.tiktok import PARSER
from cyberevidence.standalone import source_file_for

from ._helpers import codes
from ._helpers import parse_fixture as run


def test_corpus_fake_user_data(corpus: Path) -> None:
    path = corpus / "tiktok" / "hestia_tiktok_fake_user_data.zip"
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path, tz="UTC")
    msgs = [e for e in events if e.kind == "message"]
    by_thread = Counter(e.thread for e in msgs)
    assert by_thread == {"bob.dylan": 589, "alfred.theboss": 189}  # SOURCES.md: 589 + 189 DMs
    for thread, first, last in (
        ("bob.dylan", "2008-01-26T21:57:55Z", "2022-10-31T08:28:11Z"),
        ("alfred.theboss", "2008-03-20T15:33:53Z", "2022-09-11T13:15:44Z"),
    ):
        stamps = sorted(e.timestamp_utc for e in msgs if e.thread == thread)
        assert (stamps[0], stamps[-1]) == (first, last)
    # the owner (Profile userName john.lennon) decides direction from the file
    assert Counter((e.thread, e.direction) for e in msgs) == {
        ("bob.dylan", "incoming"): 302,
        ("bob.dylan", "outgoing"): 287,
        ("alfred.theboss", "incoming"): 102,
        ("alfred.theboss", "outgoing"): 87,
    }
    assert all(e.sender == "john.lennon" for e in msgs if e.direction == "outgoing")
    first = msgs[0]
    assert first.text == "Determine accept rise year low away." and first.sender == "bob.dylan"
    assert first.timestamp == datetime(2017, 12, 28, 12, 8, 15, tzinfo=timezone.utc)
    assert (
        first.source.locator
        == "user_data.json:$['Direct Messages']['Chat History']['ChatHistory']['Chat History with bob.dylan:'][0]"
    )
    assert Counter(e.kind for e in events) == {"message": 778, "comment": 389, "system": 16}
    assert codes(warnings) == {"text_key": 1}  # the sample writes 'comment' instead of 'Content'
    assert "778 message(s)" in warnings[0].message


def test_corpus_default_zone_is_stated(corpus: Path) -> None:
    events, warnings = run(corpus / "tiktok" / "hestia_tiktok_fake_user_data.zip")
    assert codes(warnings)["assumed_timezone"] == 1
    first = next(e for e in events if e.kind == "message")
    assert first.timestamp == datetime(2017, 12, 28, 12, 8, 15, tzinfo=timezone.utc)  # 12:08 GMT (winter)
    july = [e for e in events if e.kind == "message" and e.extra["shown_time"][5:7] == "07"]
    assert july and all(
        e.timestamp
        == datetime.strptime(e.extra["shown_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc) - timedelta(hours=1)
        for e in july
    )  # BST is UTC+1


def test_fixture_new_spelling_dst_and_malformed(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "tiktok" / "user_data_tiktok.json")
    msgs = [e for e in events if e.kind == "message"]
    assert [e.text for e in msgs] == ["up late?", "Stop messaging me.", "I can see your light on"]
    gap, normal, fold = msgs
    assert gap.time_ambiguous and "does not exist" in gap.time_note
    assert gap.timestamp == datetime(2023, 3, 26, 1, 30, tzinfo=timezone.utc)
    assert normal.timestamp == datetime(2023, 7, 1, 19, 0, tzinfo=timezone.utc) and normal.direction == "outgoing"
    assert fold.time_ambiguous and "earlier instant assumed" in fold.time_note
    assert fold.timestamp == datetime(2023, 10, 29, 0, 30, tzinfo=timezone.utc)
    assert normal.recipients == ["mark.k88"] and gap.recipients == ["sarahj.2001"]
    comment = next(e for e in events if e.kind == "comment")
    assert comment.text == "=1+1 lol" and comment.direction == "outgoing"  # formula-looking text kept as text
    block = next(e for e in events if e.kind == "system")
    assert block.thread == "mark.k88" and block.extra["action"] == "blocked"
    c = codes(warnings)
    assert c == {"assumed_timezone": 1, "nonexistent_time": 1, "ambiguous_time": 1, "unreadable_date": 1, "unreadable_message": 1}
    bad = next(w for w in warnings if w.code == "unreadable_message")
    assert bad.locator.endswith("['Chat History with mark.k88:'][4]")


def test_fixture_zip_derives_member_and_ignores_resource_fork(fixtures_dir: Path) -> None:
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.standalone import HashOnlyContext

    path = fixtures_dir / "tiktok" / "TikTok_Data_1698868800.zip"
    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source_file_for(path), ctx))
    assert [d[1] for d in ctx.derived] == ["user_data_tiktok.json"]
    events = [i for i in items if isinstance(i, Event)]
    assert len(events) == 5 and events[0].source.locator.startswith("user_data_tiktok.json:$")


def test_sniff_refuses_other_json(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"messages": [{"sender_name": "a"}]}')
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
