"""WhatsApp parser against the project's own synthetic fixtures (fixtures/whatsapp/).

Each fixture exercises one rule of docs/formats/whatsapp.md; the expected instants are worked
out by hand from the fixture's local times and the stated zone.
"""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import DateOrderAmbiguousError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import DateOrder, ParseOptions
from cyberevidence.parsers.whatsapp import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for
from cyberevidence.timeutil import zone


def run(
    path: Path, *, tz: str | None = "Europe/London", date_order: DateOrder | None = None
) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, date_order=date_order, warnings=warnings))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def of(warnings: list[ParseWarning], code: str) -> list[ParseWarning]:
    return [w for w in warnings if w.code == code]


@pytest.fixture
def wa(fixtures_dir: Path) -> Path:
    return fixtures_dir / "whatsapp"


def test_every_fixture_is_sniffed(wa: Path) -> None:
    files = [p for p in wa.rglob("*") if p.suffix in (".txt", ".zip")]
    assert len(files) == 16
    for path in files:
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name


def test_uk_android(wa: Path) -> None:
    events, warnings = run(wa / "WhatsApp Chat with +44 7700 900123.txt")
    assert {e.thread for e in events} == {"+44 7700 900123"}
    assert events[0].kind == "system" and events[0].sender == ""
    assert events[1].timestamp == utc(2025, 10, 14, 19, 1)  # 20:01 BST
    assert events[3].text == "Good morning\nyou can't ignore me forever"
    assert [e.media_omitted for e in events][4] and events[5].deleted
    photo = events[6]
    assert [a.name for a in photo.attachments] == ["IMG-20251016-WA0003.jpg"] and photo.attachments[0].sha256 == ""
    assert events[7].edited and events[7].text == "I only want to talk <This message was edited>"
    assert events[8].timestamp == utc(2025, 11, 4, 8, 12)  # GMT after the clocks went back
    assert [w.locator for w in of(warnings, "missing_attachment")] == ["line 8"]
    assert "line 1 has 14/10/2025" in of(warnings, "date_order")[0].message
    timer = events[-1]
    assert timer.kind == "system" and timer.extra["shown_sender"] == "+44 7700 900123"


def test_identical_messages_at_different_times_are_separate_events(wa: Path) -> None:
    events, _ = run(wa / "WhatsApp Chat with +44 7700 900123.txt")
    stops = [e for e in events if e.text == "Please stop."]
    assert [(e.sender, e.timestamp) for e in stops] == [
        ("+44 7700 900123", utc(2025, 11, 4, 8, 12)),
        ("Priya Shah", utc(2025, 11, 4, 8, 40)),
        ("+44 7700 900123", utc(2025, 11, 4, 8, 41)),
    ]
    assert len({e.event_id for e in stops}) == 3


def test_parsing_twice_gives_identical_event_ids(wa: Path) -> None:
    first, _ = run(wa / "WhatsApp Chat with +44 7700 900123.txt")
    second, _ = run(wa / "WhatsApp Chat with +44 7700 900123.txt")
    assert [e.event_id for e in first] == [e.event_id for e in second]
    assert all(len(e.event_id) == 32 for e in first)


def test_us_android_12h_narrow_no_break_space(wa: Path) -> None:
    events, warnings = run(wa / "us_android_mdyy_12h_nnbsp.txt", tz="America/New_York")
    assert [e.timestamp for e in events] == [
        utc(2025, 10, 4, 1, 5),  # 10/3/25 9:05 PM EDT
        utc(2025, 10, 4, 1, 6),
        utc(2025, 10, 14, 15, 58),
        utc(2025, 10, 14, 16, 0),  # 12:00 PM is noon
        utc(2025, 10, 15, 4, 30),  # 12:30 AM is half past midnight
    ]
    assert "month/day/year because line 3 has 10/14/25" in of(warnings, "date_order")[0].message
    assert not of(warnings, "assumed_timezone")


def test_ios_german_brackets(wa: Path) -> None:
    events, warnings = run(wa / "ios_de_brackets_seconds.txt", tz="Europe/Berlin")
    e2e = events[0]
    assert e2e.kind == "system" and e2e.sender == "" and e2e.extra["shown_sender"] == "Lena Vogel"
    assert events[1].timestamp == utc(2025, 10, 3, 19, 14, 5)  # CEST
    assert events[2].media_omitted and events[2].text == "Bild weggelassen" and events[2].extra["lrm_removed"] == 1
    assert events[4].deleted
    assert [a.name for a in events[5].attachments] == ["00000007-PHOTO-2025-10-13-08-05-00.jpg"]
    assert events[6].sender == "Unbekannt" and events[6].extra["sender_raw"] == "~ Unbekannt"
    assert events[6].timestamp == utc(2025, 10, 13, 21, 59, 59)
    assert "line 4 has 13.10.25" in of(warnings, "date_order")[0].message


