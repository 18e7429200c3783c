"""The streaming mbox parser: the Gmail Takeout sample in the corpus, synthetic fixtures, hostile input."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.mbox import PARSER, split_mbox
from cyberevidence.standalone import parse, source_file_for


def run(path: Path, tz: str = "UTC", fmt: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    return list(parse(path, timezone=tz, warnings=warnings, format=fmt)), warnings


def test_gmail_takeout_sample(corpus: Path) -> None:
    path = corpus / "email" / "mbox" / "gtakeout2sqlite_small.gmail.mbox"
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert len(events) == 4
    assert [e.extra["gmail_labels"] for e in events] == [["Unread"], ["Unread"], ["Chat"], ["Chat"]]
    assert events[0].timestamp_utc.startswith("2008-08-05") and events[-1].timestamp_utc.startswith("2021-07-20")
    assert events[0].extra["from_name"] == "ł Zieliński"
    assert events[3].extra["from_name"] == "罗" and events[3].text == "好好学习，天天向上"
    assert all(e.thread.startswith("gmail:") for e in events)
    no_date = [e for e in events if "date_header" not in e.extra]
    assert len(no_date) == 2 and all("envelope" in e.time_note for e in no_date)  # the 2 Chat messages
    assert [e.source.locator for e in events] == [
        "message[0] line 1",
        "message[1] line 51",
        "message[2] line 148",
        "message[3] line 157",
    ]
    # Takeout wrote message 3's envelope line straight after message 2's last line
    assert [(w.code, w.locator) for w in warnings] == [("mbox_missing_blank_line", "message[2] line 148")]


def test_synthetic_mbox(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "email" / "small.mbox")
    assert [e.extra["subject"] for e in events] == [
        "first",
        "second, with attachment",
        "third, no Date and no blank line before its envelope",
    ]
    assert events[0].text.splitlines()[1:4] == [
        "From the quoted line",
        ">From doubly quoted",
        "From here on this is body text, not an envelope",
    ]
    assert [a.name for a in events[1].attachments] == ["pic.png"]
    assert events[2].timestamp_utc == "2024-01-01T12:00:00Z" and "envelope" in events[2].time_note
    assert Counter(w.code for w in warnings) == {"mbox_from_in_body": 1, "mbox_missing_blank_line": 1}
    assert {w.locator for w in warnings} == {"message[0] line 10", "message[2] line 32"}


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 1 << 20])
def test_split_is_the_same_for_every_chunk_size(fixtures_dir: Path, chunk: int) -> None:
    data = (fixtures_dir / "email" / "small.mbox").read_bytes()
    whole = list(split_mbox(io.BytesIO(data), chunk=1 << 20))
    assert list(split_mbox(io.BytesIO(data), chunk=chunk)) == whole
    assert b"".join(m for _, m, _ in whole) == data
    assert [line for line, _, _ in whole] == [1, 13, 32]


def test_crlf_and_hostile_input(tmp_path: Path) -> None:
    p = tmp_path / "hostile.mbox"
    p.write_bytes(
        b"From x@example.net Mon Jan  1 10:00:00 2024\r\nFrom: x@example.net\r\n"
        b"Content-Type: multipart/mixed\r\n\r\nno boundary\r\n\r\n"
        b"From y@example.net Mon Jan  1 10:00:00 2024\r\n\r\n"
        b"From z@example.net Mon Jan  1 11:00:00 2024\r\nSubject: =?bogus?Q?x=FF?=\r\nDate: not a date\r\n\r\nbody\r\n"
    )
    events, warnings = run(p)
    assert len(events) == 2
    got = Counter(w.code for w in warnings)
    assert got["mime_defect"] >= 1 and got["empty_message"] == 1 and got["unparsed_date"] == 1 and got["header_charset"] == 1
    assert all(w.locator.startswith("message[") and " line " in w.locator for w in warnings)


def test_no_envelope_and_empty(tmp_path: Path) -> None:
    p = tmp_path / "noenv.mbox"
    p.write_bytes(b"Subject: hi\n\nbody\n\nFrom a@example.net Mon Jan  1 10:00:00 2024\nSubject: two\n\nb\n")
    events, warnings = run(p, fmt="mbox")  # not sniffed as an mbox (no envelope line): forced
    assert [e.extra["subject"] for e in events] == ["hi", "two"]
    assert warnings[0].code == "mbox_no_envelope" and warnings[0].locator == "message[0] line 1"
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.standalone import HashOnlyContext

    e = tmp_path / "empty.mbox"
    e.write_bytes(b"")
    items = list(PARSER.parse(source_file_for(e), HashOnlyContext(ParseOptions())))
    assert [i.code for i in items if isinstance(i, ParseWarning)] == ["no_messages"]
