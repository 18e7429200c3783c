"""The WhatsApp parser's individual rules: line streaming, header shapes, the date-order tiers,
who-said-it, markers, and hostile or odd input. Small inline inputs; answers worked out by hand."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import DateOrderAmbiguousError, ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import _whatsapp_lines, whatsapp
from cyberevidence.parsers._whatsapp_dates import HeaderScanner
from cyberevidence.parsers._whatsapp_lines import iter_line_blocks
from cyberevidence.parsers._whatsapp_text import BodySplitter, read_call, read_markers, thread_from_name
from cyberevidence.parsers.base import DateOrder, SourceFile
from cyberevidence.parsers.whatsapp import PARSER
from cyberevidence.standalone import parse, source_file_for


def run(path: Path, *, tz: str = "UTC", date_order: DateOrder | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, date_order=date_order, warnings=warnings, format="whatsapp"))
    return events, warnings


def chat(tmp_path: Path, text: str, name: str = "chat.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


# -- streaming lines ---------------------------------------------------------------------------

RAW = b"\xef\xbb\xbffirst\r\nsecond\nthi\xffrd\r\n\r\nkeep\rcr\nlast"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_lines_are_the_same_whatever_the_chunk_size(chunk: int) -> None:
    blocks = list(iter_line_blocks(io.BytesIO(RAW).read, chunk))
    lines = [line for b in blocks for line in b.lines]
    assert lines == ["first", "second", "thi\ufffdrd", "", "keep\rcr", "last"]
    assert [n for b in blocks for n in b.bad] == [3]
    starts = [b.first for b in blocks]
    assert starts == sorted(starts) and starts[0] == 1


def test_a_final_newline_adds_no_empty_line() -> None:
    lines = [line for b in iter_line_blocks(io.BytesIO(b"a\nb\n").read) for line in b.lines]
    assert lines == ["a", "b"]


def test_tiny_read_chunks_give_identical_events(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fixtures_dir / "whatsapp" / "WhatsApp Chat with +44 7700 900123.txt"
    normal, _ = run(path)
    monkeypatch.setattr(_whatsapp_lines, "CHUNK", 3)
    tiny, _ = run(path)
    assert [e.to_record() for e in tiny] == [e.to_record() for e in normal]


# -- header shapes -----------------------------------------------------------------------------

LRM, NNBSP = "\u200e", "\u202f"


@pytest.mark.parametrize(
    ("line", "fields", "seconds"),
    [
        ("12/09/2020, 23:55 - Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60),
        ("1/2/21, 9:05 - Bob: hi", (1, 2, 2021), 9 * 3600 + 5 * 60),
        ("12.09.20, 23:55 - Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60),
        ("2020-09-12, 23:55 - Bob: hi", (2020, 9, 12), 23 * 3600 + 55 * 60),
        ("2020/9/12 23:55 - Bob: hi", (2020, 9, 12), 23 * 3600 + 55 * 60),
        ("[12.09.20, 23:55:01] Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60 + 1),
        ("[12/09/2020 23:55] Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60),
        ("[9/12/20, 11:55:01 PM] Bob: hi", (9, 12, 2020), 23 * 3600 + 55 * 60 + 1),
        (f"9/12/20, 11:55{NNBSP}PM - Bob: hi", (9, 12, 2020), 23 * 3600 + 55 * 60),
        ("9/12/20, 12:05 am - Bob: hi", (9, 12, 2020), 5 * 60),
        ("9/12/20, 12:05 PM – Bob: hi", (9, 12, 2020), 12 * 3600 + 5 * 60),
        ("9/12/20, 3:22_AM - Bob: hi", (9, 12, 2020), 3 * 3600 + 22 * 60),
        ("12/09/2020, 11:25 a. m. - Bob: hi", (12, 9, 2020), 11 * 3600 + 25 * 60),
        ("12/09/2020, 08:49 p. m. - Bob: hi", (12, 9, 2020), 20 * 3600 + 49 * 60),
        ("12/09/2020, 00:08 a. m. - Bob: hi", (12, 9, 2020), 8 * 60),
        (f"{LRM}[12.09.20, 23:55:01] Bob: {LRM}hi", (12, 9, 2020), 23 * 3600 + 55 * 60 + 1),
        (f"[{LRM}12.09.20,{LRM} 23:55:01{LRM}] Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60 + 1),
        ("12-09-20 23:55 - Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60),
        ("12.09.20, 23.55 - Bob: hi", (12, 9, 2020), 23 * 3600 + 55 * 60),
    ],
)
def test_header_shapes(line: str, fields: tuple[int, int, int], seconds: int) -> None:
    found = HeaderScanner().scan(line)
    assert found is not None
    shape, tod, end = found
    if shape.year_first:
        assert (shape.f1, shape.f2, shape.f3) == fields
    else:
        assert (shape.f1, shape.f2, shape.y) == fields
    assert tod == seconds
    assert line[end:].lstrip(LRM).startswith("Bob: ")


@pytest.mark.parametrize(
    "line",
    [
        "2/11/19: Arrival",
        "2/11/19, 14:48 Alice Placeholder: no dash after the time",
        "123/4/5, 10:00 - x: y",
        "12/09/202, 10:00 - x: y",
        "[12/09/2020, 10:00 - x: y",
        "12/09/2020, 10:00] x: y",
        "hello 12/09/2020, 10:00 - x: y",
        "",
    ],
)
def test_not_headers(line: str) -> None:
    assert HeaderScanner().scan(line) is None


def test_impossible_header_date_is_kept_as_text(tmp_path: Path) -> None:
    path = chat(tmp_path, "14/10/2025, 10:00 - Ann: one\n31/02/2025, 10:00 - Ann: not a date\n14/10/2025, 10:01 - Ann: two\n")
    events, warnings = run(path)
    assert [e.text for e in events] == ["one\n31/02/2025, 10:00 - Ann: not a date", "two"]
    assert [(w.code, w.locator) for w in warnings if w.code == "invalid_header"] == [("invalid_header", "line 2")]


def test_impossible_time_is_kept_as_text(tmp_path: Path) -> None:
    path = chat(tmp_path, "14/10/2025, 10:00 - Ann: one\n14/10/2025, 25:10 - Ann: no\n")
    events, warnings = run(path)
    assert [e.text for e in events] == ["one\n14/10/2025, 25:10 - Ann: no"]
    assert any(w.code == "invalid_header" for w in warnings)


# -- date order --------------------------------------------------------------------------------


def test_dots_are_day_first(tmp_path: Path) -> None:
    events, warnings = run(chat(tmp_path, "03.04.25, 10:00 - Ann: a\n05.06.25, 10:00 - Ann: b\n"))
    assert [e.timestamp for e in events] == [utc(2025, 4, 3, 10), utc(2025, 6, 5, 10)]
    assert all(e.time_ambiguous and "'.'-separated" in e.time_note for e in events)
    assert "'.', which no WhatsApp locale" not in warnings[0].message  # wording check below
    assert any("dates separated by '.' are day-first" in w.message for w in warnings)


def test_mixed_orders_in_one_style_group(tmp_path: Path) -> None:
    text = (
        "30/06/2023, 10:00 - Ann: day first\n"
        "06/30/2023, 10:01 - Ann: month first\n"
        "12/07/2023, 10:02 - Ann: either\n"
        "01/08/2023, 10:03 - Ann: either again\n"
    )
    events, warnings = run(chat(tmp_path, text))
    # lines readable one way only are read that way, without a flag
    assert [e.timestamp for e in events[:2]] == [utc(2023, 6, 30, 10), utc(2023, 6, 30, 10, 1)]
    assert not events[0].time_ambiguous and not events[1].time_ambiguous
    mixed = [w for w in warnings if w.code == "mixed_date_order"]
    assert len(mixed) == 1 and "line 1" in mixed[0].message and "line 2" in mixed[0].message
    # the rest by chronology: 12 Jul -> 1 Aug goes forward, 7 Dec -> 8 Jan would go back
    assert [e.timestamp for e in events[2:]] == [utc(2023, 7, 12, 10, 2), utc(2023, 8, 1, 10, 3)]
    assert all(e.time_ambiguous and "inferred from message order" in e.time_note for e in events[2:])


def test_user_order_contradicted_by_a_line(tmp_path: Path) -> None:
    text = "03/04/2025, 10:00 - Ann: a\n04/30/2025, 10:00 - Ann: b\n"
    events, warnings = run(chat(tmp_path, text), date_order="dmy")
    assert [e.timestamp for e in events] == [utc(2025, 4, 3, 10), utc(2025, 4, 30, 10)]
    conflict = [w for w in warnings if w.code == "mixed_date_order"]
    assert len(conflict) == 1 and "04/30/2025" in conflict[0].message


def test_user_order_ymd_for_two_digit_years(tmp_path: Path) -> None:
    events, _ = run(chat(tmp_path, "25/10/03, 10:00 - Ann: a\n"), date_order="ymd")
    assert events[0].timestamp == utc(2025, 10, 3, 10)


def test_one_undecidable_group_refuses_the_whole_file(tmp_path: Path) -> None:
    text = (
        "30/06/2023, 10:00 - Ann: decided\n[01/02/2023, 10:00:00] Ann: another style, undecided\n[03/04/2023, 10:00:00] Ann: x\n"
    )
    with pytest.raises(DateOrderAmbiguousError) as err:
        run(chat(tmp_path, text))
    assert err.value.locator == "line 2"


# -- who said it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Bob: hello", ("message", "Bob", "hello", "")),
        ("Bob:", ("message", "Bob", "", "")),
        ("John Doe:.", ("system", "", "John Doe:.", "")),
        ("Alice added Bob", ("system", "", "Alice added Bob", "")),
        ("Bob: Alice added you", ("message", "Bob", "Alice added you", "")),
        ('Alice created group "Plans: May"', ("system", "", 'Alice created group "Plans: May"', "")),
        (
            "Messages and calls are end-to-end encrypted. Tap to learn more.",
            ("system", "", "Messages and calls are end-to-end encrypted. Tap to learn more.", ""),
        ),
        (
            "Chat: Messages and calls are end-to-end encrypted.",
            ("system", "", "Messages and calls are end-to-end encrypted.", "Chat"),
        ),
        (
            "Bob: Bob updated the message timer. Tap to change.",
            ("system", "", "Bob updated the message timer. Tap to change.", "Bob"),
        ),
        ("Bob: I think you updated the message timer", ("message", "Bob", "I think you updated the message timer", "")),
        (
            "Bob: \u200eAnn changed their phone number to a new number",
            ("system", "", "\u200eAnn changed their phone number to a new number", "Bob"),
        ),
        ("Bob: \u200eAnn left", ("system", "", "\u200eAnn left", "Bob")),
        ("Bob: Ann left", ("message", "Bob", "Ann left", "")),
        ("The final test: Does it work with colons?: yes", ("message", "The final test", "Does it work with colons?: yes", "")),
    ],
)
def test_split_rules(body: str, expected: tuple[str, str, str, str]) -> None:
    assert BodySplitter().split(body) == expected


def test_tilde_and_marks_are_removed_from_senders() -> None:
    splitter = BodySplitter()
    assert splitter.sender_info("~\u202fAnn")[0] == "Ann"
    assert splitter.sender_info("\u200e~ Ann")[0] == "Ann"
    assert splitter.sender_info("~")[0] == "~"


# -- markers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("<Media omitted>", "media_omitted"),
        ("<media omitted>", "media_omitted"),
        ("<Medien ausgeschlossen>", "media_omitted"),
        ("<Multimedia omitido>", "media_omitted"),
        ("<Médias omis>", "media_omitted"),
        ("<Media omessi>", "media_omitted"),
        ("<Arquivo de mídia oculto>", "media_omitted"),
        ("<Media weggelaten>", "media_omitted"),
        ("image omitted", "media_omitted"),
        ("GIF omitted", "media_omitted"),
        ("Contact card omitted", "media_omitted"),
        ("Bild weggelassen", "media_omitted"),
        ("Report.pdf • 3 pages document omitted", "media_omitted"),
        ("This message was deleted", "deleted"),
        ("You deleted this message.", "deleted"),
        ("Diese Nachricht wurde gelöscht.", "deleted"),
        ("Se eliminó este mensaje.", "deleted"),
        ("Ce message a été supprimé", "deleted"),
        ("Questo messaggio è stato eliminato", "deleted"),
        ("Dit bericht is verwijderd", "deleted"),
        ("ok <This message was edited>", "edited"),
        ("<Diese Nachricht wurde bearbeitet> ok", "edited"),
    ],
)
def test_markers(text: str, flag: str) -> None:
    found = read_markers(text)
    assert found is not None and getattr(found, flag) is True


@pytest.mark.parametrize("text", ["I left the image omitted on purpose, sorry", "this message was deleted by you, liar", "hello"])
def test_markers_need_the_whole_text(text: str) -> None:
    found = read_markers(text)
    assert found is None or not (found.media_omitted or found.deleted)


def test_attachment_markers() -> None:
    ios = read_markers("<attached: 00000010-PHOTO-2020-11-02-21-49-51.jpg>")
    android = read_markers("IMG-20230630-WA0000.jpg (file attached)\nimage comment")
    german = read_markers("DOC-20230630-WA0001.pdf (Datei angehängt)")
    assert ios is not None and ios.attachments == ("00000010-PHOTO-2020-11-02-21-49-51.jpg",)
    assert android is not None and android.attachments == ("IMG-20230630-WA0000.jpg",)
    assert german is not None and german.attachments == ("DOC-20230630-WA0001.pdf",)


def test_calls() -> None:
    missed = read_call("Missed voice call")
    video = read_call("Video call, 1 hr 5 min")
    assert missed is not None and missed.missed and missed.call_type == "voice" and missed.duration_s is None
    assert video is not None and not video.missed and video.duration_s == 3900
    assert read_call("call me maybe") is None


def test_thread_names() -> None:
    assert thread_from_name("WhatsApp Chat with Mark Kell.txt") == "Mark Kell"
    assert thread_from_name("WhatsApp Chat - Mark Kell.zip") == "Mark Kell"
    assert thread_from_name("WhatsApp-Chat mit Lena Vogel.txt") == "Lena Vogel"
    assert thread_from_name("_chat.txt") == ""


# -- odd and hostile input ---------------------------------------------------------------------


def test_sniff_says_no_to_other_content(tmp_path: Path) -> None:
    empty = SourceFile(Path("/dev/null"), "0" * 64, "empty", 0)
    assert PARSER.sniff(empty, b"") is False
    for head in (b'{"messages": []}', b"hello world\n", bytes(range(256)), b"<?xml version='1.0'?><smses/>"):
        assert PARSER.sniff(empty, head) is False
    no_chat = tmp_path / "photos.zip"
    with zipfile.ZipFile(no_chat, "w") as zf:
        zf.writestr("IMG-1.jpg", b"\xff\xd8\xff")
    assert PARSER.sniff(source_file_for(no_chat), no_chat.read_bytes()) is False
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert PARSER.sniff(source_file_for(broken), broken.read_bytes()) is False


def test_text_without_any_header_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no WhatsApp message header"):
        run(chat(tmp_path, "just some notes\nnothing else\n"))


def test_zip_with_two_chat_texts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/_chat.txt", "14/10/2025, 10:00 - Ann: a\n")
        zf.writestr("b/_chat.txt", "14/10/2025, 10:00 - Bob: b\n")
    assert PARSER.sniff(source_file_for(path), path.read_bytes())  # still recognised, then refused clearly
    with pytest.raises(ParseError, match="several chat texts"):
        run(path)


def test_zip_finds_a_named_chat_and_ignores_resource_forks(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__MACOSX/._WhatsApp Chat with Ann.txt", "14/10/2025, 10:00 - Eve: fork\n")
        zf.writestr("WhatsApp Chat with Ann.txt", "14/10/2025, 10:00 - Ann: hello\n")
    events, _ = run(path)
    assert [(e.thread, e.sender, e.text) for e in events] == [("Ann", "Ann", "hello")]
    assert events[0].source.locator == "WhatsApp Chat with Ann.txt:line 1"


def test_repetitive_warnings_are_capped_and_summarised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp, "MAX_REPEATED_WARNINGS", 3)
    path = chat(tmp_path, "noise\n" * 5 + "14/10/2025, 10:00 - Ann: hello\n")
    _, warnings = run(path)
    unparsed = [w for w in warnings if w.code == "unparsed_line"]
    assert [w.locator for w in unparsed[:3]] == ["line 1", "line 2", "line 3"]
    assert len(unparsed) == 4 and "2 more" in unparsed[3].message


def test_a_message_out_of_order_inside_a_fold_does_not_close_it(tmp_path: Path) -> None:
    text = (
        "26/10/2025, 01:20 - Sam: first pass\n"
        "26/10/2025, 00:59 - Sam: late delivery, before the fold\n"
        "26/10/2025, 01:10 - Sam: second pass\n"
    )
    events, _ = run(chat(tmp_path, text), tz="Europe/London")
    assert [e.timestamp for e in events] == [utc(2025, 10, 26, 0, 20), utc(2025, 10, 25, 23, 59), utc(2025, 10, 26, 1, 10)]
    assert "second occurrence" in events[2].time_note


def test_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff14/10/2025, 10:00 - Ann: hello\n".encode())
    events, warnings = run(path)
    assert [e.text for e in events] == ["hello"] and not any(w.code == "unparsed_line" for w in warnings)


def test_over_long_lines_are_cut_with_their_size_and_numbering_stays_right() -> None:
    import io

    from cyberevidence.parsers._whatsapp_lines import iter_line_blocks

    data = b"short\r\n" + "é".encode() * 50 + b"\r\nmiddle\n" + b"x" * 95 + b"\nlast-no-newline-" + b"y" * 40
    blocks = list(iter_line_blocks(io.BytesIO(data).read, chunk_size=7, max_line=20))
    lines = {b.first + i: line for b in blocks for i, line in enumerate(b.lines)}
    long = dict(pair for b in blocks for pair in b.long)
    assert lines[1] == "short" and lines[3] == "middle"
    assert lines[2] == "é" * 10 and long[2] == 80  # cut at a character boundary; 80 bytes not kept
    assert lines[4] == "x" * 20 and long[4] == 75
    assert lines[5].startswith("last-no-newline-") and long[5] == len(data.rsplit(b"\n", 1)[1]) - len(lines[5].encode())
    assert sorted(lines) == [1, 2, 3, 4, 5]
