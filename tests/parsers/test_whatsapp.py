"""WhatsApp parser against every WhatsApp export in the shared public corpus.

Expected answers come from ``corpus/SOURCES.md`` ("whatsapp — ground truth", counts of *header
lines*, so system lines are included) and from the upstream projects' own expectations
(``chatminer_expected_parse.json``; Chatistics' tests). Where this parser's stated rules give a
different answer than a count in SOURCES.md, the test says why.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import DateOrderAmbiguousError, ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import DateOrder, ParseOptions
from cyberevidence.parsers.whatsapp import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for
from cyberevidence.timeutil import zone

LRM = "\u200e"


def run(path: Path, *, tz: str = "UTC", date_order: DateOrder | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, date_order=date_order, warnings=warnings))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def authors(events: list[Event]) -> Counter[str]:
    """Header lines per shown author, as SOURCES.md counts them (system notices written after a
    name count for that name; notices without one are counted under "")."""
    return Counter(e.sender or e.extra.get("shown_sender", "") for e in events)


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


@pytest.fixture
def wa(corpus: Path) -> Path:
    return corpus / "whatsapp"


def sources_rows(corpus: Path, folder: str) -> dict[str, dict[str, str]]:
    """SOURCES.tsv rows for one corpus folder, by path inside that folder."""
    with (corpus / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    prefix = folder + "/"
    return {r["corpus_path"][len(prefix) :]: r for r in rows if r["corpus_path"].startswith(prefix)}


def chat_rows(corpus: Path) -> dict[str, dict[str, str]]:
    """The rows that are chat exports (.txt or .zip); media and expected-output files are not."""
    return {k: r for k, r in sources_rows(corpus, "whatsapp").items() if k.endswith((".txt", ".zip"))}


def parse_any_order(path: Path) -> tuple[list[Event], list[ParseWarning]]:
    """Parse; a file whose date order nothing decides is refused clearly, then read day-first as told."""
    try:
        return run(path)
    except DateOrderAmbiguousError as err:
        assert "date order is ambiguous" in str(err) and "dmy" in err.hint and err.locator.startswith("line ")
        return run(path, date_order="dmy")


def assert_every_line_accounted_for(path: Path, events: list[Event], warnings: list[ParseWarning]) -> None:
    """Nothing silently dropped: each non-blank line is a header, text of the message above it, or warned about."""
    lines = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff").split("\n")
    by_line = {int(e.source.locator.rsplit(" ", 1)[1]): e for e in events}
    warned = {w.locator for w in warnings}
    current: Event | None = None
    for n, raw in enumerate(lines, start=1):
        if n in by_line:
            current = by_line[n]
            continue
        line = raw.rstrip("\r").replace(LRM, "")
        if not line.strip() or f"line {n}" in warned:
            continue
        assert current is not None and line in current.text, f"{path.name} line {n} is in no event: {line!r}"


def test_every_corpus_export_is_sniffed_as_whatsapp(corpus: Path, wa: Path) -> None:
    rows = sources_rows(corpus, "whatsapp")
    present = {p.relative_to(wa).as_posix() for p in wa.rglob("*") if p.is_file()}
    assert sorted(set(rows) - present) == [], "listed in SOURCES.tsv but missing"
    assert sorted(present - set(rows)) == [], "present but without a SOURCES.tsv row"
    chats = chat_rows(corpus)
    assert chats
    for name, row in sorted(chats.items()):
        path = wa / name
        assert path.stat().st_size == int(row["bytes"]), name
        sniffed = PARSER.sniff(source_file_for(path), path.read_bytes()[: 64 * 1024])
        if row["description"].startswith("NOT "):  # a format-detection negative case
            assert not sniffed, name
            with pytest.raises(ParseError, match="no WhatsApp message header"):
                list(parse(path, format="whatsapp", timezone="UTC"))
            continue
        if int(row["bytes"]) == 0:  # nothing to recognise; forced, it is refused as empty
            assert not sniffed, name
            with pytest.raises(ParseError, match="empty"):
                list(parse(path, format="whatsapp", timezone="UTC"))
            continue
        assert sniffed, name
        events, warnings = parse_any_order(path)
        assert events, name
        assert all(w.locator for w in warnings if w.code not in ("date_order", "mixed_date_order", "assumed_timezone")), name
        if path.suffix == ".txt":
            assert_every_line_accounted_for(path, events, warnings)


def test_other_formats_in_the_corpus_are_not_sniffed(corpus: Path) -> None:
    checked = 0
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.parent.name in ("whatsapp", "timelinize_ios_export") or path.suffix == ".md":
            continue
        if path.name == "chatminer_signal_export.txt":
            continue  # chat-miner's Signal text export uses exactly the iOS WhatsApp header shape
        head = path.read_bytes()[: 64 * 1024]
        assert not PARSER.sniff(source_file_for(path), head), path
        checked += 1
    assert checked > 100


# -- date order: files nothing in which decides it ---------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "chatanalytics_android_group_4A_11M.txt",
        "chatanalytics_android_group_4A_11M.zip",
        "chatistics_android_dmyy_24h_tricky_names.txt",
    ],
)
def test_undecidable_date_order_is_refused(wa: Path, name: str) -> None:
    with pytest.raises(DateOrderAmbiguousError, match=r"date order is ambiguous.*decides it\.$") as err:
        run(wa / name)
    assert err.value.file == name
    assert "dmy" in err.value.hint and "mdy" in err.value.hint  # said once, in the hint (issue 19)


def test_chatanalytics_group(wa: Path) -> None:
    # 12/9/20 on every line: 12 Sep or 9 Dec; nothing in the file decides (see the test above).
    events, warnings = run(wa / "chatanalytics_android_group_4A_11M.txt", date_order="mdy")
    assert len(events) == 14
    assert Counter(e.kind for e in events) == {"system": 3, "message": 11}
    assert authors(events) == {"": 3, "Alice": 3, "Bob": 2, "Eve": 2, "Mallory": 2, "Trent": 2}
    system = [e.text for e in events if e.kind == "system"]
    assert system[1:] == ['Alice created group "Some cool group chat"', "Alice added you"]
    assert events[0].timestamp == utc(2020, 12, 9, 23, 55)
    assert events[1].timestamp == utc(2020, 12, 9, 23, 16)  # out of order in the file, kept in file order
    assert events[-1].timestamp == utc(2020, 12, 9, 23, 56) and events[-1].text == "heh"  # no final newline
    assert "date order mdy given by the user" in next(w.message for w in warnings if w.code == "date_order")
    dmy, _ = run(wa / "chatanalytics_android_group_4A_11M.txt", date_order="dmy")
    assert dmy[0].timestamp == utc(2020, 9, 12, 23, 55)


def test_chatanalytics_zip_matches_its_text(wa: Path) -> None:
    txt, _ = run(wa / "chatanalytics_android_group_4A_11M.txt", date_order="mdy")
    zipped, warnings = run(wa / "chatanalytics_android_group_4A_11M.zip", date_order="mdy")
    assert [(e.timestamp, e.sender, e.text, e.kind) for e in zipped] == [(e.timestamp, e.sender, e.text, e.kind) for e in txt]
    zip_sha = hashlib.sha256((wa / "chatanalytics_android_group_4A_11M.zip").read_bytes()).hexdigest()
    assert {e.source.sha256 for e in zipped} == {zip_sha}
    assert [e.source.locator for e in zipped[:2]] == ["_chat.txt:line 1", "_chat.txt:line 2"]
    assert "rejected_member" not in codes(warnings)


def test_chatanalytics_mdyy_needs_no_decision(wa: Path) -> None:
    events, warnings = run(wa / "chatanalytics_android_mdyy_2A_5M.txt")
    assert authors(events) == {"A": 3, "B": 2}
    assert [e.timestamp.minute for e in events] == [0, 1, 2, 3, 2]  # the last one is out of order
    assert all(e.timestamp.date() == utc(2021, 1, 1).date() for e in events)
    assert not any(e.time_ambiguous for e in events)
    assert [e.media_omitted for e in events] == [False, False, False, True, False]  # '<media omitted>', lower case
    assert "interchangeable" in next(w.message for w in warnings if w.code == "date_order")


def test_chatistics_tricky_names(wa: Path) -> None:
    events, _ = run(wa / "chatistics_android_dmyy_24h_tricky_names.txt", date_order="dmy")
    assert len(events) == 11
    assert Counter(e.kind for e in events)["system"] == 2
    who = authors(events)
    assert who["John Doe"] == 4 and who["n"] == 1 and who["Very long username"] == 1
    assert who["Even longer username with emoticons! 🙈 🙈"] == 1 and who["The final test"] == 2
    colons = next(e for e in events if e.sender == "The final test")
    assert colons.text == "Does it work with colons?: Hallelujah!"
    empty_first_line = next(e for e in events if e.source.locator == "line 10")
    assert empty_first_line.sender == "John Doe" and empty_first_line.text == "\n" * 5 + "👍" * 6 + "!"
    assert events[-1].text.endswith("\n2/11/19: Arrival\n12/12/19: Departure")
    assert events[0].timestamp == utc(2019, 11, 2, 14, 18)
    assert events[7].timestamp == utc(2019, 11, 10, 14, 25)
    # Read month-first (as Chatistics' own test does) the same lines are 11 Feb and 11 Oct 2019.
    mdy, _ = run(wa / "chatistics_android_dmyy_24h_tricky_names.txt", date_order="mdy")
    assert mdy[0].timestamp == utc(2019, 2, 11, 14, 18) and mdy[7].timestamp == utc(2019, 10, 11, 14, 25)


def test_chatistics_ios_brackets_lrm(wa: Path) -> None:
    events, warnings = run(wa / "chatistics_ios_de_ddmmyy_brackets_lrm.txt")
    # SOURCES.md counts 23 header-shaped lines (Alice 11). Line 22 '2/11/19, 14:48 Alice Placeholder: ...'
    # has no ' - ' after the time, so it is not an Android header: it stays text of line 21's
    # message, exactly as Chatistics' own test expects ("a message from another chat").
    assert len(events) == 22
    assert authors(events) == {"Alice Placeholder": 10, "John Doe": 11, "": 1}
    assert events[2].kind == "system" and events[2].text == "This is an info entry"
    assert events[3].sender == "John Doe" and events[3].source.locator == "line 4"  # U+200E before '['
    assert events[0].timestamp == utc(2018, 1, 4, 11, 53, 57)
    assert events[-1].timestamp == utc(2019, 4, 19, 16, 18, 33)
    assert events[-2].text == "What is that?\n2/11/19, 14:48 Alice Placeholder: this is a message from another chat!"
    assert not any(LRM in e.text for e in events)
    # '[1.2.2019, 00:00:00]' (line 19) is header-shaped in a different style and goes back in
    # time: it is kept as a message (Chatistics reads it as a continuation) and flagged.
    lookalike = next(e for e in events if e.source.locator == "line 19")
    assert lookalike.timestamp == utc(2019, 2, 1) and lookalike.time_ambiguous
    assert "'.'-separated" in lookalike.time_note
    assert [w.locator for w in warnings if w.code == "style_change"] == ["line 19"]


def test_chatistics_mixed_dates(wa: Path) -> None:
    # SOURCES.md: 5 header-shaped lines, Peter Doe 3 / John Doe 2, 17.9.2019 16:37:47 -> 16:39:52;
    # line 2 is a header look-alike that Chatistics treats as the first message's second line
    # (its test expects 4 messages). By the stated rule a header-shaped line is a header; the
    # parser keeps it as a message dated 1 Sep 2019 and warns that it may be pasted text.
    events, warnings = run(wa / "chatistics_ios_de_mixed_dates.txt")
    assert authors(events) == {"Peter Doe": 3, "John Doe": 2}
    assert events[0].timestamp == utc(2019, 9, 17, 16, 37, 47)
    assert events[-1].timestamp == utc(2019, 9, 17, 16, 39, 52)
    others = [e.timestamp for i, e in enumerate(events) if i != 1]
    assert others == [
        utc(2019, 9, 17, 16, 37, 47),
        utc(2019, 9, 17, 16, 38, 6),
        utc(2019, 9, 17, 16, 38, 59),
        utc(2019, 9, 17, 16, 39, 52),
    ]
    assert events[1].timestamp == utc(2019, 9, 1) and events[1].text == "this is the second line of the first message"
    assert events[1].extra["style_change"] is True and "style_change" not in events[0].extra
    assert [w.locator for w in warnings if w.code == "style_change"] == ["line 2"]


def test_chatistics_us_en_dash(wa: Path) -> None:
    events, _ = run(wa / "chatistics_us_12h_endash.txt")
    assert [e.timestamp for e in events] == [
        utc(2019, 9, 17, 8, 30, 52),
        utc(2019, 9, 17, 16, 30, 10),
        utc(2019, 9, 18, 16, 50, 32),
    ]
    assert {(e.sender, e.text) for e in events} == {("John Doe", "US datetime format")}


@pytest.mark.parametrize(
    "name",
    [
        "chatminer_android_ddmmyy_24h.txt",
        "chatminer_android_mmddyy_24h.txt",
        "chatminer_android_mmddyyyy_12h_es_ampm.txt",
        "chatminer_android_yyyymmdd_24h.txt",
        "chatminer_bracket_mmddyy_24h.txt",
    ],
)
def test_chatminer_variants_match_upstream_expectation(wa: Path, name: str) -> None:
    expected = json.loads((wa / "chatminer_expected_parse.json").read_text(encoding="utf-8"))
    events, _ = run(wa / name)
    assert len(events) == 9
    messages = [e for e in events if e.kind == "message"]
    got = [
        {"timestamp": e.timestamp.strftime("%Y-%m-%dT%H:%M:%S"), "author": e.sender, "message": e.text.replace("\n", " ")}
        for e in reversed(messages)
    ]
    assert got == expected
    system = [e.text for e in events if e.kind == "system"]
    assert system == ["John Doe:.", '+12 345 578 created group "Groupname"', "You were added"]
    assert not any(e.time_ambiguous for e in events)


def test_chm_mixed_header_styles(wa: Path) -> None:
    events, warnings = run(wa / "chm_android_WhatsApp Chat with +123 45 6789.txt")
    assert len(events) == 13
    assert authors(events) == {"": 2, "Aaaaa Aaaaaaaaaaa": 3, "+123 45 6789": 8}
    assert all(utc(2023, 6, 30, 16, 13) <= e.timestamp <= utc(2023, 6, 30, 16, 15) for e in events)
    assert events[0].timestamp == utc(2023, 6, 30, 16, 13) and events[-1].timestamp == utc(2023, 6, 30, 16, 15)
    summary = next(w.message for w in warnings if w.code == "date_order")
    assert "6/30/23" in summary and "month/day/year" in summary and "30/6/2023" in summary and "day/month/year" in summary
    assert events[2].text == "hello there!\n\nthis is a\nmulti-line message!"
    assert events[2].extra["trailing_blank_lines"] == 1
    attached = [a.name for e in events for a in e.attachments]
    assert attached == [
        "IMG-20230630-WA0000.jpg",
        "VID-20230630-WA0001.mp4",
        "AUD-20230630-WA0002.opus",
        "STK-20230630-WA0003.webp",
    ]
    assert all(a.sha256 == "" for e in events for a in e.attachments)
    assert [w.locator for w in warnings if w.code == "missing_attachment"] == ["line 11", "line 13", "line 14", "line 15"]
    assert events[6].text == "IMG-20230630-WA0000.jpg (file attached)\nimage comment"
    assert [e.text for e in events if e.media_omitted] == ["<Media omitted>"]
    assert any(e.text == "null" and e.kind == "message" for e in events)
    # The disappearing-timer line is written after '+123 45 6789: ' but is WhatsApp's notice.
    timer = events[-1]
    assert timer.kind == "system" and timer.sender == "" and timer.extra["shown_sender"] == "+123 45 6789"
    assert timer.text.startswith("+123 45 6789 updated the message timer.")


def test_langchain_ios_us_image_omitted(wa: Path) -> None:
    events, _ = run(wa / "langchain_ios_us_12h_lrm_image_omitted.txt")
    assert authors(events) == {"Dr. Feather": 8, "Jungle Jane": 4}
    assert events[0].kind == "system" and events[0].extra["shown_sender"] == "Dr. Feather"
    assert sum(e.media_omitted for e in events) == 3
    assert events[0].timestamp == utc(2023, 8, 15, 9, 12, 33) and events[-1].timestamp == utc(2023, 8, 15, 21, 25, 16)
    # 7 U+200E in the file: 3 lead header lines, 4 are inside texts (removed and counted)
    assert sum(e.extra.get("lrm_removed", 0) for e in events) == 4
    assert not any(LRM in e.text for e in events)


def test_langchain_ten_header_styles(wa: Path) -> None:
    events, _ = run(wa / "langchain_mixed_variants_nnbsp.txt")
    assert [e.timestamp for e in events] == [
        utc(2023, 5, 5, 15, 48, 11),
        utc(2021, 11, 8, 9, 41, 32),  # month-first: line 5 of the same style has 1/24/21
        utc(2023, 1, 23, 3, 19),
        utc(2023, 1, 23, 3, 22),  # '3:22_AM'
        utc(2021, 1, 24, 12, 41, 3),
        utc(2023, 5, 4, 16, 13, 23),  # year first
        utc(2022, 7, 19, 23, 32),  # U+202F before PM
        utc(2022, 7, 20, 11, 32),  # U+202F before am
        utc(2023, 4, 20, 9, 42),
        utc(2023, 6, 29, 0, 16),  # 12:16 am
    ]
    assert [e.sender for e in events][4:6] == ["User name 2", "User 2"]
    assert events[4].extra["sender_raw"] == "~ User name 2"
    assert events[8].media_omitted and events[9].deleted
    assert all(e.kind == "message" for e in events)


def test_languagewhatsapp_dated_attachment_names_decide(wa: Path) -> None:
    events, warnings = run(wa / "languagewhatsapp_ios_uk_12h_lowercase_pm_lrm_attached.txt")
    assert authors(events) == {"Alice": 7, "Bob": 6}
    # Every header says 02/11/2020; the photo is named ...-PHOTO-2020-11-02-..., so 2 Nov 2020.
    assert events[0].timestamp == utc(2020, 11, 2, 21, 47, 19) and events[-1].timestamp == utc(2020, 11, 2, 21, 50, 40)
    assert "attachment on line 8" in next(w.message for w in warnings if w.code == "date_order")
    assert not any(e.time_ambiguous for e in events)
    names = [a.name for e in events for a in e.attachments]
    assert names == ["00000010-PHOTO-2020-11-02-21-49-51.jpg", "00000013-AUDIO-2020-11-02-21-50-21.opus"]
    assert sum(e.extra.get("lrm_removed", 0) for e in events) == 2  # 4 marks: 2 before '[', 2 in text
    assert events[-1].text == "You\u2019re welcome, Alice"


def test_pustur_chat_text(wa: Path) -> None:
    events, warnings = run(wa / "pustur_ios_de_with_media__chat.txt")
    assert len(events) == 52
    assert authors(events) == {"": 4, "Loris": 29, "John": 12, "Emily": 7}
    assert [e.text for e in events if e.kind == "system"][1:] == [
        "Loris created group “WhatsApp Chat Parser Example”",
        "Loris added Emily",
        "Loris added John",
    ]
    assert events[0].timestamp == utc(2019, 6, 20, 15, 58, 47) and events[-1].timestamp == utc(2019, 6, 20, 16, 45, 28)
    assert not any("\r" in e.text for e in events)
    poll = next(e for e in events if e.extra.get("poll"))
    assert poll.text.startswith("POLL:\nWhen can we meet?\n") and poll.text.count("\nOPTION: ") == 5
    assert any(e.text == "Come on...\ndon't be so mysterious and show us!" for e in events)
    assert events[-1].text == (
        "Links:\n- https://github.com/Pustur/whatsapp-chat-parser\n- https://github.com/Pustur/whatsapp-chat-parser-website"
    )
    assert codes(warnings)["missing_attachment"] == 4  # the text alone has no media


def test_pustur_zip_stores_and_links_media(wa: Path) -> None:
    path = wa / "pustur_ios_de_with_media_export.zip"
    source = source_file_for(path)
    ctx = HashOnlyContext(ParseOptions(timezone=zone("Europe/Berlin"), timezone_assumed=False))
    items = list(PARSER.parse(source, ctx))
    events = [i for i in items if isinstance(i, Event)]
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    with zipfile.ZipFile(path) as zf:
        member_sha = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist()}
    # every member is derived (hashed and kept with the zip as parent), the chat text included
    assert {p: ref.sha256 for _, p, ref in ctx.derived} == member_sha
    assert all(parent == source.sha256 for parent, _, _ in ctx.derived)
    assert member_sha["_chat.txt"] == hashlib.sha256((wa / "pustur_ios_de_with_media__chat.txt").read_bytes()).hexdigest()
    linked = {a.name: a.sha256 for e in events for a in e.attachments}
    assert linked == {
        n: member_sha[n]
        for n in (
            "00000001-PHOTO-2019-06-20-16-00-15.jpg",
            "00000002-VIDEO-2019-06-20-16-01-42.mp4",
            "00000003-AUDIO-2019-06-20-16-03-55.mp3",
            "00000004-whatsapp-chat-parser-example.zip",
        )
    }
    photo = next(e for e in events if e.attachments and "PHOTO" in e.attachments[0].name)
    assert photo.source.locator == "_chat.txt:line 16" and photo.attachments[0].media_type == "image/jpeg"
    assert {e.source.sha256 for e in events} == {source.sha256}
    assert len(events) == 52 and events[0].timestamp == utc(2019, 6, 20, 13, 58, 47)  # CEST
    assert "missing_attachment" not in codes(warnings) and "assumed_timezone" not in codes(warnings)


def test_timelinize_folder_export(wa: Path) -> None:
    folder = wa / "timelinize_ios_export"
    with pytest.raises(DateOrderAmbiguousError, match="01/07/2025"):
        run(folder / "_chat.txt")  # the one dd/mm/yyyy line cannot be decided
    events, warnings = run(folder / "_chat.txt", date_order="dmy")
    assert len(events) == 19
    assert authors(events) == {"Person 1": 8, "Person 2": 5, "Person 3": 5, "Persona español": 1}
    assert [e.kind for e in events[:2]] == ["system", "system"]  # E2E notice, number change (U+200E-led)
    assert events[-1].timestamp == utc(2025, 7, 1, 12, 0, 19)
    sibling_sha = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("some-image.jpg", "some-doc.pdf")}
    assert {a.name: a.sha256 for e in events for a in e.attachments} == sibling_sha
    assert "missing_attachment" not in codes(warnings)
    assert sum(e.media_omitted for e in events) == 1
    assert sum(e.deleted for e in events) == 2 and sum(e.edited for e in events) == 1
    assert sum(bool(e.extra.get("poll")) for e in events) == 2
    calls = [(e.call_type, e.extra["missed"], e.duration_s) for e in events if e.kind == "call"]
    assert calls == [("voice", True, None), ("video", False, 300)]
    raw = (folder / "_chat.txt").read_text(encoding="utf-8")
    header_marks = sum(1 for line in raw.splitlines() if line.startswith(LRM + "["))
    assert sum(e.extra.get("lrm_removed", 0) for e in events) + header_marks == raw.count(LRM) == 24
    mdy, _ = run(folder / "_chat.txt", date_order="mdy")
    assert mdy[-1].timestamp == utc(2025, 1, 7, 12, 0, 19) and mdy[0].timestamp == events[0].timestamp


@pytest.mark.parametrize(
    ("name", "count", "who", "first", "last"),
    [
        (
            "whatstk_lorem_bracket_ddmmyy_seconds.txt",
            500,
            {"+1 123 456 789": 145, "John": 124, "Giuseppe": 118, "Mary": 113},
            utc(2020, 1, 15, 2, 22, 56),
            utc(2020, 5, 11, 22, 32, 48),
        ),
        (
            "whatstk_lorem_merge_part1_yyyymmdd.txt",
            300,
            {"Mary": 80, "+1 123 456 789": 78, "Giuseppe": 75, "John": 67},
            utc(2019, 10, 20, 10, 16),
            utc(2020, 1, 10, 0, 0),
        ),
        (
            "whatstk_lorem_merge_part2_yyyymmdd.txt",
            300,
            {"+1 123 456 789": 78, "Giuseppe": 75, "John": 67, "Maria": 51, "Maria2": 29},
            utc(2020, 6, 20, 10, 16),
            utc(2020, 9, 10, 0, 0),
        ),
    ],
)
def test_whatstk_lorem(wa: Path, name: str, count: int, who: dict[str, int], first: datetime, last: datetime) -> None:
    events, warnings = run(wa / name)
    assert len(events) == count and authors(events) == who
    assert (events[0].timestamp, events[-1].timestamp) == (first, last)
    assert set(codes(warnings)) == {"date_order"}


def test_whatstk_pokemon(wa: Path) -> None:
    events, _ = run(wa / "whatstk_pokemon_de_ddmmyyyy_24h.txt")
    assert len(events) == 20
    assert [e.kind for e in events[:2]] == ["system", "system"]
    assert events[0].extra["shown_sender"] == "Pokemon Chat"  # the group's name, not a person
    assert authors(events) == {
        "Pokemon Chat": 1,
        "": 1,
        "Ash Ketchum": 4,
        "Misty": 4,
        "Brock": 3,
        "Prof. Oak": 2,
        "Raichu": 2,
        "Jessie & James": 1,
        "Meowth": 1,
        "Wobbuffet": 1,
    }
    assert events[0].timestamp == utc(2016, 4, 15, 15, 4) and events[-1].timestamp == utc(2016, 10, 31, 12, 23)
    assert events[-1].text == "Wo-bbu-ffet" and events[-1].extra["trailing_blank_lines"] == 1


def test_same_corpus_file_twice_gives_the_same_ids(wa: Path) -> None:
    one, _ = run(wa / "pustur_ios_de_with_media_export.zip")
    two, _ = run(wa / "pustur_ios_de_with_media_export.zip")
    assert [e.event_id for e in one] == [e.event_id for e in two]
    assert len({e.event_id for e in one}) == len(one)


def test_standalone_parse_hashes_only_linked_siblings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files beside a chat are read only when a message links them (a big video is not hashed for nothing)."""
    import cyberevidence.standalone as standalone

    chat = tmp_path / "WhatsApp Chat with Mark.txt"
    chat.write_text("12/09/2020, 23:55 - Mark: IMG-20200912-WA0001.jpg (file attached)\n", encoding="utf-8")
    (tmp_path / "IMG-20200912-WA0001.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (tmp_path / "unrelated.bin").write_bytes(b"x" * 1000)
    hashed: list[str] = []
    real = standalone.hash_file

    def spy(path: Path, *args: object, **kwargs: object) -> dict[str, str]:
        hashed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(standalone, "hash_file", spy)
    events = list(standalone.parse(chat, timezone="Europe/London", date_order="dmy"))
    assert [a.name for a in events[0].attachments] == ["IMG-20200912-WA0001.jpg"]
    assert events[0].attachments[0].sha256
    assert sorted(hashed) == ["IMG-20200912-WA0001.jpg", "WhatsApp Chat with Mark.txt"]
