"""Telegram HTML parser: the corpus page and the synthetic DST pages (fixtures/telegram/html_*).

Telegram Desktop writes the *standard* offset of the exporting computer's zone in each title
(the corpus page shows UTC-08:00 for an August time whose JSON twin proves UTC-07:00), so the
expected instants below follow the rule of docs/formats/telegram_html.md.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.telegram_html import PARSER, read_title, sniff
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for
from cyberevidence.timeutil import zone

from ._helpers import parse_fixture as run


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def codes(warnings: list[ParseWarning]) -> list[str]:
    return [w.code for w in warnings]


@pytest.fixture
def tg(fixtures_dir: Path) -> Path:
    return fixtures_dir / "telegram"


@pytest.mark.corpus
def test_corpus_page_matches_its_json_twin_when_the_zone_is_known(corpus: Path) -> None:
    page = corpus / "telegram" / "langchain_messages.html"
    assert sniff(source_file_for(page), page.read_bytes()[:65536])
    events, warnings = run(page, tz="America/Los_Angeles")
    assert [(e.sender, e.text) for e in events] == [
        ("Jimmeny Marvelton", "i refuse to converse with you"),
        ("Batman & Robin", "Hi nemesis"),
        ("Jimmeny Marvelton", "we meet again"),
        ("Jimmeny Marvelton", "you will not trick me this time"),
    ]
    assert events[3].extra["sender_inherited"] is True  # a "joined" message has no from_name
    assert {e.thread for e in events} == {"Jimmeny Marvelton"}
    assert [e.source.locator for e in events] == ["#message1", "#message2", "#message3", "#message4"]
    twin = list(parse(corpus / "telegram" / "langchain_personal_chat_result.json"))
    assert [e.timestamp for e in events] == [e.timestamp for e in twin]  # 1692821483 ... from date_unixtime
    assert events[0].timestamp_utc == "2023-08-23T20:11:23Z" and not events[0].time_ambiguous
    assert codes(warnings) == ["html_time_rule"]


@pytest.mark.corpus
def test_corpus_page_without_the_zone_is_read_as_stated_and_flagged(corpus: Path) -> None:
    events, warnings = run(corpus / "telegram" / "langchain_messages.html")
    assert events[0].timestamp_utc == "2023-08-23T21:11:23Z"  # 13:11:23 at the stated UTC-08:00
    assert all(e.time_ambiguous and "summer" in e.time_note for e in events)
    assert codes(warnings) == ["html_time_rule", "timezone_mismatch"]
    assert warnings[1].locator == "#message1"


def test_london_page_across_the_autumn_change(tg: Path) -> None:
    """Every title says UTC+00:00 (London's standard offset); BST applies before 02:00 on 26 Oct."""
    events, warnings = run(tg / "html_dst" / "messages.html", tz="Europe/London")
    got = [(e.source.locator, e.timestamp, e.sender, e.time_ambiguous) for e in events]
    assert got == [
        ("#message5001", utc(2025, 10, 25, 22, 30), "Mark Kell", False),  # 23:30 BST
        ("#message5002", utc(2025, 10, 25, 22, 31, 10), "Mark Kell", False),  # joined: sender inherited
        ("#message5003", utc(2025, 10, 26, 0, 10), "Mark Kell", True),  # 01:10, first pass (BST) assumed
        ("#message5004", utc(2025, 10, 26, 0, 50), "Priya Shah", True),  # 01:50 BST
        ("#message5005", utc(2025, 10, 26, 1, 20), "Mark Kell", True),  # 01:20 after 01:50: second pass (GMT)
        ("#message5006", utc(2025, 10, 26, 2, 30), "Mark Kell", False),  # GMT
        ("#message5008", utc(2025, 10, 26, 9, 0), "Mark Kell", False),
        ("#message5009", utc(2025, 10, 26, 9, 5), "Priya Shah", False),
    ]
    assert "unresolved: earlier instant assumed" in events[2].time_note
    assert "resolved by message order" in events[4].time_note
    assert events[4].text == "It's only 1:20, don't be dramatic"
    call = events[5]
    assert call.kind == "call" and call.direction == "incoming" and call.extra["missed"] and call.text == "Missed call"
    fwd = events[6]
    assert fwd.extra["forwarded_from"] == "Priya Shah" and fwd.extra["reply_to_message_id"] == 5003
    assert fwd.text == "You posted this. I saw."
    assert [a.name for a in fwd.attachments] == ["photos/photo_2@26-10-2025_09-00-00.jpg"]
    assert events[7].text == "I have reported you.\nReference: https://example.net/ref/123"
    assert events[7].extra["links"] == ["https://example.net/ref/123"]
    assert codes(warnings) == [
        "html_time_rule",
        "ambiguous_time",
        "ambiguous_time",
        "ambiguous_time",
        "untimed_service",
        "missing_attachment",
    ]
    untimed = warnings[4]
    assert untimed.locator == "#message5007" and "Mark Kell pinned this message" in untimed.message


def test_default_zone_is_recorded_as_an_assumption(tg: Path) -> None:
    events, warnings = run(tg / "html_dst" / "messages.html")
    assert events[0].timestamp == utc(2025, 10, 25, 22, 30)
    assert "assumed_timezone" in codes(warnings)


def test_page_that_states_the_offsets_in_force_needs_no_zone(tg: Path) -> None:
    """Titles switching from UTC+01:00 to UTC+00:00 are read as written, whatever the zone."""
    for tz in (None, "Asia/Tokyo"):
        events, warnings = run(tg / "html_stated_offsets" / "messages.html", tz=tz)
        assert [e.timestamp for e in events] == [
            utc(2025, 10, 25, 22, 30),
            utc(2025, 10, 26, 0, 10),
            utc(2025, 10, 26, 1, 20),
            utc(2025, 10, 26, 2, 30),
        ]
        assert not any(e.time_ambiguous for e in events)
        assert codes(warnings) == ["html_time_rule"]


def test_photo_is_linked_to_the_stored_sibling(tg: Path) -> None:
    folder = tg / "html_dst"
    rel = "photos/photo_2@26-10-2025_09-00-00.jpg"
    source = source_file_for(folder / "messages.html", {rel: source_file_for(folder / rel)})
    ctx = HashOnlyContext(ParseOptions(timezone=zone("Europe/London"), timezone_assumed=False))
    events = [i for i in PARSER.parse(source, ctx) if isinstance(i, Event)]
    (att,) = events[6].attachments
    assert att.sha256 == hashlib.sha256((folder / rel).read_bytes()).hexdigest() and att.media_type == "image/jpeg"
    assert ctx.derived == []


def test_titles() -> None:
    shown = read_title("24.11.2025 18:03:11 UTC+00:00")
    assert shown is not None and shown.local == datetime(2025, 11, 24, 18, 3, 11) and shown.offset is not None
    assert read_title("23.08.2023 13:11:23 UTC-08:00").offset.total_seconds() == -8 * 3600  # type: ignore[union-attr]
    assert read_title("05.07.2019 21:15:00").offset is None  # type: ignore[union-attr]
    assert read_title("31.02.2025 10:00:00 UTC+00:00") is None
    assert read_title("not a date") is None


def test_hostile_markup_is_not_run_or_fetched(tmp_path: Path) -> None:
    page = tmp_path / "messages.html"
    page.write_text(
        '<div class="page_header"><div class="content"><div class="text bold">X</div></div></div>'
        '<div class="history"><div class="message default clearfix" id="message1"><div class="body">'
        '<div class="pull_right date details" title="01.01.2025 10:00:00 UTC+00:00">10:00</div>'
        '<div class="from_name">X</div><div class="text">hi<script>alert(1)</script><!-- c --> '
        '<img src="http://127.0.0.1:9/x.png"></div>'
        '<div class="media_wrap clearfix"><a class="photo_wrap clearfix pull_left" href="../../etc/passwd">p</a>'
        '<a class="media clearfix pull_left block_link media_location" href="https://maps.example.net/?q=1">m</a></div>'
        "</div></div></div>",
        encoding="utf-8",
    )
    (event,) = parse(page, timezone="UTC")
    assert event.text == "hi"
    assert [a.sha256 for a in event.attachments] == [""] and event.extra["links"] == ["https://maps.example.net/?q=1"]


def test_sniff(tg: Path, fixtures_dir: Path) -> None:
    for path in (tg / "html_dst" / "messages.html", tg / "html_stated_offsets" / "messages.html"):
        assert sniff(source_file_for(path), path.read_bytes()[:65536])
    assert not sniff(source_file_for(tg / "json_single" / "result.json"), b"<html><body><div class='message'>x</div>")
    for path in (fixtures_dir / "whatsapp").rglob("*"):
        if path.is_file():
            assert not sniff(source_file_for(path), path.read_bytes()[:65536])


def test_html_page_through_a_real_case(tg: Path, case_dir: Path) -> None:
    case = ce.Case.create(case_dir, examiner="J. Smith", timezone="Europe/London")
    report = case.add(tg / "html_dst", timezone="Europe/London")
    (page,) = [f for f in report.files if f.parser == "telegram_html"]
    assert page.events == 8 and not report.errors
    assert case.verify().exit_code == 0
    timeline = list(case.timeline(platforms=["telegram"]))
    assert [e.timestamp for e in timeline][:3] == [
        utc(2025, 10, 25, 22, 30),
        utc(2025, 10, 25, 22, 31, 10),
        utc(2025, 10, 26, 0, 10),
    ]
    assert {w.code for w in case.warnings()} >= {"html_time_rule", "untimed_service", "ambiguous_time"}
