"""Instagram parser: the shared corpus (exact counts from SOURCES.md) and the synthetic fixtures."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.parsers.facebook import PARSER as FACEBOOK
from cyberevidence.parsers.instagram import PARSER
from cyberevidence.standalone import source_file_for

from ._helpers import of
from ._helpers import parse_fixture as run


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def sniffed(path: Path) -> bool:
    return bool(PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]))


@pytest.fixture
def ig(fixtures_dir: Path) -> Path:
    return fixtures_dir / "instagram"


# -- the shared corpus -----------------------------------------------------------------------


def test_corpus_fake_dyi_zip(corpus: Path) -> None:
    path = corpus / "instagram" / "hestia_instagram_fake_dyi.zip"
    assert sniffed(path)
    events, warnings = run(path)
    assert len(events) == 717
    per_thread = Counter(e.source.locator.split("/")[3] for e in events)
    assert per_thread == {
        "brentdavis": 115, "jaybaker": 22, "caitlinmills": 37, "tracyleon": 159,
        "rachelmack": 148, "terrylopez": 108, "clairewu": 61, "amberbarrett": 67,
    }  # fmt: skip
    assert {e.platform for e in events} == {"instagram"} and all(e.kind == "message" for e in events)
    # No profile file in this download: the owner is only suggested, directions stay unknown.
    (hint,) = of(warnings, "owner_unknown")
    assert "'John Lennon' takes part in every thread" in hint.message
    assert {e.direction for e in events} == {"unknown"}
    assert not of(warnings, "rejected_member")


def test_corpus_jaybaker_thread(corpus: Path) -> None:
    path = corpus / "instagram" / "hestia_jaybaker_message_1.json"
    events, warnings = run(path, fmt="instagram")
    assert len(events) == 22
    assert Counter(e.sender for e in events) == {"Jay Baker": 16, "John Lennon": 6}
    assert min(e.timestamp for e in events).date().isoformat() == "2008-12-07"
    assert max(e.timestamp for e in events).date().isoformat() == "2021-10-23"
    assert events[0].timestamp == utc(2019, 3, 16, 11, 32, 41, 366)  # unsorted: kept in file order
    assert events[0].text == "Authority part together let final." and events[0].extra["type"] == "Share"
    assert {e.thread for e in events} == {"Jay Baker"} and not any(e.deleted for e in events)
    assert not warnings


def test_corpus_jaybaker_thread_matches_the_same_thread_in_the_zip(corpus: Path) -> None:
    single, _ = run(corpus / "instagram" / "hestia_jaybaker_message_1.json", fmt="instagram")
    from_zip, _ = run(corpus / "instagram" / "hestia_instagram_fake_dyi.zip")
    inside = [e for e in from_zip if "/jaybaker/" in e.source.locator]
    assert [e.event_id for e in single] == [e.event_id for e in inside]


def test_corpus_chatminer_against_its_expected_parse(corpus: Path) -> None:
    expected = json.loads((corpus / "instagram" / "chatminer_expected_parse.json").read_text())
    events, _ = run(corpus / "instagram" / "chatminer_message_1.json", fmt="instagram")
    assert len(events) == len(expected) == 2
    for event, want in zip(events, expected, strict=True):
        assert event.sender == want["author"] and event.text == want["message"]
        assert event.timestamp == datetime.fromisoformat(want["timestamp"]).replace(tzinfo=timezone.utc)
    assert events[0].thread == "chatminer_message_1.json"  # no title, no participants: the file name


# -- fixtures --------------------------------------------------------------------------------


def test_single_thread_with_an_instagram_mark_is_sniffed(ig: Path) -> None:
    path = ig / "message_1.json"
    assert sniffed(path) and not FACEBOOK.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert events[0].platform == "instagram" and events[0].text == "Tu es où? 👀"
    assert events[0].extra["reactions"][0]["reaction"] == "😢" and events[0].extra["is_geoblocked_for_viewer"] is False
    assert events[1].extra["share"]["link"] == "https://www.instagram.com/p/EXAMPLE123/"
    assert events[2].media_omitted and events[3].deleted
    assert of(warnings, "mojibake_repaired")[0].message.startswith("2 text value(s)")


def test_new_layout_zip(ig: Path) -> None:
    path = ig / "instagram-sarah-new-layout.zip"
    assert sniffed(path) and not FACEBOOK.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert len(events) == 8
    assert of(warnings, "account_owner")[0].message.startswith("the account owner is 'Sarah Jones'")
    assert "sarah.j.example" in of(warnings, "account_username")[0].message
    dm = [e for e in events if e.thread == "Mark Kell"]
    assert [e.direction for e in dm] == ["incoming", "incoming", "outgoing", "incoming"]
    assert dm[0].timestamp == utc(2025, 10, 16, 22, 10) and dm[0].text == "Tu es où? 👀"
    root = "instagram-sarah.j.example-2025-11-05-AbCdEf/"
    assert dm[0].source.locator == (
        root + "your_instagram_activity/messages/inbox/markkell_17841400000000000/message_1.json:$.messages[0]"
    )
    with zipfile.ZipFile(path) as zf:
        png = zf.read(root + "your_instagram_activity/messages/inbox/markkell_17841400000000000/photos/18000000000000001.png")
    assert dm[2].attachments[0].sha256 == hashlib.sha256(png).hexdigest() and not dm[2].media_omitted
    (request,) = [e for e in events if e.thread == "mk.backup.account"]
    assert request.text == "You can't block me forever" and request.direction == "incoming"
    assert "message_requests" in request.source.locator
    by_kind = {e.kind: e for e in events if e.kind != "message"}
    assert by_kind["friend_request"].sender == "mk.backup.account"
    assert by_kind["friend_request"].timestamp == utc(2025, 10, 17, 7, 0)
    assert by_kind["system"].recipients == ["markkell.example"] and by_kind["system"].extra["action"] == "blocked"
    comment = by_kind["comment"]
    assert comment.text == "Please stop commenting on my photos" and comment.recipients == ["markkell.example"]
    assert comment.sender == "Sarah Jones" and comment.direction == "outgoing"


def test_case_round_trip(ig: Path, corpus: Path, tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="Europe/London")
    case.add(ig / "instagram-sarah-new-layout.zip")
    case.add(corpus / "instagram" / "hestia_instagram_fake_dyi.zip")
    assert case.verify().exit_code == 0
    events = list(case.timeline(platforms=["instagram"]))
    assert len(events) == 8 + 717
    manifest_text = repr(case.manifest())
    assert "messages/inbox/jaybaker/message_1.json" in manifest_text
    assert "photos/18000000000000001.png" in manifest_text
