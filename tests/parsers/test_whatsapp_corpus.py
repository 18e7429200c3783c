"""WhatsApp parser against the corpus exports added after the first twenty-three.

Every expected value is taken from the file's ``ground_truth`` (and ``description``) column in
``corpus/SOURCES.tsv``, written independently of this parser; the comment above each check quotes
the fact it checks. Where the parser's stated rules answer differently, the test says why.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import DateOrderAmbiguousError, ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import DateOrder
from cyberevidence.parsers.whatsapp import PARSER
from cyberevidence.standalone import parse, source_file_for

pytestmark = pytest.mark.corpus

NBSP = "\u00a0"


def run(path: Path, *, date_order: DateOrder | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone="UTC", date_order=date_order, warnings=warnings, format="whatsapp"))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def authors(events: list[Event]) -> Counter[str]:
    return Counter(e.sender for e in events if e.kind == "message")


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


@pytest.fixture
def wa(corpus: Path) -> Path:
    return corpus / "whatsapp"


LOREM_AUTHORS = {"John Doe": 2, "John-John Doe": 1, "Jahn Doe": 1}


def test_demo_without_comma_and_unpadded_day(wa: Path) -> None:
    # 2 msgs: User1 '30/12/2020 13:00', User2 '13/1/2021 13:00' (d/m/yyyy, no comma, not zero-padded)
    events, _ = run(wa / "chatanalytics_hist_demo_no_comma.txt")
    assert [(e.sender, e.timestamp) for e in events] == [("User1", utc(2020, 12, 30, 13)), ("User2", utc(2021, 1, 13, 13))]


def test_bracket_24h_clock_with_pm(wa: Path) -> None:
    # 4 msgs: John Doe 2, John-John Doe 1, Jahn Doe 1 (last one 2 lines); [09/10/22 11:37:00 p.m.] ->
    # [12/10/22 14:37:00 p.m.]; hours 12/13/14 combined with 'p.m.' (24h clock + meridiem, ambiguous)
    path = wa / "chatminer_hist_bracket_ddmmyy_24h_with_pm.txt"
    with pytest.raises(DateOrderAmbiguousError):
        run(path)  # 09/10 .. 12/10: chronological read either way, nothing decides
    events, warnings = run(path, date_order="dmy")  # dd/mm/yy, as the description says
    assert len(events) == 4 and authors(events) == LOREM_AUTHORS
    assert events[0].timestamp == utc(2022, 10, 9, 23, 37)  # 11:37 p.m.
    assert events[-1].timestamp == utc(2022, 10, 12, 14, 37)  # 14:37 'p.m.': the 24-hour reading
    assert events[-1].text.count("\n") == 1
    assert events[2].text == "Lorem ipsum : dolor sit amet."
    conflicted = [e.source.locator for e in events if e.time_ambiguous]
    assert conflicted == ["line 3", "line 4"]  # 13 and 14 with p.m.; 12:37 p.m. is noon either way
    assert [w.locator for w in warnings if w.code == "clock_conflict"] == ["line 3", "line 4"]


def test_bracket_month_first_with_dots(wa: Path) -> None:
    # [10.21.21, 15:21:45] -> [10.24.21, 15:21:48] = 2021-10-21..24 (month first despite dots); last msg 2 lines
    events, _ = run(wa / "chatminer_hist_bracket_mmddyy_dots.txt")
    assert authors(events) == LOREM_AUTHORS
    assert (events[0].timestamp, events[-1].timestamp) == (utc(2021, 10, 21, 15, 21, 45), utc(2021, 10, 24, 15, 21, 48))
    assert events[-1].text.count("\n") == 1


def test_seconds_and_an_empty_line_between_messages(wa: Path) -> None:
    # 21/10/21 15:21:45 -> 24/10/21 15:21:48; an empty line between msg 2 and 3
    events, _ = run(wa / "chatminer_hist_ddmmyy_seconds_blank_line.txt")
    assert len(events) == 4 and authors(events) == LOREM_AUTHORS
    assert (events[0].timestamp, events[-1].timestamp) == (utc(2021, 10, 21, 15, 21, 45), utc(2021, 10, 24, 15, 21, 48))
    assert events[1].extra["trailing_blank_lines"] == 1 and not events[1].text.endswith("\n")


def test_spanish_nbsp_inside_pm(wa: Path) -> None:
    # 3 msgs, all '09/10/22, 10:37 p.\u00a0m.' (= 22:37): authors 'John Doe', 'John Doe 🤓', '🤓';
    # 1 U+00A0 in the text 'abnormal unicode'
    path = wa / "chatminer_hist_es_nbsp_in_pm.txt"
    with pytest.raises(DateOrderAmbiguousError):
        run(path)
    events, _ = run(path, date_order="dmy")
    assert [e.sender for e in events] == ["John Doe", "John Doe 🤓", "🤓"]
    assert {e.timestamp for e in events} == {utc(2022, 10, 9, 22, 37)}
    assert f"abnormal{NBSP}unicode" in events[0].text


def test_latin_american_pm_dots_without_comma(wa: Path) -> None:
    # 9/24/2019 11:30 p.m. (2019-09-24 23:30) ... 12/24/2019 11:30 a.m.; 11/27 before 11/17
    events, _ = run(wa / "chatminer_hist_mdyyyy_12h_pm_dots_no_comma.txt")
    assert authors(events) == LOREM_AUTHORS
    assert events[0].timestamp == utc(2019, 9, 24, 23, 30) and events[-1].timestamp == utc(2019, 12, 24, 11, 30)
    assert (events[1].timestamp.month, events[1].timestamp.day, events[2].timestamp.day) == (11, 27, 17)


def test_trailing_dot_after_the_time(wa: Path) -> None:
    # 2022/12/14 13:34 -> 2022/12/24 11:35, then 2022/12/21 17:02 (out of order); '13:34. - '
    path = wa / "chatminer_hist_yyyymmdd_time_trailing_dot.txt"
    assert PARSER.sniff(source_file_for(path), path.read_bytes())
    events, _ = run(path)
    assert authors(events) == LOREM_AUTHORS
    assert [e.timestamp for e in events] == [
        utc(2022, 12, 14, 13, 34),
        utc(2022, 12, 24, 11, 33),
        utc(2022, 12, 24, 11, 35),
        utc(2022, 12, 21, 17, 2),
    ]
    assert not any(e.text.startswith((".", "- ")) for e in events)


POKEMON = {
    "Ash Ketchum": 4,
    "Misty": 4,
    "Brock": 3,
    "Prof. Oak": 2,
    "Raichu": 2,
    "Jessie & James": 1,
    "Meowth": 1,
    "Wobbuffet": 1,
}


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("whatstk_hist_bracket_yyyymmdd_no_comma.txt", utc(2016, 4, 15, 15, 4), utc(2016, 10, 31, 12, 23)),
        ("whatstk_hist_dd-mm-yyyy_12h_seconds.txt", utc(2016, 4, 15, 15, 4, 10), utc(2016, 10, 31, 12, 23, 10)),
        ("whatstk_hist_ddmmyyyy_dots_seconds.txt", utc(2016, 4, 15, 15, 4, 10), utc(2016, 10, 31, 12, 23, 10)),
        ("whatstk_hist_mixed_slash_then_dots.txt", utc(2016, 4, 15, 15, 4), utc(2016, 10, 31, 12, 23)),
        ("whatstk_hist_iso_12h_lowercase_pm_dots.txt", utc(2016, 4, 15, 15, 4), utc(2016, 10, 31, 14, 23)),
        ("whatstk_hist_iso_12h_PM.txt", utc(2016, 4, 15, 15, 4), utc(2016, 10, 31, 14, 23)),
    ],
)
def test_pokemon_chat_in_six_header_styles(wa: Path, name: str, first: datetime, last: datetime) -> None:
    # 20 header lines (2 system + 18 msgs): Ash Ketchum 4, Misty 4, Brock 3, Prof. Oak 2, Raichu 2,
    # Jessie & James 1, Meowth 1, Wobbuffet 1; first and last header as listed per file
    events, warnings = run(wa / name)
    assert len(events) == 20
    assert Counter(e.kind for e in events) == {"system": 2, "message": 18}
    assert authors(events) == POKEMON
    assert (events[0].timestamp, events[-1].timestamp) == (first, last)
    assert not any(e.time_ambiguous for e in events)
    assert "date_order" in codes(warnings) and "invalid_header" not in codes(warnings)


def test_pokemon_system_lines_and_out_of_order_last_line(wa: Path) -> None:
    # 2 system ('You created group “Sample Group”', old group E2E notice)
    events, _ = run(wa / "whatstk_hist_bracket_yyyymmdd_no_comma.txt")
    system = [e.text for e in events if e.kind == "system"]
    assert system[0] == "You created group “Sample Group”" and "end-to-end encryption" in system[1]
    assert all(e.sender == "" for e in events if e.kind == "system")
    # last line '2016-10-31, 02:23 PM' follows an '11:45 PM' entry (out of order): kept in file order
    iso, _ = run(wa / "whatstk_hist_iso_12h_PM.txt")
    assert iso[-2].timestamp == utc(2016, 10, 31, 23, 45) and iso[-1].timestamp < iso[-2].timestamp


def test_german_android_with_attachments(wa: Path) -> None:
    # 8 header lines = 1 German E2E system notice + 7 msgs (Jane Doe 4, John Doe 3); 16.02.21 22:10 ->
    # 18.02.21 05:41; 2 '(Datei angehängt)' attachments: VID-20181031-WA0007.mp4 (caption line 'Das hier
    # meine ich'), 'Max Caulfield.vcf'; one 4-line msg incl. a blank line
    events, warnings = run(wa / "skowalak_android_de_WhatsApp Chat mit Jane Doe.txt")
    assert len(events) == 8 and events[0].kind == "system" and events[0].sender == ""
    assert authors(events) == {"Jane Doe": 4, "John Doe": 3}
    assert (events[0].timestamp, events[-1].timestamp) == (utc(2021, 2, 16, 22, 10), utc(2021, 2, 18, 5, 41))
    assert [a.name for e in events for a in e.attachments] == ["VID-20181031-WA0007.mp4", "Max Caulfield.vcf"]
    video = next(e for e in events if e.attachments and e.attachments[0].name.startswith("VID"))
    assert video.text.endswith("\nDas hier meine ich")
    four = [e for e in events if e.text.count("\n") == 3]
    assert len(four) == 1 and "\n\n" in four[0].text
    assert codes(warnings)["missing_attachment"] == 2


def test_empty_export_is_reported_as_empty(wa: Path) -> None:
    # 0 bytes: empty export — expect 0 messages / a clear 'empty file' report, not a crash
    path = wa / "skowalak_empty_WhatsApp Chat with Andrew Ryan.txt"
    assert not PARSER.sniff(source_file_for(path), b"")
    with pytest.raises(ParseError, match="empty"):
        run(path)


def test_android_and_ios_headers_in_one_file(wa: Path) -> None:
    # 11 lines, 7 timestamped: '12/15/25, 10:30 AM - John Doe', '10:31 AM - Jane Smith' (3 lines); iOS
    # '[15/12/2025, 10:32:03 AM] Alice', '[15/12/2025, 10:33:00 AM] Bob' (3 lines); '15/12/2025, 10:34:00
    # AM Charlie:' (no brackets, no dash); author-less system lines at 10:35 and 10:36; all 2025-12-15
    events, warnings = run(wa / "waparserrb_mixed_android_ios_sample.txt")
    assert [e.sender for e in events if e.kind == "message"] == ["John Doe", "Jane Smith", "Alice", "Bob"]
    assert [e.text for e in events if e.kind == "system"] == ["Note System message on Android.", "Note System message on iOS."]
    assert all(e.timestamp.date() == utc(2025, 12, 15).date() for e in events)
    assert [e.timestamp for e in events] == [
        utc(2025, 12, 15, 10, m, s) for m, s in ((30, 0), (31, 0), (32, 3), (33, 0), (35, 0), (36, 0))
    ]
    assert events[1].text.count("\n") == 2
    # The seventh timestamped line has neither header layout: by the stated rule it stays text of Bob's
    # message, and a warning points at it so it is not missed.
    assert events[3].text.endswith("\n15/12/2025, 10:34:00 AM Charlie: iOS message without brackets.")
    assert [w.locator for w in warnings if w.code == "header_lookalike"] == ["line 9"]


def test_short_chat_every_date_ambiguous(wa: Path) -> None:
    # 5 header lines = 2 system (old group E2E notice, 'You created group "ShortChat"') + 3 msgs (Sample
    # User, TestBot, '+410123456789' 3-line with blank line); headers 06/03/2017 00:45, 08/05/2017 01:48,
    # 09/04/2017 01:50 — only the m/d reading (Jun 3, Aug 5, Sep 4) is chronological
    path = wa / "pustur_parser_short_chat_ambiguous_dmy.txt"
    events, warnings = run(path)
    assert [e.kind for e in events] == ["system", "system", "message", "message", "message"]
    assert events[1].text == 'You created group "ShortChat"' and events[1].sender == ""
    assert [e.sender for e in events[2:]] == ["Sample User", "TestBot", "+410123456789"]
    assert events[-1].text.count("\n") == 2 and "\n\n" in events[-1].text
    assert [e.timestamp for e in events[2:]] == [utc(2017, 6, 3, 0, 45), utc(2017, 8, 5, 1, 48), utc(2017, 9, 4, 1, 50)]
    assert all(e.time_ambiguous and "message order" in e.time_note for e in events)  # inferred, so flagged
    assert "chronology" in next(w.message for w in warnings if w.code == "date_order")
    dmy, _ = run(path, date_order="dmy")
    assert [e.timestamp for e in dmy[2:]] == [utc(2017, 3, 6, 0, 45), utc(2017, 5, 8, 1, 48), utc(2017, 4, 9, 1, 50)]


def test_name_colon_lines_without_timestamps_are_not_whatsapp(wa: Path) -> None:
    # NOT a WhatsApp export: 'Name: text' lines without any timestamps -> 0 messages
    path = wa / "pustur_parser_not_a_whatsapp_chat.txt"
    assert not PARSER.sniff(source_file_for(path), path.read_bytes())
    with pytest.raises(ParseError, match="no WhatsApp message header"):
        run(path)