def test_spanish_a_m_p_m(wa: Path) -> None:
    events, _ = run(wa / "es_android_ddmmyyyy_ampm.txt", tz="Europe/Madrid")
    assert [e.timestamp for e in events] == [
        utc(2025, 10, 13, 7, 15),
        utc(2025, 10, 13, 7, 16),
        utc(2025, 10, 13, 10, 5),  # 12:05 p. m.
        utc(2025, 10, 13, 22, 10),  # 14/10 12:10 a. m. = 00:10 CEST
        utc(2025, 10, 14, 21, 48),
    ]
    assert events[2].media_omitted and events[3].deleted


def test_year_first(wa: Path) -> None:
    events, warnings = run(wa / "ymd_android.txt", date_order="mdy")  # a given order cannot change year-first dates
    assert [e.timestamp for e in events] == [utc(2025, 10, 1, 17, 30), utc(2025, 10, 2, 6, 15), utc(2025, 10, 2, 6, 16)]
    assert "year/month/day" in of(warnings, "date_order")[0].message


def test_dst_fold_resolved_by_a_backward_step(wa: Path) -> None:
    events, warnings = run(wa / "dst_fold_backstep.txt")
    assert [e.timestamp for e in events] == [
        utc(2025, 10, 25, 23, 50),  # 00:50 BST, before the repeated hour
        utc(2025, 10, 26, 0, 20),  # 01:20 BST, first pass
        utc(2025, 10, 26, 0, 45),  # 01:45 BST, first pass
        utc(2025, 10, 26, 1, 5),  # 01:05 GMT: the clock stepped back, second pass
        utc(2025, 10, 26, 1, 30),  # 01:30 GMT
        utc(2025, 10, 26, 2, 10),  # 02:10 GMT, after the repeated hour
    ]
    assert [e.time_ambiguous for e in events] == [False, True, True, True, True, False]
    assert "first occurrence (BST, UTC+01:00), resolved by message order" in events[1].time_note
    assert "second occurrence (GMT, UTC+00:00), resolved by message order" in events[3].time_note
    assert "steps back at line 4" in events[4].time_note
    assert events[3].extra["shown_time"] == "26/10/2025, 01:05"
    assert not of(warnings, "ambiguous_time")


def test_dst_fold_without_a_backward_step_is_unresolved(wa: Path) -> None:
    events, warnings = run(wa / "dst_fold_no_step.txt")
    assert [e.timestamp for e in events] == [utc(2025, 10, 26, 0, 10), utc(2025, 10, 26, 0, 40), utc(2025, 10, 26, 2, 5)]
    assert all("unresolved: earlier instant assumed" in e.time_note for e in events[:2])
    assert not events[2].time_ambiguous
    assert [w.locator for w in of(warnings, "ambiguous_time")] == ["line 1"]


def test_dst_gap(wa: Path) -> None:
    events, warnings = run(wa / "dst_gap.txt")
    assert [e.timestamp for e in events] == [
        utc(2025, 3, 30, 0, 55),
        utc(2025, 3, 30, 1, 30),  # 01:30 never existed: read with GMT, the offset before the change
        utc(2025, 3, 30, 1, 10),  # 02:10 BST
    ]
    gap = events[1]
    assert gap.time_ambiguous and "does not exist in Europe/London" in gap.time_note and "GMT" in gap.time_note
    assert [w.locator for w in of(warnings, "nonexistent_time")] == ["line 2"]


def test_ambiguous_date_order_is_refused_until_given(wa: Path) -> None:
    with pytest.raises(DateOrderAmbiguousError) as err:
        run(wa / "ambiguous_order.txt")
    assert "date order is ambiguous" in str(err.value) and "dmy" in err.value.hint and err.value.file == "ambiguous_order.txt"
    dmy, warnings = run(wa / "ambiguous_order.txt", date_order="dmy")
    assert [e.timestamp for e in dmy] == [utc(2025, 4, 3, 9), utc(2025, 6, 5, 10), utc(2025, 8, 7, 11)]
    assert "date order dmy given by the user" in of(warnings, "date_order")[0].message
    assert not any(e.time_ambiguous for e in dmy)
    mdy, _ = run(wa / "ambiguous_order.txt", date_order="mdy")
    assert [e.timestamp for e in mdy] == [utc(2025, 3, 4, 10), utc(2025, 5, 6, 10), utc(2025, 7, 8, 11)]


def test_chronology_decides_tier_2(wa: Path) -> None:
    events, warnings = run(wa / "chronology_tier2.txt")
    assert [e.timestamp for e in events] == [utc(2025, 3, 11, 9), utc(2025, 3, 12, 9), utc(2025, 4, 1, 8), utc(2025, 4, 2, 8)]
    assert all(e.time_ambiguous and "inferred from message order" in e.time_note for e in events)
    summary = of(warnings, "date_order")[0].message
    assert "day/month/year because of chronology" in summary and "back in time 0 time(s)" in summary and "1 time(s)" in summary


def test_crlf(wa: Path) -> None:
    assert b"\r\n" in (wa / "crlf_ios.txt").read_bytes()
    events, _ = run(wa / "crlf_ios.txt")
    assert [e.text for e in events] == ["Why are you ignoring me", "I saw you today\nat the station\nyou looked tired", "Stop."]


def test_lines_before_the_first_header_are_reported(wa: Path) -> None:
    events, warnings = run(wa / "preamble_lines.txt")
    assert len(events) == 2 and events[0].source.locator == "line 3"
    unparsed = of(warnings, "unparsed_line")
    assert [w.locator for w in unparsed] == ["line 1", "line 2"]
    assert "Chat exported by Priya" in unparsed[0].message


def test_invalid_utf8_is_replaced_and_reported(wa: Path) -> None:
    events, warnings = run(wa / "invalid_utf8.txt")
    assert len(events) == 3
    assert events[1].text == "bad bytes \ufffd\ufffd here" and events[2].text == "still fine \u2705"
    assert [w.locator for w in of(warnings, "invalid_utf8")] == ["line 2"]


def test_assumed_timezone_is_warned_once(wa: Path) -> None:
    _, warnings = run(wa / "crlf_ios.txt", tz=None)
    assumed = of(warnings, "assumed_timezone")
    assert len(assumed) == 1 and "Europe/London" in assumed[0].message and "--timezone" in assumed[0].message


def test_zip_with_media(wa: Path) -> None:
    path = wa / "WhatsApp Chat - Mark Kell.zip"
    before = sorted((p.name, p.stat().st_mtime_ns) for p in wa.iterdir())
    source = source_file_for(path)
    ctx = HashOnlyContext(ParseOptions(timezone=zone("Europe/London"), timezone_assumed=False))
    items = list(PARSER.parse(source, ctx))
    events = [i for i in items if isinstance(i, Event)]
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    with zipfile.ZipFile(path) as zf:
        sha = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist()}
    assert {p: ref.sha256 for _, p, ref in ctx.derived} == sha  # resource fork stored too
    assert {e.thread for e in events} == {"Mark Kell"}
    assert {e.source.sha256 for e in events} == {source.sha256}
    assert events[1].attachments[0].sha256 == sha["00000009-PHOTO-2025-09-26-22-49-10.png"]
    assert events[1].attachments[0].media_type == "image/png"
    assert events[2].attachments[0].sha256 == ""
    assert [w.locator for w in of(warnings, "missing_attachment")] == ["_chat.txt:line 3"]
    assert sorted((p.name, p.stat().st_mtime_ns) for p in wa.iterdir()) == before  # nothing written beside it


def test_zip_with_a_path_traversal_member(wa: Path) -> None:
    path = wa / "evil_member.zip"
    with zipfile.ZipFile(path) as zf:
        assert "../evil.txt" in zf.namelist()
    source = source_file_for(path)
    ctx = HashOnlyContext(ParseOptions(timezone=zone("Europe/London"), timezone_assumed=False))
    items = list(PARSER.parse(source, ctx))
    rejected = [i for i in items if isinstance(i, ParseWarning) and i.code == "rejected_member"]
    assert len(rejected) == 1 and rejected[0].locator == "../evil.txt" and "outside the archive" in rejected[0].message
    assert [p for _, p, _ in ctx.derived] == ["_chat.txt"]
    assert [i.text for i in items if isinstance(i, Event)] == ["open the zip", "No."]


def test_folder_export_links_sibling_media(wa: Path) -> None:
    folder = wa / "ios_folder"
    events, warnings = run(folder / "_chat.txt")
    png = hashlib.sha256((folder / "00000003-PHOTO-2025-10-05-22-10-00.png").read_bytes()).hexdigest()
    assert events[1].attachments[0].sha256 == png and events[1].attachments[0].media_type == "image/png"
    assert events[2].attachments[0].sha256 == ""
    missing = of(warnings, "missing_attachment")
    assert [w.locator for w in missing] == ["line 3"] and "does not contain it" in missing[0].message
